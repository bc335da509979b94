# SPDX-License-Identifier: LGPL-2.1-or-later
"""siptest.py - what the SIP agent's python tests share (and what
scripts/conference.py --kamailio uses): a pass/fail counter, free loopback
ports, a key server started from its own config, MIKEY offers made by
mikey-tool, Kamailio with samples/kamailio/kamailio.cfg, and a tshark
capture of loopback. Nothing here runs at import.
"""
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KAMAILIO_CFG = os.path.join(ROOT, "samples", "kamailio", "kamailio.cfg")
KS_ID = "sip:ks@example.org"


class Results:
    """`ok - NAME` / `FAIL - NAME DETAIL` lines and the closing
    `N passed, N failed` line the project's counter reads."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            print("ok - %s" % name, flush=True)
        else:
            self.failed += 1
            print("FAIL - %s %s" % (name, detail), flush=True)
        return bool(cond)

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        return 1 if self.failed or not self.passed else 0


def free_port(kind=socket.SOCK_DGRAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_udp_tcp_port():
    """A port free for both UDP and TCP on 127.0.0.1 (a SIP listener)."""
    for _ in range(50):
        port = free_port()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no port free for both UDP and TCP")


def wait_until(pred, timeout, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return bool(pred())


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def tail(path, n=2000):
    return read(path)[-n:]


def mikey_offer(tool, ident, psk, peer=KS_ID, ssrc=None, tesla=True, state=None):
    """A member's join I_MESSAGE (base64, V flag set), made by mikey-tool."""
    cmd = [tool, "create", "--mode", "psk", "--psk", psk, "--id", ident, "--peer-id", peer,
           "--ssrc", str(ssrc or secrets.randbelow(2**31) + 1), "--verify", "--format", "base64"]
    if tesla:
        t0 = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        cmd += ["--tesla-t0", t0, "--tesla-interval", "20", "--tesla-delay", "4", "--tesla-chain", "1000"]
    if state:
        cmd += ["--state", state]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()


def stop_process(p, sig=signal.SIGTERM, timeout=10, group=False):
    """Stop a process we started (its process group when group=True);
    returns its exit status."""
    if p.poll() is None:
        try:
            os.killpg(p.pid, sig) if group else p.send_signal(sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL) if group else p.kill()
            except ProcessLookupError:
                pass
            p.wait()
    return p.returncode


def kill_procs(procs):
    """Kill what is still running of {name: (Popen, log file, summary)}
    and close the logs (a script's clean-up)."""
    for p, log, _ in procs.values():
        if p.poll() is None:
            p.kill()
            p.wait()
        log.close()


def run_scenario(c, label, ok_label=None):
    """The body of a scenario script's main(): c.run(), then c.check()
    unless running failed for another reason than processes' exit
    statuses, and always c.cleanup(), also when SIGTERM comes (meson's
    timeout: the processes still stop, the logs are kept). Prints the
    verdict and returns the exit status. c has run, check, cleanup, fail,
    failures and dir."""
    def on_term(*_):
        c.fail("terminated (SIGTERM)")
        sys.exit(143)

    signal.signal(signal.SIGTERM, on_term)
    t0 = time.monotonic()
    try:
        c.run()
        if not c.failures or all("exited" in f for f in c.failures):
            c.check()
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one: clean-up still finishes
        c.cleanup()
    took = time.monotonic() - t0
    if c.failures:
        print("%s: FAILED (%d problem(s), %.1fs); logs in %s" % (label, len(c.failures), took, c.dir))
        return 1
    print("%s: OK (%.1fs)" % (ok_label or label, took))
    return 0


class KeyServer:
    """mikey-sip-agent as key server of group `conf` (PSK mode, TESLA) on a
    free loopback port; members: {name: psk}, identity sip:NAME@example.org."""

    def __init__(self, build, d, members, name="ks", extra_ks=""):
        self.agent = os.path.join(build, "sip-agent", "agent", "mikey-sip-agent")
        self.port = free_udp_tcp_port()  # sofia-sip binds both
        self.uri = "sip:conf@127.0.0.1:%d" % self.port
        self.log_path = os.path.join(d, name + ".log")
        self.store = os.path.join(d, name + ".db")
        conf = ["[agent]", "role=key-server", "identity=" + KS_ID, "bind=sip:127.0.0.1:%d" % self.port, "",
                "[key-server]", "store=sqlite:" + self.store,
                "master-key-file=" + os.path.join(d, name + ".master.key"), extra_ks, "",
                "[group:conf]", "mode=psk", "tesla=true", "members=" + ";".join(members), ""]
        for who, psk in members.items():
            conf += ["[member:%s]" % who, "identity=sip:%s@example.org" % who, "psk=" + psk, ""]
        self.conf = os.path.join(d, name + ".conf")
        with open(self.conf, "w") as f:
            f.write("\n".join(conf))
        os.chmod(self.conf, 0o600)
        self.summary = os.path.join(d, name + ".json")
        self.logf = open(self.log_path, "a")
        self.p = subprocess.Popen([self.agent, "--config", self.conf, "--summary", self.summary, "--name", name],
                                  stdout=self.logf, stderr=subprocess.STDOUT)
        self.started = wait_until(lambda: "listening on" in self.log() or self.p.poll() is not None, 20) \
            and self.p.poll() is None

    def log(self):
        return read(self.log_path)

    def stop(self):
        rc = stop_process(self.p, timeout=15)
        self.logf.close()
        return rc


class Kamailio:
    """Kamailio with samples/kamailio/kamailio.cfg on a free loopback port
    (UDP and TCP), in the foreground (-DD -E) in its own process group, its
    runtime directory and pid file in d. defines: more -A NAME=VALUE for
    the configuration (kamailio-ha.cfg: its list file, its ctl socket)."""

    def __init__(self, d, cfg=KAMAILIO_CFG, defines=(), shm_mb=32, pkg_mb=4):
        self.mem = (str(shm_mb), str(pkg_mb))  # -m shared, -M per process (MB)
        self.dir = os.path.join(d, "kamailio")
        os.makedirs(self.dir, exist_ok=True)
        self.cfg = cfg
        self.defines = list(defines)
        self.binary = shutil.which("kamailio") or "/usr/sbin/kamailio"
        self.port = None
        self.p = None
        self.log_path = os.path.join(self.dir, "kamailio.log")
        self.error = None

    def start(self, timeout=15):
        """True when it answers an OPTIONS to itself; else self.error says why."""
        if not os.access(self.binary, os.X_OK):
            self.error = "kamailio is not installed (%s; Debian package kamailio)" % self.binary
            return False
        if not os.path.exists(self.cfg):
            self.error = "no configuration %s" % self.cfg
            return False
        self.port = free_udp_tcp_port()
        cmd = [self.binary, "-f", self.cfg, "-DD", "-E", "-Y", self.dir, "-P", os.path.join(self.dir, "kamailio.pid"),
               "-m", self.mem[0], "-M", self.mem[1],
               "-A", "LISTEN_UDP=udp:127.0.0.1:%d" % self.port, "-A", "LISTEN_TCP=tcp:127.0.0.1:%d" % self.port]
        for define in self.defines:
            cmd += ["-A", define]
        self.logf = open(self.log_path, "w")
        self.p = subprocess.Popen(cmd, stdout=self.logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  cwd=self.dir, start_new_session=True)
        if wait_until(lambda: self.p.poll() is not None or self.ping(), timeout, 0.2) and self.p.poll() is None:
            return True
        self.error = "kamailio did not start (exit %s): %s" % (self.p.poll(), tail(self.log_path, 1500))
        self.stop()
        return False

    def ping(self):
        """An OPTIONS to the proxy itself answered 200 (its config does so)."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            s.settimeout(0.3)
            me = s.getsockname()[1]
            msg = ("OPTIONS sip:127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s\r\n"
                   "Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=%s\r\nTo: <sip:127.0.0.1:%d>\r\n"
                   "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n" %
                   (self.port, me, uuid.uuid4().hex, uuid.uuid4().hex[:8], self.port, uuid.uuid4().hex))
            try:
                s.sendto(msg.encode(), ("127.0.0.1", self.port))
                return s.recv(4096).startswith(b"SIP/2.0 200")
            except OSError:
                return False

    def stop(self):
        if self.p is None:
            return None
        rc = stop_process(self.p, group=True)
        self.logf.close()
        return rc

    def log(self):
        return read(self.log_path)

    def relayed(self):
        """What the configuration's xlog lines say was relayed."""
        log = self.log()
        return {
            "initial INVITE": len(re.findall(r"relay initial INVITE ", log)),
            "re-INVITE": len(re.findall(r"relay re-INVITE ", log)),
            "BYE": len(re.findall(r"relay in-dialog BYE ", log)),
            "488": len(re.findall(r"reply 488 ", log)),
            "200 to INVITE": len(re.findall(r"reply 200 \S.* for INVITE ", log)),
        }


class Capture:
    """tshark writing what passes loopback on the given UDP ports to a pcap."""

    def __init__(self, d, ports, name="sip"):
        self.file = os.path.join(d, name + ".pcapng")
        self.err_path = os.path.join(d, name + ".tshark.log")
        self.filter = " or ".join("udp port %d" % p for p in ports)
        self.binary = shutil.which("tshark") or "/usr/bin/tshark"
        self.p = None
        self.error = None

    def start(self, timeout=20):
        if not os.access(self.binary, os.X_OK):
            self.error = "tshark is not installed (Debian package tshark)"
            return False
        self.errf = open(self.err_path, "w")
        self.p = subprocess.Popen([self.binary, "-i", "lo", "-f", self.filter, "-w", self.file],
                                  stdout=subprocess.DEVNULL, stderr=self.errf, stdin=subprocess.DEVNULL)
        if wait_until(lambda: "Capturing on" in read(self.err_path) or self.p.poll() is not None, timeout) \
                and self.p.poll() is None:
            return True
        self.error = "tshark did not start capturing: %s" % tail(self.err_path, 800)
        self.stop()
        return False

    def stop(self):
        if self.p is None:
            return None
        time.sleep(0.5)  # let the last datagrams reach the capture
        rc = stop_process(self.p, sig=signal.SIGINT)
        self.errf.close()
        return rc
