#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""kamailio_ha.py [KEEP_DIR] - samples/kamailio/kamailio-ha.cfg on Kamailio 5.6
in front of two key-server instances, each played by SIPp (UAS scenarios
sipp/ks_instance.xml and sipp/ks_instance_refuse.xml), with SIPp members
(sipp/join_group.xml) joining groups through it:

  start    both instances are probed (OPTIONS) and active (kamcmd
           dispatcher.list over the ctl socket)
  pin      GROUPS group URIs, each joined ROUNDS times (each round in a
           random order): every join of a
           group reaches the same instance (its SDP answer names it, and
           that instance logged the INVITE), the groups spread over both,
           and the same groups written with another host part land on the
           same instances; the BYEs follow the Record-Route
  failover the instance serving some groups is SIGKILLed; joins to its
           groups sent at once reach the other one through failure_route
           (Kamailio's "failover" line) within fr_timer and a margin; the
           dead one is then inactive and later joins go straight to the
           other one
  back     restarted, probing makes it active again and its groups go
           back to it
  probing  SIGKILLed again with no traffic: probing alone makes it
           inactive within a bound, no failover happens, joins go straight
           to the other one; restarted, it is active again
  503      the instance answers every join 503 with Retry-After and a
           Warning "served by instance ...": each join still gets its 200
           from the other one, the refusing one is not marked (stays
           active, and the next joins try it first again)
  all refuse  both instances answer 503: each is tried once, then the
           member gets the proxy's own 503 with a Retry-After

Nothing here knows which instance a group hashes to: the first round
decides, the later checks compare with it. The last line is
`N passed, N failed`; a missing program is a failure.
"""
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import siptest as st  # noqa: E402  (tests/sip/siptest.py)

KEEP = sys.argv[1] if len(sys.argv) > 1 else None  # a directory that keeps the logs
CFG = os.path.join(st.ROOT, "samples", "kamailio", "kamailio-ha.cfg")
SCENARIOS = os.path.join(HERE, "sipp")
GROUPS = ["conf%02d" % i for i in range(15)]
ROUNDS = 3
# Each round joins the groups in its own random order, so that no
# per-request choice (round robin, ...) can look like pinning.
SEED = int.from_bytes(os.urandom(4), "big")
# The configuration's timers (kamailio-ha.cfg): tm fr_timer 2 s, probes
# each second. A failover waits one fr_timer; probing notices a dead
# instance within one interval plus one fr_timer.
FR_TIMER = 2.0
PROBE_BOUND = 1.0 + FR_TIMER + 2.0  # and 2 s of slack for a loaded machine
R = st.Results()


def sipp_binary():
    return shutil.which("sipp") or "/usr/bin/sipp"


def kamcmd_binary():
    return shutil.which("kamcmd") or "/usr/sbin/kamcmd"


class Instance:
    """A SIPp UAS on its own loopback port playing one key-server instance;
    its <log> lines say what it got ("NAME INVITE GROUP", ...)."""

    def __init__(self, d, name, port):
        self.d, self.name, self.port = d, name, port
        self.uri = "sip:127.0.0.1:%d" % port
        self.p = None
        self.runs = 0
        self.log_paths = []

    def start(self, scenario="ks_instance.xml"):
        self.runs += 1
        tag = "%s.%d" % (self.name, self.runs)
        log = os.path.join(self.d, tag + ".log")
        self.log_paths.append(log)
        cmd = [sipp_binary(), "-sf", os.path.join(SCENARIOS, scenario), "-i", "127.0.0.1", "-p", str(self.port),
               "-key", "instance", self.name, "-nostdin", "-trace_logs", "-log_file", log,
               "-trace_err", "-error_file", os.path.join(self.d, tag + ".errors")]
        self.out = open(os.path.join(self.d, tag + ".out"), "w")
        self.p = subprocess.Popen(cmd, stdout=self.out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  cwd=self.d, start_new_session=True)
        # Up when the dispatcher's first probe reached it and was logged.
        return st.wait_until(lambda: self.p.poll() is not None or " OPTIONS " in st.read(log), 10) \
            and self.p.poll() is None

    def kill(self):
        """SIGKILL: the instance vanishes without a word."""
        rc = st.stop_process(self.p, sig=signal.SIGKILL)
        self.out.close()
        return rc

    def stop(self):
        if self.p is not None and self.p.poll() is None:
            st.stop_process(self.p)
            self.out.close()

    def log(self):
        return "".join(st.read(p) for p in self.log_paths)

    def invites(self, kind="INVITE"):
        """Groups whose INVITE it logged, in order (kind INVITE-503: refused)."""
        return re.findall(r"^%s %s (\S+) " % (re.escape(self.name), kind), self.log(), re.M)


def join(d, kam, tag, groups, host=None, scenario="join_group.xml", logged=r"^JOINED (\S+) (\S+) "):
    """One SIPp member run: a join per entry of groups, through the proxy,
    each INVITE, 200, ACK, BYE; returns (exit status, [(group, instance)]
    of the answered joins in order, seconds it took, output tail).
    scenario join_refused.xml, logged r"^REFUSED (\S+) (\S+) ": joins
    that must be answered 503, [(group, Retry-After)]."""
    inf = os.path.join(d, tag + ".csv")
    with open(inf, "w") as f:
        f.write("SEQUENTIAL\n")
        for g in groups:
            f.write("%s;%s\n" % (g, host or "127.0.0.1:%d" % kam.port))
    log = os.path.join(d, tag + ".log")
    errors = os.path.join(d, tag + ".errors")
    cmd = [sipp_binary(), "127.0.0.1:%d" % kam.port, "-sf", os.path.join(SCENARIOS, scenario),
           "-inf", inf, "-m", str(len(groups)), "-r", "50", "-rp", "1000", "-i", "127.0.0.1",
           "-p", str(st.free_port()), "-nostdin", "-trace_logs", "-log_file", log, "-trace_err", "-error_file",
           errors, "-timeout", "40s", "-timeout_error", "-max_recv_loops", "10000"]
    t0 = time.monotonic()
    with open(os.path.join(d, tag + ".out"), "w") as out:
        try:
            rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=d,
                                timeout=60).returncode
        except subprocess.TimeoutExpired:
            rc = "killed after 60 s"
    took = time.monotonic() - t0
    joined = re.findall(logged, st.read(log), re.M)
    return rc, joined, took, "(exit %s; errors: %s)" % (rc, st.tail(errors, 600))


def states(kam, ctl):
    """{destination URI: dispatcher FLAGS} from kamcmd dispatcher.list."""
    try:
        out = subprocess.run([kamcmd_binary(), "-s", ctl, "dispatcher.list"], capture_output=True, text=True,
                             timeout=5).stdout
    except subprocess.TimeoutExpired:
        return {}
    return dict(re.findall(r"URI: (\S+)\s+FLAGS: (\w+)", out))


def wait_state(kam, ctl, inst, letter, timeout):
    """Wait until the dispatcher shows inst in state letter (A, I, T...);
    returns (reached, seconds waited, the last states seen)."""
    t0 = time.monotonic()
    ok = st.wait_until(lambda: states(kam, ctl).get(inst.uri, "?").startswith(letter), timeout, 0.1)
    return ok, time.monotonic() - t0, states(kam, ctl)


def kam_lines(kam, start, pattern):
    """Kamailio log lines matching pattern, after the first `start` characters."""
    return re.findall(pattern, kam.log()[start:], re.M)


def check_straight(label, d, kam, tag, groups, to):
    """Joins to groups all reach instance `to` at once: no failover line in
    Kamailio's log, less than one fr_timer."""
    mark = len(kam.log())
    rc, joined, took, why = join(d, kam, tag, groups)
    R.check("%s: joins to the dead instance's groups go straight to %s (%.1f s, no failover)" % (label, to, took),
            rc == 0 and len(joined) == len(groups) and all(w == to for _, w in joined)
            and not kam_lines(kam, mark, r"failover ") and took < FR_TIMER, "(%s) %s" % (joined, why))


def restart(label, kam, ctl, inst, scenario="ks_instance.xml"):
    """Start inst again (after a kill or a stop) and wait until the
    dispatcher has it active."""
    R.check("%s: %s restarted (%s), probed again" % (label, inst.name, scenario), inst.start(scenario),
            st.tail(inst.log_paths[-1], 500))
    ok, waited, seen = wait_state(kam, ctl, inst, "A", PROBE_BOUND)
    R.check("%s: dispatcher.list shows %s active again after %.1f s" % (label, inst.name, waited), ok,
            "(%s)" % seen)


def run(d):
    ports = [st.free_port(), st.free_port()]
    while ports[1] == ports[0]:
        ports[1] = st.free_port()
    inst = {"ksA": Instance(d, "ksA", ports[0]), "ksB": Instance(d, "ksB", ports[1])}
    listfile = os.path.join(d, "keyservers.list")
    with open(listfile, "w") as f:
        f.write("# setid destination flags priority attributes\n")
        for i in inst.values():
            f.write("1 %s 0 0 name=%s\n" % (i.uri, i.name))
    ctl = "unix:" + os.path.join(d, "kamailio", "kamailio_ctl")
    kam = st.Kamailio(d, cfg=CFG, defines=['DISPATCHER_LIST="%s"' % listfile, 'CTL_SOCKET="%s"' % ctl])
    try:
        if not R.check("Kamailio started with kamailio-ha.cfg and answers OPTIONS", kam.start(), "(%s)" % kam.error):
            return
        for i in inst.values():
            R.check("%s (SIPp UAS on port %d) started and probed by the dispatcher" % (i.name, i.port), i.start(),
                    st.tail(os.path.join(d, "%s.1.out" % i.name), 800))
        for i in inst.values():
            ok, _, seen = wait_state(kam, ctl, i, "A", 5)
            R.check("start: dispatcher.list shows %s active and probed" % i.name,
                    ok and seen.get(i.uri, "").endswith("P"), "(%s)" % seen)

        # ---- pin: every join of a group reaches one instance ------------------
        mark = len(kam.log())
        rng = random.Random(SEED)
        calls = [g for _ in range(ROUNDS) for g in rng.sample(GROUPS, len(GROUPS))]
        rc, joined, _, why = join(d, kam, "pin", calls)
        R.check("pin: %d joins (%d groups x %d, shuffled with seed %d) all answered 200 (SIPp exit 0)" %
                (len(calls), len(GROUPS), ROUNDS, SEED),
                rc == 0 and len(joined) == len(calls), "(%d joined) %s" % (len(joined), why))
        where = {}
        for g, who in joined:
            where.setdefault(g, set()).add(who)
        split = {g: sorted(w) for g, w in where.items() if len(w) != 1}
        R.check("pin: each group's %d joins reached one instance" % ROUNDS, not split and len(where) == len(GROUPS),
                "(split: %s, groups seen %d)" % (split, len(where)))
        home = {g: next(iter(w)) for g, w in where.items() if len(w) == 1}
        spread = {n: sorted(g for g, h in home.items() if h == n) for n in inst}
        R.check("pin: the groups spread over both instances (%s)" %
                ", ".join("%s %d" % (n, len(gs)) for n, gs in spread.items()), all(spread.values()))
        logged = {n: set(i.invites()) for n, i in inst.items()}
        R.check("pin: each instance logged the INVITEs of exactly the groups the members saw it answer",
                all(logged[n] == set(spread[n]) for n in inst), "(logged %s)" % {n: sorted(v) for n, v in logged.items()})
        byes = len(kam_lines(kam, mark, r"relay in-dialog BYE "))
        R.check("pin: the %d BYEs went through the proxy (Record-Route; %d relayed)" % (len(calls), byes),
                byes >= len(calls), st.tail(kam.log_path, 800))
        rc, joined2, _, why = join(d, kam, "pin-host", GROUPS, host="groups.example.org")
        moved = {g: (home.get(g), w) for g, w in joined2 if home.get(g) != w}
        R.check("pin: sip:GROUP@groups.example.org lands where sip:GROUP@proxy did (user part only)",
                rc == 0 and len(joined2) == len(GROUPS) and not moved, "(moved %s) %s" % (moved, why))
        if not all(spread.values()):
            return
        a, b = inst["ksA"], inst["ksB"]
        ga = spread["ksA"]

        # ---- failover through failure_route ------------------------------------
        mark = len(kam.log())
        a.kill()
        rc, joined, took, why = join(d, kam, "failover", ga)
        R.check("failover: after SIGKILL of ksA, joins to its %d groups all answered by ksB" % len(ga),
                rc == 0 and sorted(g for g, w in joined if w == "ksB") == sorted(ga), "(%s) %s" % (joined, why))
        fo = kam_lines(kam, mark, r"failover INVITE group (\S+): %s failed \(no answer\), marked inactive" %
                       re.escape(a.uri))
        R.check("failover: Kamailio's failure_route marked ksA after no answer and tried the next (%s)" % fo[:3],
                len(fo) >= 1, st.tail(kam.log_path, 1500))
        retried = kam_lines(kam, mark, r"dispatch INVITE \S+ group (\S+) to %s \(try 2\) after 408" % re.escape(b.uri))
        R.check("failover: those joins were re-dispatched to ksB as try 2 after 408 (%d)" % len(retried),
                set(retried) == set(fo), "(failed over %s, retried %s)" % (fo, retried))
        R.check("failover: the joins took %.1f s: at least one fr_timer (%.0f s), within fr_timer + 3 s" %
                (took, FR_TIMER), FR_TIMER - 0.3 <= took <= FR_TIMER + 3)
        ok, waited, seen = wait_state(kam, ctl, a, "I", PROBE_BOUND)
        R.check("failover: dispatcher.list shows ksA inactive (%s)" % seen.get(a.uri), ok, "(%s)" % seen)
        check_straight("failover", d, kam, "after-failover", ga, "ksB")

        # ---- back: probing brings the restarted instance back ------------------
        restart("back", kam, ctl, a)
        up = kam_lines(kam, 0, r"key-server instance %s up \(probe answered\)" % re.escape(a.uri))
        R.check("back: Kamailio logged the dispatcher:dst-up event for ksA", up, st.tail(kam.log_path, 800))
        rc, joined, _, why = join(d, kam, "back", ga)
        R.check("back: joins to ksA's groups reach ksA again",
                rc == 0 and sorted(g for g, w in joined if w == "ksA") == sorted(ga), "(%s) %s" % (joined, why))

        # ---- probing alone, with no traffic ------------------------------------
        mark = len(kam.log())
        a.kill()
        ok, waited, seen = wait_state(kam, ctl, a, "I", PROBE_BOUND)
        R.check("probing: with no traffic, ksA inactive %.1f s after SIGKILL (bound %.0f s)" % (waited, PROBE_BOUND),
                ok, "(%s)" % seen)
        down = kam_lines(kam, mark, r"key-server instance %s down \(probe failed\)" % re.escape(a.uri))
        R.check("probing: Kamailio logged the dispatcher:dst-down event for ksA", down, st.tail(kam.log_path, 800))
        R.check("probing: no failover line since the kill (probing alone marked it)",
                not kam_lines(kam, mark, r"failover "), st.tail(kam.log_path, 800))
        check_straight("probing", d, kam, "probing", ga, "ksB")
        restart("probing", kam, ctl, a)

        # ---- 503 with Retry-After: next instance, no mark ----------------------
        a.stop()
        restart("503", kam, ctl, a, "ks_instance_refuse.xml")
        for rnd in (1, 2):
            mark = len(kam.log())
            before = len(a.invites("INVITE-503"))
            rc, joined, took, why = join(d, kam, "refused-%d" % rnd, ga)
            R.check("503 round %d: every join to ksA's groups got its 200 from ksB" % rnd,
                    rc == 0 and sorted(g for g, w in joined if w == "ksB") == sorted(ga), "(%s) %s" % (joined, why))
            refused = a.invites("INVITE-503")[before:]
            R.check("503 round %d: ksA was tried first and refused each of them (%d)" % (rnd, len(refused)),
                    sorted(refused) == sorted(ga), "(%s)" % refused)
            kept = kam_lines(kam, mark, r"failover INVITE group (\S+): %s answered 503 with Retry-After "
                             r"\(399 ksA \"group \S+ is served by instance other\"\), not marked" % re.escape(a.uri))
            R.check("503 round %d: Kamailio tried the next instance and did not mark ksA (%d lines)" % (rnd, len(kept)),
                    sorted(kept) == sorted(ga) and not kam_lines(kam, mark, r"marked inactive"),
                    st.tail(kam.log_path, 1500))
            R.check("503 round %d: the joins took %.1f s (no waiting for a timeout)" % (rnd, took), took < FR_TIMER)
            seen = states(kam, ctl)
            R.check("503 round %d: dispatcher.list still shows ksA active (%s)" % (rnd, seen.get(a.uri)),
                    seen.get(a.uri, "").startswith("A"), "(%s)" % seen)

        # ---- every instance refuses: each tried once, then the proxy's 503 -----
        b.stop()
        restart("all refuse", kam, ctl, b, "ks_instance_refuse.xml")
        mark = len(kam.log())
        before = {n: len(i.invites("INVITE-503")) for n, i in inst.items()}
        g = GROUPS[0]
        rc, refused, took, why = join(d, kam, "all-refuse", [g], scenario="join_refused.xml",
                                      logged=r"^REFUSED (\S+) (\S+) ")
        R.check("all refuse: the member got 503 with Retry-After (%s) from the proxy" % refused,
                rc == 0 and len(refused) == 1 and refused[0][1].isdigit(), why)
        tried = {n: i.invites("INVITE-503")[before[n]:] for n, i in inst.items()}
        R.check("all refuse: each instance was tried exactly once (%s)" % tried,
                all(t == [g] for t in tried.values()))
        R.check("all refuse: Kamailio gave up after 2 tries, no instance marked",
                len(kam_lines(kam, mark, r"no instance left after 2 tries, answering 503")) == 1
                and not kam_lines(kam, mark, r"marked inactive"), st.tail(kam.log_path, 1500))
    finally:
        for i in inst.values():
            i.stop()
        rc = kam.stop()
        R.check("Kamailio exits cleanly", rc == 0, "(exit %s) %s" % (rc, st.tail(kam.log_path, 800)))


def main():
    missing = ["%s (Debian package %s)" % (b, pkg)
               for b, pkg in (("sipp", "sip-tester"), ("kamailio", "kamailio"), ("kamcmd", "kamailio"))
               if shutil.which(b) is None and not os.access("/usr/sbin/" + b, os.X_OK)]
    if missing:
        R.check("programs present", False, "(missing: %s)" % ", ".join(missing))
        return R.finish()
    with tempfile.TemporaryDirectory(prefix="mikey-kamha-") as tmp:
        d = os.path.abspath(KEEP or tmp)
        os.makedirs(d, exist_ok=True)
        try:
            run(d)
        except Exception as e:  # a broken case is a failure, never a skip
            R.check("kamailio_ha", False, "raised %r" % e)
    return R.finish()


if __name__ == "__main__":
    sys.exit(main())
