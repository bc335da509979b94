#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""pgcluster.py - a throwaway PostgreSQL cluster for tests (stdlib only).

    pgcluster.py run -- CMD ARGS...   start a cluster, run CMD with
                                      KS_TEST_PG=<conninfo> and
                                      KS_TEST_PG_CTL=<command prefix>,
                                      stop and delete it, exit with CMD's status
    pgcluster.py ctl STATE stop|start control a running cluster (what
                                      KS_TEST_PG_CTL expands to)

As a library: `with PgCluster() as pg: pg.conninfo; pg.stop(); pg.start()`.

PostgreSQL refuses to run as root. As root, the cluster runs as an
unprivileged user: $PGCLUSTER_USER, else `nobody` (present on every Debian
system, so nothing is created; the temporary directory is chowned to it
and is mode 0700, so no one else reads the data). Not as root, it runs as
the current user. The binaries come from /usr/lib/postgresql/<newest>/bin
($PGCLUSTER_BINDIR overrides), not from PATH: /usr/local/bin/pg_ctl may be
anything.

The server listens on 127.0.0.1 on a free port and on a socket in the
temporary directory, with trust authentication for the superuser "mikey"
and fsync off (the data is thrown away). The cluster is always removed:
on exit from the `with` block, at interpreter exit, and on SIGTERM, SIGINT
and SIGHUP.
"""
import atexit
import glob
import json
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SUPERUSER = "mikey"
DBNAME = "mikey_test"
START_TIMEOUT = 30  # seconds to accept connections


def bindir():
    env = os.environ.get("PGCLUSTER_BINDIR")
    if env:
        return env
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                   key=lambda p: int(p.split("/")[-3]) if p.split("/")[-3].isdigit() else 0)
    if not found:
        raise RuntimeError("pgcluster: no /usr/lib/postgresql/*/bin/postgres (install postgresql)")
    return os.path.dirname(found[-1])


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """A cluster in a fresh temporary directory; see the module comment."""

    def __init__(self, state=None):
        if state is not None:  # an existing cluster, described by its state file
            with open(state) as f:
                self.__dict__.update(json.load(f))
            self.owned = False
            return
        self.owned = True
        self.bin = bindir()
        self.user = None
        if os.geteuid() == 0:
            self.user = os.environ.get("PGCLUSTER_USER", "nobody")
        self.dir = tempfile.mkdtemp(prefix="pgcluster-")
        self.data = os.path.join(self.dir, "data")
        self.sock = self.dir
        self.log = os.path.join(self.dir, "postgres.log")
        self.state = os.path.join(self.dir, "state.json")
        self.port = free_port()
        self.conninfo = "host=127.0.0.1 port=%d user=%s dbname=%s" % (self.port, SUPERUSER, DBNAME)
        self.started = False

    # ---- running as the cluster's user ------------------------------
    def _run(self, args, check=True, **kw):
        kw.setdefault("stdout", subprocess.DEVNULL)
        if self.user is not None:
            kw["user"] = self.user
            kw["group"] = pwd.getpwnam(self.user).pw_gid
            kw["extra_groups"] = []
        return subprocess.run(args, check=check, cwd="/", **kw)

    def _pg_ctl(self, *args, check=True):
        return self._run([os.path.join(self.bin, "pg_ctl"), "-D", self.data, *args], check=check)

    # ---- lifecycle ----------------------------------------------------
    def create(self):
        if self.user is not None:
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        os.chmod(self.dir, 0o700)
        self._run([os.path.join(self.bin, "initdb"), "-D", self.data, "-U", SUPERUSER, "--auth=trust",
                   "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        self.start()
        self._run([os.path.join(self.bin, "createdb"), "-h", self.sock, "-p", str(self.port), "-U", SUPERUSER,
                   DBNAME])
        with open(self.state, "w") as f:
            json.dump({k: getattr(self, k) for k in
                       ("bin", "user", "dir", "data", "sock", "log", "state", "port", "conninfo")}, f)
        return self

    def start(self):
        opts = "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" % (
            self.port, shlex.quote(self.sock))
        self._pg_ctl("start", "-w", "-t", str(START_TIMEOUT), "-l", self.log, "-o", opts)
        self.started = True
        self._wait_ready()

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        isready = os.path.join(self.bin, "pg_isready")
        while True:
            r = self._run([isready, "-q", "-h", "127.0.0.1", "-p", str(self.port)], check=False)
            if r.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError("pgcluster: not accepting connections after %ds (log %s)"
                                   % (START_TIMEOUT, self.log))
            time.sleep(0.05)

    def new_database(self, name):
        """A fresh, empty database NAME in the running cluster (a clean
        store for each configuration of a benchmark); its conninfo."""
        self._run([os.path.join(self.bin, "createdb"), "-h", self.sock, "-p", str(self.port), "-U", SUPERUSER,
                   name])
        return "host=127.0.0.1 port=%d user=%s dbname=%s" % (self.port, SUPERUSER, name)

    def postmaster_pid(self):
        """The server's process id (its backends are its children), or None."""
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                return int(f.readline())
        except (OSError, ValueError):
            return None

    def stop(self, mode="fast"):
        self._pg_ctl("stop", "-w", "-m", mode, check=False)
        self.started = False

    def ctl_command(self):
        """The command prefix KS_TEST_PG_CTL holds: append stop or start."""
        return " ".join(shlex.quote(a) for a in (sys.executable, os.path.abspath(__file__), "ctl", self.state))

    def cleanup(self):
        if not self.owned or self.dir is None:
            return
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            self._pg_ctl("stop", "-w", "-m", "immediate", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def __enter__(self):
        atexit.register(self.cleanup)
        try:
            return self.create()
        except BaseException:
            self.cleanup()
            raise

    def __exit__(self, *exc):
        self.cleanup()
        return False


def on_signal(signum, frame):
    # Unwinds through the `with` block (and atexit), which removes the cluster.
    sys.exit(128 + signum)


def main(argv):
    if len(argv) >= 2 and argv[0] == "run":
        cmd = argv[2:] if argv[1] == "--" else argv[1:]
        if not cmd:
            print("usage: pgcluster.py run -- CMD ARGS...", file=sys.stderr)
            return 2
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, on_signal)
        with PgCluster() as pg:
            env = dict(os.environ, KS_TEST_PG=pg.conninfo, KS_TEST_PG_CTL=pg.ctl_command())
            child = subprocess.Popen(cmd, env=env)
            try:
                return child.wait()
            finally:
                if child.poll() is None:
                    child.kill()
                    child.wait()
    if len(argv) == 3 and argv[0] == "ctl" and argv[2] in ("stop", "start"):
        pg = PgCluster(state=argv[1])
        pg.stop() if argv[2] == "stop" else pg.start()
        return 0
    print("usage: pgcluster.py run -- CMD ARGS... | pgcluster.py ctl STATE stop|start", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
