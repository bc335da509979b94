/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * master_key.c - ks_master_key_load (store.h): the 256-bit key that wraps
 * every secret in the store. Whoever reads this file reads every group's
 * keys, so a file with any group or other permission bit is refused, and a
 * new one is made with O_EXCL at mode 0600 and synced (a key lost after
 * the store has used it loses every generation wrapped under it).
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#define HEX_LEN (2 * KS_MASTER_KEY_LEN)

/* 32 raw bytes, or 64 hex digits with one optional trailing newline. */
static bool parse(const uint8_t *buf, size_t len, uint8_t key[KS_MASTER_KEY_LEN])
{
	if (len == KS_MASTER_KEY_LEN) {
		memcpy(key, buf, KS_MASTER_KEY_LEN);
		return true;
	}
	if (len == HEX_LEN + 1 && buf[HEX_LEN] == '\n')
		len--;
	if (len != HEX_LEN)
		return false;
	for (size_t i = 0; i < KS_MASTER_KEY_LEN; i++) {
		int hi = g_ascii_xdigit_value((char)buf[2 * i]), lo = g_ascii_xdigit_value((char)buf[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static bool fail_errno(GError **err, const char *path, const char *what, int e)
{
	g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_MASTER_KEY, "master key file %s: %s: %s", path, what, g_strerror(e));
	return false;
}

/* Reads and checks an existing file; *missing tells ENOENT apart. */
static bool read_key(const char *path, uint8_t key[KS_MASTER_KEY_LEN], bool *missing, GError **err)
{
	uint8_t buf[HEX_LEN + 2];
	size_t len = 0;
	struct stat st;
	bool ok = false;
	int fd;

	*missing = false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*missing = errno == ENOENT;
		return fail_errno(err, path, "cannot open", errno);
	}
	/* fstat the open file, not the name, so the checked file is the read one. */
	if (fstat(fd, &st) != 0) {
		fail_errno(err, path, "cannot stat", errno);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_MASTER_KEY, "master key file %s: not a regular file", path);
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_MASTER_KEY,
			"master key file %s: mode %04o gives group or others access; refusing it (chmod 600)", path,
			(unsigned)(st.st_mode & 07777));
		goto out;
	}
	while (len < sizeof(buf)) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail_errno(err, path, "cannot read", errno);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (!parse(buf, len, key)) {
		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_MASTER_KEY,
			"master key file %s: %lld bytes; want %d raw bytes or %d hex digits and an optional newline", path,
			(long long)st.st_size, KS_MASTER_KEY_LEN, HEX_LEN);
		goto out;
	}
	ok = true;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return ok;
}

static bool write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/* The directory entry must outlive a power cut as well as the data. */
static bool sync_dir(const char *path)
{
	char *dir = g_path_get_dirname(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool ok = fd >= 0 && fsync(fd) == 0;

	if (fd >= 0)
		close(fd);
	g_free(dir);
	return ok;
}

/* Writes a new key as hex (an operator can back it up as text). EEXIST
 * sets *raced: someone made the file meanwhile, so read theirs. */
static bool create_key(const char *path, uint8_t key[KS_MASTER_KEY_LEN], bool *raced, GError **err)
{
	char hex[HEX_LEN + 2];
	bool ok = false;
	int fd, e;

	*raced = false;
	if (RAND_bytes(key, KS_MASTER_KEY_LEN) != 1) {
		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_MASTER_KEY, "master key file %s: the RNG failed", path);
		return false;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		*raced = errno == EEXIST;
		fail_errno(err, path, "cannot create", errno);
		goto out;
	}
	for (size_t i = 0; i < KS_MASTER_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	hex[HEX_LEN] = '\n';
	/* fchmod: the umask must not leave the owner unable to read it back. */
	if (fchmod(fd, 0600) != 0 || !write_all(fd, hex, HEX_LEN + 1) || fsync(fd) != 0 || !sync_dir(path)) {
		e = errno;
		close(fd);
		unlink(path);
		fail_errno(err, path, "cannot write", e);
		goto out;
	}
	if (close(fd) != 0) {
		unlink(path);
		fail_errno(err, path, "cannot write", errno);
		goto out;
	}
	ok = true;
out:
	OPENSSL_cleanse(hex, sizeof(hex));
	if (!ok)
		OPENSSL_cleanse(key, KS_MASTER_KEY_LEN);
	return ok;
}

bool ks_master_key_load(const char *path, bool create, uint8_t key[KS_MASTER_KEY_LEN], GError **err)
{
	GError *e = NULL;
	bool missing, raced;

	if (path == NULL || *path == '\0' || key == NULL) {
		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_ARG, "ks_master_key_load: %s is NULL or empty",
			key == NULL ? "key" : "path");
		return false;
	}
	if (read_key(path, key, &missing, &e))
		return true;
	if (!missing || !create)
		goto fail;
	g_clear_error(&e);
	if (create_key(path, key, &raced, &e))
		return true;
	if (!raced)
		goto fail;
	g_clear_error(&e);
	if (read_key(path, key, &missing, &e))
		return true;
fail:
	OPENSSL_cleanse(key, KS_MASTER_KEY_LEN);
	g_propagate_error(err, e);
	return false;
}
