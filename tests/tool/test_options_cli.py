#!/usr/bin/env python3
"""test_options_cli.py - regression tests of mikey-tool's option handling:
bad hex, empty keys, unbounded files, numeric ranges, exit codes, empty
SSRC lists, calendar dates, NUL bytes in text input, state-file errors,
ASCII help, repeated options, --key without --cert, several keys per
message (create --tgk/--tek/--mki repeated, derive printing every key), and
--dh-private against tests/vectors/dh-stated (the DH values g^x of the
stated private values appear in the vector's messages).

Usage: test_options_cli.py MIKEY_TOOL SOURCE_ROOT

Run under the ASan/UBSan build, a sanitizer report or a leak (LeakSanitizer
turns the exit status into 23) fails the check that expected 1 or 2.
Prints one line per failed check and, last, "N passed, N failed".
"""
import json
import os
import subprocess
import sys
import tempfile
import time

from tally import check, summary

TIMEOUT = 30
PSK = "00112233445566778899aabbccddeeff"
NOW = "2023-06-01T12:00:00Z"



def run(args, stdin=None, env=None):
    e = dict(os.environ)
    e.update(env or {})
    t = time.monotonic()
    p = subprocess.run([TOOL] + args, input=stdin, capture_output=True, timeout=TIMEOUT, cwd=ROOT, env=e)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace"), time.monotonic() - t


def clean(err):
    return "Sanitizer" not in err and "runtime error" not in err


def expect(args, rc_want, needle, what, stdin=None, max_s=10.0):
    rc, out, err, dt = run(args, stdin)
    check(rc == rc_want and needle in err and clean(err) and dt < max_s,
          "%s: rc %d (want %d), %.1fs, stderr %r" % (what, rc, rc_want, dt, err[:300]))
    return rc, out, err


def test_hex_fields():
    base = ["create", "--mode", "psk", "--psk", PSK, "--now", NOW, "--seed", "1"]
    for opt in ("tgk", "tek", "salt", "mki", "tesla-seed"):
        for bad in ("zz", "", "abc", "0x", "00\x01"):
            extra = []
            if opt == "tesla-seed":
                extra = ["--tesla-t0", "0", "--tesla-interval", "10", "--tesla-delay", "2", "--tesla-chain", "10"]
            expect(base + ["--" + opt, bad] + extra, 2, "--" + opt, "create --%s %r" % (opt, bad))
    expect(base + ["--tgk", "00" * 65], 2, "--tgk", "create --tgk of 65 bytes")


def test_empty_psk():
    expect(["create", "--mode", "psk", "--psk", ""], 2, "--psk", "create --psk ''")
    expect(["respond", "--psk", "", "/dev/null"], 2, "--psk", "respond --psk ''")
    expect(["derive", "--psk", "", "/dev/null"], 2, "--psk", "derive --psk ''")
    with tempfile.NamedTemporaryFile("w", suffix=".psk") as f:
        f.write("\n")
        f.flush()
        expect(["create", "--mode", "psk", "--psk", "@" + f.name], 2, "--psk", "create --psk @empty-file")


def test_bounded_files():
    expect(["create", "--mode", "psk", "--psk", "@/dev/zero"], 2, "larger than 1048576", "--psk @/dev/zero")
    expect(["create", "--mode", "pk", "--cert", "/dev/zero", "--key", "/dev/zero"], 2, "larger than",
           "--cert /dev/zero")
    expect(["respond", "--cert", "tests/certs/bob.pem", "--key", "/dev/zero", "/dev/null"], 2, "larger than",
           "--key /dev/zero")
    expect(["respond", "--ca", "/dev/zero", "/dev/null"], 2, "larger than", "--ca /dev/zero")
    expect(["create", "--mode", "pk", "--peer-id", "x", "--peer-cert", "/dev/zero"], 2, "larger than",
           "--peer-cert /dev/zero")
    expect(["create", "--json", "/dev/zero"], 2, "larger than 16777216", "--json /dev/zero")
    expect(["derive", "--state", "/dev/zero"], 2, "larger than", "--state /dev/zero")
    expect(["decode", "/dev/zero"], 2, "larger than", "decode /dev/zero")
    expect(["create", "--mode", "psk", "--psk", "@/", "--now", NOW], 2, "--psk", "--psk @directory")
    expect(["create", "--mode", "psk", "--psk", "@/nonexistent/x"], 2, "cannot open", "--psk @missing")


def test_numeric_ranges():
    tesla = ["create", "--mode", "psk", "--psk", PSK, "--now", NOW, "--tesla-t0", "0", "--tesla-interval", "10"]
    expect(tesla + ["--tesla-delay", "2", "--tesla-chain", "4294967295"], 2, "--tesla-chain",
           "create --tesla-chain 4294967295", max_s=5)
    expect(tesla + ["--tesla-delay", "2", "--tesla-chain", "10000001"], 2, "--tesla-chain", "chain 10000001")
    expect(tesla + ["--tesla-delay", "10", "--tesla-chain", "10"], 2, "less than", "delay == chain")
    expect(tesla + ["--tesla-delay", "65536", "--tesla-chain", "100000"], 2, "--tesla-delay", "delay 65536")
    rc, _, err, _ = run(tesla + ["--tesla-delay", "2", "--tesla-chain", "1000", "--seed", "1"])
    check(rc == 0 and clean(err), "create with a valid TESLA chain: " + err)
    seed = "11" * 20
    expect(["tesla", "chain", "--seed", seed, "--n-c", "4294967295"], 2, "--n-c", "tesla chain --n-c 2^32-1",
           max_s=5)
    expect(["tesla", "check", "--n-c", "4294967295", "--t0", "0", "--interval", "10", "--delay", "2",
            "--now", "1", "--commitment", seed, "00" * 40], 2, "--n-c", "tesla check --n-c 2^32-1", max_s=5)
    expect(["tesla", "check", "--n-c", "10", "--t0", "0", "--interval", "10", "--delay", "10",
            "--now", "1", "--commitment", seed, "00" * 40], 2, "less than", "tesla check --delay == --n-c")
    for opt, bad in (("csb-id", "0"), ("csb-id", "4294967296"), ("rand-len", "15"), ("rand-len", "256"),
                     ("pke-cache", "3"), ("max-skew", "-1"), ("seed", "18446744073709551616"),
                     ("tesla-mac-len", "168")):
        expect(["create", "--mode", "psk", "--psk", PSK, "--" + opt, bad], 2, "--" + opt,
               "create --%s %s" % (opt, bad))


def make_psk_msg(extra=()):
    rc, out, err, _ = run(["create", "--mode", "psk", "--psk", PSK, "--now", NOW, "--seed", "1"] + list(extra))
    check(rc == 0, "create a PSK message: " + err)
    return out.decode().strip()


def test_exit_codes():
    msg = make_psk_msg()
    # The data type byte (second byte): PSK init 0 -> PSK response 1.
    tampered = msg[:2] + "01" + msg[4:]
    expect(["verify", "--psk", PSK, "-"], 1, "--state", "verify of a tampered data type", stdin=tampered.encode())
    for dt in range(1, 256):
        tampered = msg[:2] + "%02x" % dt + msg[4:]
        rc, _, err, _ = run(["verify", "--psk", PSK, "-"], stdin=tampered.encode())
        if not check(rc == 1 and clean(err), "verify of data type %d: rc %d %r" % (dt, rc, err[:200])):
            break
    expect(["create", "--mode", "nosuch"], 2, "--mode", "unknown mode is a usage error")


def test_ssrc_and_dates():
    expect(["create", "--mode", "psk", "--psk", PSK, "--ssrc", ""], 2, "--ssrc", "create --ssrc ''")
    expect(["create", "--mode", "psk", "--psk", PSK, "--ssrc", ","], 2, "--ssrc", "create --ssrc ,")
    for bad in ("2023-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2023-04-31T00:00:00Z", "2023-13-01T00:00:00Z",
                "2023-00-10T00:00:00Z", "2023-06-01T24:00:00Z"):
        expect(["create", "--mode", "psk", "--psk", PSK, "--now", bad], 2, "--now", "--now " + bad)
    rc, _, err, _ = run(["create", "--mode", "psk", "--psk", PSK, "--now", "2024-02-29T23:59:59Z"])
    check(rc == 0, "--now on a leap day: " + err)


def test_nul_in_text():
    msg = make_psk_msg()
    data = (msg[:10] + "\0" + msg[10:]).encode()
    rc, out, err = expect(["decode", "-"], 1, "offset 10", "decode of hex with a NUL", stdin=data)
    check("version 48" not in err and "version 48" not in out.decode(), "NUL not reported as version 48")
    expect(["derive", "--psk", PSK, "--now", NOW, "-"], 1, "offset 10", "derive of hex with a NUL", stdin=data)
    rc, out, err, _ = run(["decode", "--json", "-"], stdin=data)
    check(rc == 1 and clean(err) and b"offset 10" in out + err.encode(), "decode --json of hex with a NUL")


def test_state_errors():
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "bad.st")
        secret = "S3CR3T" * 2000
        with open(p, "w") as f:
            f.write("[mikey-tool initiator state]\nversion=1\n" + secret + "\n")
        rc, _, err, _ = run(["derive", "--state", p])
        check(rc == 2 and "line 3" in err and len(err) < 400 and clean(err),
              "bad --state line quoted short: rc %d %r" % (rc, err[:500]))


def test_help_ascii():
    env = {"LC_ALL": "C", "LANG": "C"}
    for args in (["--help"], ["create", "--help"], ["respond", "--help"], ["verify", "--help"],
                 ["derive", "--help"], ["decode", "--help"], ["tesla", "--help"], ["tesla", "chain", "--help"],
                 ["tesla", "ext", "--help"], ["tesla", "check", "--help"]):
        e = dict(os.environ)
        e.update(env)
        p = subprocess.run([TOOL] + args, capture_output=True, timeout=TIMEOUT, env=e)
        # GLib's own "[OPTION...]" (an ellipsis, "?" in the C locale) aside.
        text = p.stdout.replace(b"[OPTION?]", b"")
        check(p.returncode == 0 and all(b < 0x80 for b in text) and b"?" not in text,
              "%s: ASCII help (rc %d)" % (" ".join(args), p.returncode))


def test_repeats():
    base = ["create", "--mode", "psk", "--psk", PSK, "--now", NOW, "--seed", "1"]
    for opt, a, b in (("mode", "psk", "pk"), ("id", "a", "b"), ("psk", PSK, PSK), ("ssrc", "1", "2"),
                      ("csb-id", "1", "2"), ("now", NOW, NOW), ("salt", "00", "01"), ("out", "/dev/null", "x")):
        args = list(base)
        if opt in ("mode", "psk", "now"):
            args += ["--" + opt, b]
        else:
            args += ["--" + opt, a, "--" + opt, b]
        expect(args, 2, "--" + opt, "repeated --" + opt)
    expect(["derive", "--json", "--state", "a", "--state", "b"], 2, "--state", "repeated --state")
    expect(["decode", "--format", "hex", "--format", "bin", "/dev/null"], 2, "--format", "decode: repeated --format")
    expect(["tesla", "chain", "--seed", "11" * 20, "--n-c", "5", "--n-c", "6"], 2, "--n-c", "tesla: repeated --n-c")
    expect(["tesla", "chain", "--seed", "11" * 20, "--n-c=5", "--n-c=6"], 2, "--n-c", "tesla: repeated --n-c=")


def test_multi_key():
    k1, k2 = "00112233445566778899aabbccddeeff", "ffeeddccbbaa99887766554433221100"
    with tempfile.TemporaryDirectory() as d:
        st, m = os.path.join(d, "a.st"), os.path.join(d, "m.hex")
        rc, _, err, _ = run(["create", "--mode", "psk", "--psk", PSK, "--now", NOW, "--seed", "1", "--tgk", k1,
                             "--tgk", k2, "--mki", "0a", "--mki", "0b0c", "--ssrc", "1,2", "--state", st, "--out", m])
        check(rc == 0 and clean(err), "create with two TGKs: " + err)
        rc, out, err, _ = run(["derive", "--json", "--psk", PSK, "--now", NOW, m])
        check(rc == 0 and clean(err), "derive --json of two keys: " + err)
        cs = json.loads(out)["crypto_sessions"] if rc == 0 else []
        check(len(cs) == 4, "two keys x two sessions: %d entries" % len(cs))
        check([(c.get("key_index"), c["ssrc"], c["mki"]) for c in cs] ==
              [(0, 1, "0a"), (0, 2, "0a"), (1, 1, "0b0c"), (1, 2, "0b0c")], "key_index, ssrc and MKI: %r" % cs)
        if len(cs) == 4:
            check(cs[0]["master_key"] != cs[2]["master_key"] and cs[1]["master_key"] != cs[3]["master_key"],
                  "TEKs differ between the keys")
            check(cs[0]["master_key"] != cs[1]["master_key"], "TEKs differ between the sessions")
        rc, out2, err, _ = run(["derive", "--json", "--state", st, "--now", NOW])
        check(rc == 0 and out2 == out, "initiator (--state) derives the same keys: " + err)
        rc, txt, err, _ = run(["derive", "--psk", PSK, "--now", NOW, m])
        t = txt.decode()
        check(rc == 0 and t.count("Crypto session") == 4 and ", key 1\n" in t and "MKI          0b0c" in t,
              "derive text lists every key: " + t[:200])
        # TEKs given directly: each key comes back as itself.
        salt = "0102030405060708090a0b0c0d0e"
        rc, out, err, _ = run(["create", "--mode", "psk", "--psk", PSK, "--now", NOW, "--seed", "1", "--tek", k1,
                               "--tek", k2, "--salt", salt, "--mki", "01", "--mki", "02", "--out", m])
        rc2, out, err2, _ = run(["derive", "--json", "--psk", PSK, "--now", NOW, m])
        cs = json.loads(out)["crypto_sessions"] if rc == 0 and rc2 == 0 else []
        check([(c["master_key"], c["mki"]) for c in cs] == [(k1, "01"), (k2, "02")],
              "two TEKs come back with their MKIs: %s %s %r" % (err, err2, cs))
    expect(["create", "--mode", "psk", "--psk", PSK, "--tgk", k1, "--tgk", k2, "--mki", "01", "--mki", "02",
            "--mki", "03"], 2, "--mki", "three MKIs for two keys")
    # A JSON offer's arrays ("tgk": [K1, K2]) and comma lists mean the same as repeats.
    with tempfile.TemporaryDirectory() as d:
        j = os.path.join(d, "offer.json")
        with open(j, "w") as f:
            json.dump({"mode": "psk", "psk": PSK, "tgk": [k1, k2], "mki": ["0a", "0b0c"], "ssrc": [1, 2]}, f)
        common = ["--now", NOW, "--seed", "1"]
        rc1, a, e1, _ = run(["create", "--json", j] + common)
        rc2, b, e2, _ = run(["create", "--mode", "psk", "--psk", PSK, "--tgk", k1 + "," + k2, "--mki", "0a,0b0c",
                             "--ssrc", "1,2"] + common)
        rc3, c, e3, _ = run(["create", "--mode", "psk", "--psk", PSK, "--tgk", k1, "--tgk", k2, "--mki", "0a",
                             "--mki", "0b0c", "--ssrc", "1,2"] + common)
        check(rc1 == rc2 == rc3 == 0 and a == b == c, "JSON arrays, comma lists and repeats agree: %s %s %s" %
              (e1, e2, e3))
    expect(["create", "--mode", "psk", "--psk", PSK] + ["--tgk", k1] * 17, 2, "--tgk", "17 keys")
    # One key: the JSON shape is unchanged (no key_index).
    rc, out, err, _ = run(["derive", "--json", "--psk", PSK, "--now", NOW, "-"], stdin=make_psk_msg().encode())
    check(rc == 0 and "key_index" not in json.loads(out)["crypto_sessions"][0], "one key: no key_index")


def dh_value(hexmsg):
    rc, out, err, _ = run(["decode", "--json", "-"], stdin=hexmsg)
    for p in json.loads(out)["payloads"] if rc == 0 else []:
        if p.get("type_name") == "DH":
            return p["value"]
    return None


def test_dh_private():
    vec = {}
    with open(os.path.join(ROOT, "tests/vectors/dh-stated/dhhmac-stated.txt")) as f:
        for line in f:
            if " = " in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split(" = ", 1)
                vec[k] = v
    psk = vec["PSK"].encode().hex()
    now = "0x" + vec["Now"]
    ids = ["--id", "sip:alice@example.com", "--peer-id", "sip:bob@example.com"]
    with tempfile.TemporaryDirectory() as d:
        st, i, r = (os.path.join(d, n) for n in ("a.st", "i.hex", "r.hex"))
        rc, _, err, _ = run(["create", "--mode", "dhhmac", "--psk", psk, "--dh-private", vec["xi"], "--now", now,
                             "--seed", "1", "--verify", "--state", st, "--out", i] + ids)
        check(rc == 0 and "warning" in err and "test vectors only" in err, "create --dh-private: %d %s" % (rc, err))
        gi = dh_value(open(i, "rb").read())
        check(gi is not None and len(gi) == 384 and gi in vec["I_MESSAGE"], "g^xi is the vector's: %s" % gi)
        xfile = os.path.join(d, "xr.hex")
        with open(xfile, "w") as f:
            f.write(vec["xr"] + "\n")
        rc, _, err, _ = run(["respond", "--psk", psk, "--dh-private", "@" + xfile, "--now", now, "--seed", "2",
                             "--id", "sip:bob@example.com", "--out", r, i])
        check(rc == 0 and "warning" in err, "respond --dh-private @FILE: %d %s" % (rc, err))
        gr = dh_value(open(r, "rb").read()) if rc == 0 else None
        check(gr is not None and gr in vec["R_MESSAGE"], "g^xr is the vector's: %s" % gr)
        rc1, a, err1, _ = run(["derive", "--json", "--state", st, "--now", now, r])
        rc2, b, err2, _ = run(["derive", "--json", "--psk", psk, "--dh-private", vec["xr"], "--now", now, "--seed",
                               "2", "--id", "sip:bob@example.com", i])
        check(rc1 == 0 and rc2 == 0 and a == b, "both sides derive the same keys: %s %s" % (err1, err2))
    base = ["create", "--mode", "dhhmac", "--psk", psk, "--now", now]
    expect(base + ["--dh-private", ""], 2, "--dh-private", "--dh-private ''")
    expect(base + ["--dh-private", "zz"], 2, "--dh-private", "--dh-private zz")
    expect(base + ["--dh-private", "@/dev/zero"], 2, "larger than", "--dh-private @/dev/zero")
    expect(base + ["--dh-private", "00" * 1025], 2, "--dh-private", "--dh-private of 1025 bytes")
    rc, _, err, _ = run(base + ["--dh-private", "01"])
    check(rc == 1 and "MIKEY_ERR" in err and clean(err), "--dh-private 1 (not in 2..p-2): %d %s" % (rc, err))


def test_key_only_responder():
    """A public-key responder that only opens the envelope needs --key, not
    --cert: it derives the initiator's keys."""
    c = "tests/certs/"
    ids_a = ["--id", "sip:alice@example.com", "--peer-id", "sip:bob@example.com"]
    ids_b = ["--id", "sip:bob@example.com", "--peer-id", "sip:alice@example.com"]
    with tempfile.TemporaryDirectory() as d:
        st, i = os.path.join(d, "a.st"), os.path.join(d, "i.hex")
        rc, _, err, _ = run(["create", "--mode", "pk", "--cert", c + "alice.pem", "--key", c + "alice.key", "--ca",
                             c + "ca.pem", "--peer-cert", c + "bob.pem", "--now", NOW, "--seed", "1", "--state", st,
                             "--out", i] + ids_a)
        check(rc == 0, "create pk: %d %s" % (rc, err))
        rc1, a, err1, _ = run(["derive", "--json", "--state", st, "--now", NOW])
        rc2, b, err2, _ = run(["derive", "--json", "--key", c + "bob.key", "--ca", c + "ca.pem", "--now", NOW,
                               "--seed", "2", i] + ids_b)
        check(rc1 == 0 and rc2 == 0 and a == b and b"master_key" in b,
              "--key without --cert opens the envelope: %d %d %s %s" % (rc1, rc2, err1[:200], err2[:200]))
    expect(["respond", "--key", "tests/certs/bob.pem", "/dev/null"], 2, "--key", "--key that is no private key")


def main():
    global TOOL, ROOT
    if len(sys.argv) != 3:
        print("usage: test_options_cli.py MIKEY_TOOL SOURCE_ROOT", file=sys.stderr)
        return 2
    TOOL = os.path.abspath(sys.argv[1])
    ROOT = os.path.abspath(sys.argv[2])
    for t in (test_hex_fields, test_empty_psk, test_bounded_files, test_numeric_ranges, test_exit_codes,
              test_ssrc_and_dates, test_nul_in_text, test_state_errors, test_help_ascii, test_repeats,
              test_multi_key, test_dh_private, test_key_only_responder):
        try:
            t()
        except Exception as e:  # a crash in one group is a failure, not the end
            check(False, "%s raised %r" % (t.__name__, e))
    return summary()


if __name__ == "__main__":
    sys.exit(main())
