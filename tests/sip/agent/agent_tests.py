#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""agent_tests.py BUILD [CASE ...] - mikey-sip-agent's key server against bad input
and bad peers, over real SIP on loopback, plus restart from its store and
the members' failover to a key server that takes the group over.

A key server is started per case; requests come from a small SIP client
here (raw UDP, so that it can send what no well-behaved stack would) with
MIKEY messages made by mikey-tool. Each case checks the response code, the
Warning, the key server's log line, that its state did not change (its
store, read with sqlite3), and that it still answers afterwards. The last
line is `N passed, N failed`.
"""
import hashlib
import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import siptest  # noqa: E402  (free_port, mikey_offer: shared with tests/sip/interop)

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
AGENT = os.path.join(BUILD, "sip-agent", "agent", "mikey-sip-agent")
TOOL = os.path.join(BUILD, "tools", "mikey-tool")
KS_ID = "sip:ks@example.org"
PSK = {"alice": secrets.token_hex(16), "bob": secrets.token_hex(16), "carol": secrets.token_hex(16)}
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok - %s" % name)
    else:
        failed += 1
        print("FAIL - %s %s" % (name, detail))


free_port = siptest.free_port
wait_for = siptest.wait_until


def mikey_offer(who, psk=None, ssrc=None, tesla=True, peer=KS_ID, state=None):
    """A member's join I_MESSAGE (base64), made by mikey-tool."""
    return siptest.mikey_offer(TOOL, "sip:%s@example.org" % who, psk or PSK[who], peer=peer, ssrc=ssrc, tesla=tesla,
                               state=state)


def sdp(port, mikey=None, ssrc=1234, extra=""):
    s = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    if mikey is not None:
        s += "a=key-mgmt:mikey %s\r\n" % mikey
    s += extra
    s += "m=audio %d RTP/SAVP 96\r\na=rtpmap:96 L16/8000\r\na=ssrc:%d cname:t\r\n" % (port, ssrc)
    return s


class Response:
    def __init__(self, raw):
        head, _, self.body = raw.partition("\r\n\r\n")
        lines = head.split("\r\n")
        self.first = lines[0]
        m = re.match(r"SIP/2.0 (\d{3}) ?(.*)", lines[0])
        self.status = int(m.group(1)) if m else 0
        self.headers = {}
        for l in lines[1:]:
            k, _, v = l.partition(":")
            self.headers.setdefault(k.strip().lower(), []).append(v.strip())

    def h(self, name):
        return self.headers.get(name.lower(), [""])[0]


class Client:
    """A SIP UA over UDP, just enough for INVITE / ACK / answers."""

    def __init__(self, ks_port):
        self.ks = ("127.0.0.1", ks_port)
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind(("127.0.0.1", 0))
        self.port = self.s.getsockname()[1]

    def close(self):
        self.s.close()

    def send(self, text):
        # surrogateescape: a test can send bytes that are not UTF-8.
        self.s.sendto(text.encode("utf-8", "surrogateescape"), self.ks)

    def request(self, method, ruri, who, body=None, call_id=None, cseq=1, to_tag="", ctype="application/sdp"):
        self.branch = "z9hG4bK" + uuid.uuid4().hex
        self.call_id = call_id or uuid.uuid4().hex
        self.from_tag = getattr(self, "from_tag", uuid.uuid4().hex[:8])
        body = body or ""
        msg = ("%s %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport\r\nMax-Forwards: 70\r\n"
               "From: <sip:%s@example.org>;tag=%s\r\nTo: <%s>%s\r\nCall-ID: %s\r\nCSeq: %d %s\r\n"
               "Contact: <sip:%s@127.0.0.1:%d>\r\n" %
               (method, ruri, self.port, self.branch, who, self.from_tag, ruri,
                ";tag=" + to_tag if to_tag else "", self.call_id, cseq, method, who, self.port))
        if body:
            msg += "Content-Type: %s\r\n" % ctype
        msg += "Content-Length: %d\r\n\r\n%s" % (len(body.encode("utf-8", "surrogateescape")), body)
        self.send(msg)
        return self.final(cseq, method)

    def final(self, cseq, method, timeout=5.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.s.settimeout(max(0.05, end - time.monotonic()))
            try:
                data = self.s.recv(65535).decode(errors="replace")
            except socket.timeout:
                break
            r = Response(data)
            if r.status >= 200 and r.h("cseq").endswith(method):
                return r
        return None

    def ack(self, ruri, who, resp, cseq=1):
        to_tag = re.search(r"tag=([^;>\s]+)", resp.h("to"))
        msg = ("ACK %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s;rport\r\nMax-Forwards: 70\r\n"
               "From: <sip:%s@example.org>;tag=%s\r\nTo: <%s>;tag=%s\r\nCall-ID: %s\r\nCSeq: %d ACK\r\n"
               "Content-Length: 0\r\n\r\n" % (ruri, self.port, uuid.uuid4().hex, who, self.from_tag, ruri,
                                              to_tag.group(1) if to_tag else "", self.call_id, cseq))
        self.send(msg)

    def next_request(self, timeout=5.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.s.settimeout(max(0.05, end - time.monotonic()))
            try:
                data = self.s.recv(65535).decode(errors="replace")
            except socket.timeout:
                return None
            if not data.startswith("SIP/2.0"):
                return data
        return None

    def answer(self, request, status, phrase, body=""):
        head = request.partition("\r\n\r\n")[0].split("\r\n")
        keep = [l for l in head[1:] if l.split(":")[0].strip().lower() in ("via", "from", "to", "call-id", "cseq")]
        msg = "SIP/2.0 %d %s\r\n%s\r\nContent-Length: %d\r\n\r\n%s" % (status, phrase, "\r\n".join(keep),
                                                                    len(body), body)
        self.send(msg)


class KeyServer:
    def __init__(self, d, name="ks", extra_ks="", store=None, extra_group="", port=None):
        self.dir = d
        self.port = port or free_port()
        self.uri = "sip:conf@127.0.0.1:%d" % self.port
        self.log_path = os.path.join(d, name + ".log")
        self.store = store or os.path.join(d, "ks.db")
        conf = ["[agent]", "role=key-server", "identity=" + KS_ID, "bind=sip:127.0.0.1:%d" % self.port, "",
                "[key-server]", "store=sqlite:" + self.store, "master-key-file=" + os.path.join(d, "master.key"),
                extra_ks, "", "[group:conf]", "mode=psk", "tesla=true", "members=alice;bob;carol", extra_group, ""]
        for who in ("alice", "bob", "carol"):
            conf += ["[member:%s]" % who, "identity=sip:%s@example.org" % who, "psk=" + PSK[who], ""]
        self.conf = os.path.join(d, name + ".conf")
        with open(self.conf, "w") as f:
            f.write("\n".join(conf))
        self.summary = os.path.join(d, name + ".json")
        self.logf = open(self.log_path, "a")
        self.p = subprocess.Popen([AGENT, "--config", self.conf, "--summary", self.summary, "--name", name],
                                  stdout=self.logf, stderr=subprocess.STDOUT)
        end = time.monotonic() + 10
        while time.monotonic() < end and "listening on" not in self.log():
            time.sleep(0.05)

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def alive(self):
        """It still answers: an unknown group gets 404."""
        c = Client(self.port)
        r = c.request("INVITE", "sip:nosuch@127.0.0.1:%d" % self.port, "alice", sdp(4000, "AA"))
        c.close()
        return self.p.poll() is None and r is not None and r.status == 404

    def rows(self, sql):
        con = sqlite3.connect(self.store)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.logf.close()
        return self.p.returncode

    def kill9(self):
        self.p.send_signal(signal.SIGKILL)
        self.p.wait()
        self.logf.close()


def expect_refusal(ks, name, status, warn_re, body, who="alice", ruri=None, ctype="application/sdp"):
    c = Client(ks.port)
    r = c.request("INVITE", ruri or ks.uri, who, body, ctype=ctype)
    c.close()
    check("%s: answered %d" % (name, status), r is not None and r.status == status,
          "(got %s)" % (r.first if r else "nothing"))
    if r is not None and warn_re:
        check("%s: Warning names it" % name, re.search(warn_re, r.h("warning")) is not None,
              "(Warning: %r)" % r.h("warning"))


def generations(ks):
    try:
        return ks.rows("SELECT epoch FROM generations ORDER BY epoch")
    except sqlite3.Error:
        return None


def bad_input(d):
    ks = KeyServer(d, "bad")
    expect_refusal(ks, "unknown group", 404, None, sdp(4000, mikey_offer("alice")),
                   ruri="sip:other@127.0.0.1:%d" % ks.port)
    expect_refusal(ks, "no SDP", 488, r"^399 ", "")
    expect_refusal(ks, "SDP without key-mgmt", 488, r"^306 ", sdp(4000))
    expect_refusal(ks, "key-mgmt of another protocol", 488, r"^306 ", sdp(4000, extra="a=key-mgmt:kmp AAAA\r\n"))
    expect_refusal(ks, "key-mgmt not base64", 488, r"^399 .*base64", sdp(4000, "@@@not-base64@@@"))
    expect_refusal(ks, "not SDP at all", 488, r"^399 .*SDP", "this is not SDP\r\n")
    # sofia-sip 1.12's sdp_parse loops allocating on these (fuzz_sip_intake):
    # the agent refuses them before sofia-sip sees them.
    expect_refusal(ks, "m= port run into text", 488, r"m= line",
                   "v=0\r\nm=audio 40000SKQUn3QAaseeVTZ9Vye1cAQ==\r\n")
    expect_refusal(ks, "SDP with a bare CR", 488, r"bare CR",
                   "v=0\r\na=x\rm=audio 40000 RTvkWQ ==\r\n")
    expect_refusal(ks, "SDP not UTF-8", 488, r"not UTF-8", sdp(4000, mikey="AAAA", extra="i=\udcff\udcfe\r\n"))
    expect_refusal(ks, "truncated MIKEY", 488, r"MIKEY_ERR_", sdp(4000, "AQAFAA=="))
    expect_refusal(ks, "wrong PSK", 488, r"MIKEY_ERR_AUTH", sdp(4000, mikey_offer("alice", psk="00" * 16)))
    expect_refusal(ks, "unknown member", 488, r"MIKEY_ERR_IDENTITY",
                   sdp(4000, mikey_offer("mallory", psk=PSK["alice"])))
    expect_refusal(ks, "bob's MIKEY with alice's PSK", 488, r"MIKEY_ERR_AUTH",
                   sdp(4000, mikey_offer("bob", psk=PSK["alice"])))
    expect_refusal(ks, "no TESLA in a TESLA group", 488, r"TESLA", sdp(4000, mikey_offer("alice", tesla=False)))
    expect_refusal(ks, "two different MIKEY messages", 488, r"another message",
                   sdp(4000, mikey_offer("alice"), extra="a=key-mgmt:mikey %s\r\n" % mikey_offer("alice")))
    # Replay: a join that went through, then the same MIKEY message again.
    msg = mikey_offer("alice")
    c = Client(ks.port)
    r = c.request("INVITE", ks.uri, "alice", sdp(4000, msg))
    check("genuine join answered 200 with a=key-mgmt:mikey",
          r is not None and r.status == 200 and "a=key-mgmt:mikey " in r.body, r.first if r else "nothing")
    c.close()  # no ACK: the member is never admitted (see never_acks)
    expect_refusal(ks, "replayed MIKEY message", 488, r"MIKEY_ERR_REPLAY", sdp(4000, msg))
    # Garbage datagrams of every kind, then the key server must still work.
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for junk in [b"", b"\x00" * 100, b"INVITE", b"INVITE sip:conf@x SIP/2.0\r\n\r\n",
                 b"INVITE sip:conf@x SIP/2.0\r\nContent-Length: 99999\r\n\r\nv=0",
                 os.urandom(1400), b"SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n\r\n"]:
        s.sendto(junk, ("127.0.0.1", ks.port))
    s.close()
    time.sleep(0.3)
    check("malformed SIP: key server still answers", ks.alive())
    gens = generations(ks)
    check("bad input changed no state (no generation, no member)",
          gens == [] and ks.rows("SELECT COUNT(*) FROM members")[0][0] == 0,
          "(generations %r)" % (gens,))
    log = ks.log()
    check("refusals are logged with the libmikey error", "MIKEY_ERR_AUTH" in log and "MIKEY_ERR_REPLAY" in log)
    rc = ks.stop()
    check("key server exits cleanly after bad input", rc == 0, "(exit %s)" % rc)


def never_acks(d):
    ks = KeyServer(d, "noack", extra_ks="sip-timeout-ms=2000")
    c = Client(ks.port)
    r = c.request("INVITE", ks.uri, "bob", sdp(4000, mikey_offer("bob")))
    check("never-ACK: join answered 200", r is not None and r.status == 200)
    # Swallow the 200 OK retransmissions; nua gives up after 64*T1.
    end = time.monotonic() + 4
    while time.monotonic() < end:
        c.next_request(timeout=0.5)
    c.close()
    check("never-ACK: the member was never admitted", "bob@example.org never joined" in ks.log(), ks.log()[-400:])
    check("never-ACK: no generation issued, no member stored",
          generations(ks) == [] and ks.rows("SELECT COUNT(*) FROM members")[0][0] == 0)
    check("never-ACK: key server still answers", ks.alive())
    ks.stop()


def flood(d):
    ks = KeyServer(d, "flood")
    bad = sdp(4000, mikey_offer("alice", psk="00" * 16))
    rss0 = None
    with open("/proc/%d/status" % ks.p.pid) as f:
        rss0 = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    n = 500
    for i in range(n):
        msg = ("INVITE %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s\r\nMax-Forwards: 70\r\n"
               "From: <sip:alice@example.org>;tag=%d\r\nTo: <%s>\r\nCall-ID: flood%d\r\nCSeq: 1 INVITE\r\n"
               "Contact: <sip:alice@127.0.0.1:%d>\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s" %
               (ks.uri, port, uuid.uuid4().hex, i, ks.uri, i, port, len(bad), bad))
        s.sendto(msg.encode(), ("127.0.0.1", ks.port))
        time.sleep(0.002)  # 500/s: a flood, paced below the socket buffer
    got = 0
    s.settimeout(5)
    try:
        while True:
            if s.recv(65535).startswith(b"SIP/2.0 488"):
                got += 1
    except socket.timeout:
        pass
    s.close()
    with open("/proc/%d/status" % ks.p.pid) as f:
        rss1 = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
    check("flood of %d bad INVITEs: most answered 488 (%d)" % (n, got), got >= n * 0.9)
    check("flood: key server memory bounded (%d -> %d KiB)" % (rss0, rss1), rss1 - rss0 < 64 * 1024)
    check("flood: still answers, no state", ks.alive() and generations(ks) == [])
    ks.stop()


def restart(d):
    """SIGKILL, restart, and the group goes on at the next epoch."""
    ks = KeyServer(d, "r1")
    joined = []
    for who in ("alice", "bob"):
        c = Client(ks.port)
        r = c.request("INVITE", ks.uri, who, sdp(4000 + len(joined), mikey_offer(who)))
        if r is not None and r.status == 200:
            c.ack(ks.uri, who, r)
            req = c.next_request()  # the push
            if req is not None and req.startswith("INVITE") and "a=key-mgmt:mikey" in req:
                joined.append(who)
                # Refuse: the key server then removes us (a member that
                # fails to take a key is never left on it) - but only after
                # both joined, so that the group has a generation stored.
                c.answer(req, 488, "Not Acceptable Here") if who == "bob" else None
        c.close()
    check("restart: two joins got the generation pushed", joined == ["alice", "bob"], "(%r)" % joined)
    time.sleep(0.3)
    before = generations(ks)
    ks.kill9()
    check("restart: generations recorded before the kill", bool(before), "(%r)" % (before,))
    ks2 = KeyServer(d, "r2", store=ks.store)
    ks2.port_old = ks.port
    check("restart: the group is restored at its epoch",
          re.search(r"restored CSB ID \d+, epoch %d" % (before[-1][0] if before else -1), ks2.log()) is not None,
          ks2.log()[-300:])
    c = Client(ks2.port)
    r = c.request("INVITE", ks2.uri, "carol", sdp(4100, mikey_offer("carol")))
    ok = r is not None and r.status == 200
    if ok:
        c.ack(ks2.uri, "carol", r)
        req = c.next_request()
        ok = req is not None and "a=key-mgmt:mikey" in req
    c.close()
    time.sleep(0.3)
    after = generations(ks2)
    check("restart: a join after the restart is served", ok)
    check("restart: the next generation continues the epochs, none reused",
          before and after and after[-1][0] == before[-1][0] + 1 and len(set(after)) == len(after),
          "(before %r, after %r)" % (before, after))
    try:
        mkis = ks2.rows("SELECT mki FROM generations")
        check("restart: every stored MKI distinct", len(set(mkis)) == len(mkis))
    except sqlite3.Error as e:
        check("restart: every stored MKI distinct", False, str(e))
    ks2.stop()


def pk_join(d, mode="pk", member_cert="alice"):
    """Public-key modes end to end: a member process joins with its signed
    I_MESSAGE - a PK envelope (RFC 3830 §3.2), or an RSA-R request whose
    answer downloads the group key (RFC 4738 §3.2) - and takes the group
    key the key server pushes in a PK envelope. Certificates from
    tests/certs."""
    certs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "certs")
    cert = lambda n: os.path.join(certs, n)
    port = free_port()
    ks_conf = os.path.join(d, "ks.conf")
    with open(ks_conf, "w") as f:
        f.write("\n".join([
            "[agent]", "role=key-server", "identity=sip:bob@example.com", "bind=sip:127.0.0.1:%d" % port,
            "cert=" + cert("bob.pem"), "key=" + cert("bob.key"), "ca=" + cert("ca.pem"), "",
            "[key-server]", "store=sqlite:" + os.path.join(d, "ks.db"),
            "master-key-file=" + os.path.join(d, "master.key"), "",
            "[group:conf]", "mode=" + mode, "tesla=true", "members=alice", "",
            "[member:alice]", "identity=sip:alice@example.com", "cert=" + cert("alice.pem"), ""]))
    m_conf = os.path.join(d, "alice.conf")
    with open(m_conf, "w") as f:
        f.write("\n".join([
            "[agent]", "role=member", "identity=sip:alice@example.com", "bind=sip:127.0.0.1:%d" % free_port(),
            "cert=" + cert(member_cert + ".pem"), "key=" + cert(member_cert + ".key"), "ca=" + cert("ca.pem"),
            "plugin-path=" + os.path.join(BUILD, "gst-plugin"), "",
            "[member]", "group-uri=sip:conf@127.0.0.1:%d" % port, "key-server=sip:bob@example.com",
            "key-server-cert=" + cert("bob.pem"), "mode=" + mode, "tesla=true", "duration=3", ""]))
    # The test PKI's certificates are valid 2020..2040 (tests/certs/make_certs.sh).
    logs = [open(os.path.join(d, n + ".log"), "w") for n in ("ks", "alice")]
    ks = subprocess.Popen([AGENT, "--config", ks_conf, "--summary", os.path.join(d, "ks.json")],
                          stdout=logs[0], stderr=subprocess.STDOUT)
    time.sleep(0.5)
    m = subprocess.Popen([AGENT, "--config", m_conf, "--summary", os.path.join(d, "alice.json")],
                         stdout=logs[1], stderr=subprocess.STDOUT)
    try:
        rc = m.wait(timeout=30)
    except subprocess.TimeoutExpired:
        m.kill()
        rc = "timeout"
    ks.send_signal(signal.SIGTERM)
    ks.wait(timeout=10)
    for f in logs:
        f.close()
    import json
    try:
        s = json.load(open(os.path.join(d, "alice.json")))
    except (OSError, ValueError):
        s = {}
    if member_cert != "alice":
        with open(os.path.join(d, "ks.log")) as f:
            log = f.read()
        check("%s with a certificate from an untrusted CA: join refused" % mode, rc == 1 and not s.get("mkis"),
              "(exit %s, %r)" % (rc, s.get("mkis")))
        check("%s with a certificate from an untrusted CA: logged as MIKEY_ERR_CERT" % mode,
              "MIKEY_ERR_CERT" in log, log[-500:])
        return
    check("%s mode: member joined and exited cleanly" % mode, rc == 0, "(exit %s)" % rc)
    check("%s mode: the group key was installed (MKI 00000001)" % mode, s.get("mkis", [])[:1] == ["00000001"],
          "(%r)" % s.get("mkis"))
    check("%s mode: media sent under the group key" % mode, s.get("media", {}).get("sent", 0) > 0)
    if mode == "rsa-r":
        with open(os.path.join(d, "ks.log")) as f:
            check("rsa-r mode: the join's answer downloaded the group key (RFC 4738 §3.2)",
                  "RSA-R download" in f.read())


def start_member(d, who, ks_port, duration, extra=""):
    path = os.path.join(d, who + ".conf")
    with open(path, "w") as f:
        f.write("\n".join([
            "[agent]", "role=member", "identity=sip:%s@example.org" % who, "bind=sip:127.0.0.1:%d" % free_port(),
            "psk=" + PSK[who], "plugin-path=" + os.path.join(BUILD, "gst-plugin"), "",
            "[member]", "group-uri=sip:conf@127.0.0.1:%d" % ks_port, "key-server=" + KS_ID, "mode=psk",
            "tesla=true", "duration=%g" % duration, extra, ""]))
    log = open(os.path.join(d, who + ".log"), "w")
    p = subprocess.Popen([AGENT, "--config", path, "--summary", os.path.join(d, who + ".json"), "--name", who],
                         stdout=log, stderr=subprocess.STDOUT)
    return p, log


def wait_all(procs, timeout):
    """The exit statuses of [(process, log)], "killed" for one still
    running |timeout| seconds after it was waited for."""
    rcs = []
    for p, _ in procs:
        try:
            rcs.append(p.wait(timeout=timeout))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            rcs.append("killed")
    return rcs


def silent_member(d):
    """A member that stops answering (SIGSTOP) is found by the key server's
    in-dialog OPTIONS, removed, and the others are rekeyed."""
    ks = KeyServer(d, "ka", extra_ks="keepalive=1\nsip-timeout-ms=2000")
    alice, alog = start_member(d, "alice", ks.port, 12)
    time.sleep(0.5)
    bob, blog = start_member(d, "bob", ks.port, 30)
    end = time.monotonic() + 10
    while time.monotonic() < end and ks.log().count(" joins,") < 2:
        time.sleep(0.1)
    time.sleep(1)
    bob.send_signal(signal.SIGSTOP)
    end = time.monotonic() + 10
    while time.monotonic() < end and "stopped answering OPTIONS" not in ks.log():
        time.sleep(0.2)
    log = ks.log()
    check("silent member: removed after its OPTIONS went unanswered",
          "bob@example.org leaves (stopped answering OPTIONS)" in log, log[-600:])
    check("silent member: the group was rekeyed without it",
          re.search(r"epoch \d+, MKI \w+, 1 member\(s\) \(a member left\)", log) is not None)
    bob.send_signal(signal.SIGKILL)
    bob.wait()
    rc = alice.wait(timeout=30)
    ks.stop()
    for f in (alog, blog):
        f.close()
    import json
    try:
        mkis = json.load(open(os.path.join(d, "alice.json")))["mkis"]
    except (OSError, ValueError, KeyError):
        mkis = []
    check("silent member: the remaining member took the new key", rc == 0 and len(mkis) >= 2, "(%r)" % mkis)


def usage_rekey(d):
    """rekey-packets: the key server counts the packets it relays under a
    key and rekeys before the limit (RFC 3711 §9.2)."""
    ks = KeyServer(d, "usage", extra_group="rekey-packets=200")
    alice, alog = start_member(d, "alice", ks.port, 7)
    time.sleep(0.3)
    bob, blog = start_member(d, "bob", ks.port, 7)
    rcs = [p.wait(timeout=40) for p in (alice, bob)]
    ks.stop()
    for f in (alog, blog):
        f.close()
    log = ks.log()
    n = log.count("key usage limit (RFC 3711")
    import json
    try:
        mkis = json.load(open(os.path.join(d, "alice.json")))["mkis"]
    except (OSError, ValueError, KeyError):
        mkis = []
    check("key usage: the key server rekeyed at the packet limit (%d times)" % n, n >= 2, log[-400:])
    check("key usage: the members took every new key (%d MKIs)" % len(mkis), rcs == [0, 0] and len(mkis) >= 3,
          "(exit %r, %r)" % (rcs, mkis))


def push_window(d):
    """push-window=1: the key server never has more than one push out; the
    others wait in its FIFO and still go out, so every member takes every
    generation, the one after a leave included (the counts come from the
    key server's summary: pushes_out_max, pushes_waited)."""
    ks = KeyServer(d, "pw", extra_ks="push-window=1")
    procs = []
    # Leaves 6 s apart: a push that crosses a member's BYE is sent into a
    # dialog nua has ended, a request sofia-sip 1.12 leaks (ASan builds).
    for who, duration in (("alice", 6), ("bob", 12), ("carol", 18)):
        procs.append(start_member(d, who, ks.port, duration))
    rcs = wait_all(procs, 60)
    for _, lf in procs:
        lf.close()
    rc = ks.stop()
    s = load_summary(ks.summary)
    log = ks.log()
    check("push window: the key server exited cleanly, every member too", rc == 0 and rcs == [0, 0, 0],
          "(key server %r, members %r)\n%s\n%s" % (rc, rcs, "\n".join(l for l in log.splitlines() if " pw: " in l),
                                                       log[log.find("leak of"):][:2500] if rc != 0 else ""))
    check("push window: at most one push out at once (%r)" % s.get("pushes_out_max"),
          s.get("push_window") == 1 and s.get("pushes_out_max") == 1, "(%r)" % {k: s.get(k) for k in (
              "push_window", "pushes_out_max", "pushes_waited")})
    check("push window: pushes waited their turn (%r)" % s.get("pushes_waited"), s.get("pushes_waited", 0) >= 1)
    g = (s.get("groups") or [{}])[0]
    check("push window: no push failed or timed out", g.get("push_failures") == 0 and "refused generation" not in log,
          log[-600:])
    left = re.search(r"epoch \d+, MKI (\w+), 2 member\(s\) \(a member left\)", log)
    for who in ("bob", "carol"):
        mkis = [m.lower() for m in load_summary(os.path.join(d, who + ".json")).get("mkis", [])]
        check("push window: %s took the generation after alice left" % who,
              left is not None and left.group(1).lower() in mkis, "(%r)" % mkis)


def read_text(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def load_summary(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def stored_fingerprints(store, master_key_file):
    """epoch -> the key log fingerprint of each generation in the store:
    SHA-256(TGK || RAND), first 16 hex digits, from the stored secret
    key_len(1) | key | rand_len(1) | rand (ks_generation.c), unwrapped
    with the master key (RFC 5649) past the seal header (store.c: format,
    epoch(4), mki_len(1), mki, SHA-256 of the group name)."""
    from cryptography.hazmat.primitives.keywrap import aes_key_unwrap_with_padding
    with open(master_key_file, "rb") as f:
        raw = f.read()
    kek = bytes.fromhex(raw.decode().strip()) if len(raw) != 32 else raw
    con = sqlite3.connect(store)
    try:
        rows = con.execute("SELECT epoch, mki, secret FROM generations").fetchall()
    finally:
        con.close()
    out = {}
    for epoch, mki, blob in rows:
        plain = aes_key_unwrap_with_padding(kek, bytes(blob))
        secret = plain[1 + 4 + 1 + len(mki) + 32:]
        key_len = secret[0]
        key = secret[1:1 + key_len]
        rand_len = secret[1 + key_len]
        rand = secret[2 + key_len:2 + key_len + rand_len]
        if len(key) != key_len or len(rand) != rand_len or len(secret) != 2 + key_len + rand_len:
            raise ValueError("generation %d: stored secret of %d bytes does not parse" % (epoch, len(secret)))
        out[epoch] = hashlib.sha256(key + rand).hexdigest()[:16]
    return out


def failover(d):
    """A key server dies (SIGKILL) under two members; another starts on the
    same SIP port and the same store (a restart in place: a different
    relay port, the group restored). Both members find the loss by their
    OPTIONS, keep their media on the keys held, rejoin on a new dialog,
    take the next epoch from the new key server and hear each other again
    through its relay. Their key logs name both generations, with the
    fingerprints the store's secrets give."""
    relay_a, relay_b = free_port(), free_port()
    ks_opts = "keepalive=1\nsip-timeout-ms=1500\nrelay-port=%d"
    ks = KeyServer(d, "fa", extra_ks=ks_opts % relay_a)
    member_opts = "ks-keepalive=400\nsip-timeout-ms=1500\nrejoin-timeout=20000\nswitch-delay-ms=300"
    procs = [start_member(d, who, ks.port, 16, member_opts) for who in ("alice", "bob")]
    logs = [os.path.join(d, who + ".log") for who in ("alice", "bob")]
    ks2 = None
    try:
        keyed = wait_for(lambda: all("group key: CSB ID" in read_text(l) for l in logs), 15)
        check("failover: both members joined key server A and took its key", keyed,
              "".join(read_text(l)[-300:] for l in logs))
        time.sleep(1.5)  # media through A's relay
        before = generations(ks)
        ks.kill9()
        time.sleep(1.0)  # nobody at the port: the members' OPTIONS fail
        ks2 = KeyServer(d, "fb", extra_ks=ks_opts % relay_b, store=ks.store, port=ks.port)
        check("failover: key server B restarted in place from A's store", "listening on" in ks2.log(),
              ks2.log()[-400:])
        rejoined = wait_for(lambda: all("rekeyed " in read_text(l) for l in logs), 25)
        check("failover: both members rejoined B and took a new generation", rejoined,
              "".join(read_text(l)[-600:] for l in logs))
        rcs = wait_all(procs, 40)
        check("failover: both members exited cleanly", rcs == [0, 0], "(exit %r)" % rcs)
    finally:
        for p, lf in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
            lf.close()
        if ks2 is not None:
            ks2.stop()
        elif ks.p.poll() is None:
            ks.kill9()
    try:
        stored = stored_fingerprints(ks.store, os.path.join(d, "master.key"))
    except Exception as e:  # noqa: BLE001 - reported as a failed check below
        stored = {}
        check("failover: the store's generations read back", False, repr(e))
    before_epochs = [e for (e,) in (before or [])]
    for who in ("alice", "bob"):
        s = load_summary(os.path.join(d, who + ".json"))
        klog = s.get("key_log", [])
        epochs = [k.get("epoch") for k in klog]
        fo = (s.get("failovers") or [{}])[0]
        check("failover: %s rejoined once" % who, s.get("rejoins") == 1 and len(s.get("ks_lost_at", [])) == 1 and
              not s.get("rejoin_failed"), "(rejoins %r, lost at %r)" % (s.get("rejoins"), s.get("ks_lost_at")))
        check("failover: %s's key log holds A's epoch and B's higher one" % who,
              len(epochs) >= 2 and before_epochs and epochs[0] == before_epochs[-1] and
              all(isinstance(e, int) for e in epochs) and epochs[-1] > epochs[0] and
              epochs == sorted(set(epochs)), "(key log %r, A's generations %r)" % (klog, before_epochs))
        check("failover: %s's key log MKIs are its epochs, 4 bytes big-endian" % who,
              all(k.get("mki") == "%08x" % k.get("epoch", -1) for k in klog), "(%r)" % klog)
        check("failover: %s's fingerprints are the store's, SHA-256(TGK || RAND)" % who,
              klog and all(stored.get(k.get("epoch")) == k.get("fp") for k in klog),
              "(key log %r, store %r)" % (klog, stored))
        check("failover: %s knew of the loss by %s" % (who, fo.get("why")),
              fo.get("why", "").startswith(("OPTIONS answered", "the dialog ended")) and
              fo.get("rejoined_after_ms", -1) >= 0 and fo.get("rekeyed_after_ms", -1) >= fo.get("rejoined_after_ms", 0),
              "(%r)" % fo)
        med = s.get("media", {})
        check("failover: %s received media after the rekey (%r > %r)" %
              (who, med.get("received"), fo.get("received_at_rekey")),
              med.get("received", 0) > fo.get("received_at_rekey", 1 << 62) + 25 and med.get("forged_rejected") == 0,
              "(media %r, failover %r)" % (med, fo))
        log = read_text(os.path.join(d, who + ".log"))
        check("failover: %s sent to A's relay, then to B's (another port)" % who,
              "joined; media to the relay at 127.0.0.1:%d" % relay_a in log and
              re.search(r"rejoined \d+ ms after the key server was lost; media to the relay at 127.0.0.1:%d" % relay_b,
                        log) is not None, log[-500:])


def keepalive_off(d):
    """ks-keepalive=0: no OPTIONS, so a key server that dies silently is not
    noticed (the member ends its call as usual, no rejoin); a period under
    100 ms is refused at start-up, naming the key."""
    ks = KeyServer(d, "ko", extra_ks="sip-timeout-ms=1500")
    p, lf = start_member(d, "carol", ks.port, 5, "ks-keepalive=0\nsip-timeout-ms=1500")
    try:
        ok = wait_for(lambda: "group key: CSB ID" in read_text(os.path.join(d, "carol.log")), 15)
        check("ks-keepalive=0: the member joined", ok, read_text(os.path.join(d, "carol.log"))[-300:])
        ks.kill9()
        try:
            rc = p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = "killed"
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        lf.close()
        if ks.p.poll() is None:
            ks.kill9()
    s = load_summary(os.path.join(d, "carol.json"))
    log = read_text(os.path.join(d, "carol.log"))
    check("ks-keepalive=0: no loss noticed, no rejoin, a clean exit",
          rc == 0 and s.get("rejoins") == 0 and s.get("ks_lost_at") == [] and "key server is gone" not in log,
          "(exit %r, rejoins %r)" % (rc, s.get("rejoins")))
    conf = os.path.join(d, "bad.conf")
    with open(conf, "w") as f:
        f.write("\n".join(["[agent]", "role=member", "identity=sip:carol@example.org", "psk=" + PSK["carol"], "",
                           "[member]", "group-uri=sip:conf@127.0.0.1:9", "key-server=" + KS_ID,
                           "ks-keepalive=50", ""]))
    r = subprocess.run([AGENT, "--config", conf], capture_output=True, text=True, timeout=20)
    check("ks-keepalive=50 refused at start-up, naming the key", r.returncode != 0 and
          "[member] ks-keepalive" in r.stdout + r.stderr, "(exit %d: %s)" % (r.returncode, r.stderr[-300:]))


def rsar_join(d):
    pk_join(d, "rsa-r")


def rogue_cert(d):
    """tests/certs/rogue.pem names sip:alice@example.com but comes from a
    CA the key server does not trust."""
    pk_join(d, "pk", member_cert="rogue")


def main():
    for p in (AGENT, TOOL):
        if not os.access(p, os.X_OK):
            print("%s is not built" % p)
            print("0 passed, 1 failed")
            return 1
    with tempfile.TemporaryDirectory(prefix="mikey-agent-tests-") as d:
        cases = (bad_input, never_acks, flood, restart, pk_join, rsar_join, rogue_cert, silent_member, usage_rekey,
                 failover, keepalive_off, push_window)
        # agent_tests.py BUILD [CASE ...]: only those cases (by name).
        only = set(sys.argv[2:])
        for case in [c for c in cases if not only or c.__name__ in only]:
            sub = os.path.join(d, case.__name__)
            os.mkdir(sub)
            try:
                case(sub)
            except Exception as e:  # a broken case is a failure, never a skip
                check(case.__name__, False, "raised %r" % e)
                for name in os.listdir(sub):
                    if name.endswith(".log"):
                        print("--- %s\n%s" % (name, open(os.path.join(sub, name)).read()[-2000:]))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
