#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""conference.py - rekey time of a mikey-sip-agent conference against its parts.

For each N (--members 10,100,500): a fresh directory, a real key server
(mikey-sip-agent; use a release build), 4 real media members (GStreamer
media through the key server's relay, TESLA source authentication, as
scripts/conference.py starts them) and bench/conference_load simulating N
signalling members in one process. The N members join (paced), 10 % of
them leave one at a time, and for each BYE conference_load measures the
time until the last remaining member answered the push carrying the new
MKI, against reach x (one MIKEY push exchange in process + one loopback
OPTIONS transaction) measured in the same run, where reach is how many
members that rekey had to reach. Also the key server's CPU time per join
and memory per member.

Checks (exit status 1 when one fails): every process exits 0, the key
server answers SIGTERM with its summary, no member is left on a stale key
(the key server's summary, conference_load's MKIs and the media members'
summaries agree), every media member took every rekey and received media.
The ratio target (<= 2x) is reported, never asserted: speed is never a
test.

One push carries at most 255 senders (MIKEY #CS is one byte, RFC 3830
§6.1), and with TESLA at most 125 (an SP and a TESLA extension per sender;
a member parses at most 256 payloads), so N + 4 members are spread over
groups of the same key server (--group-size); a rekey then reaches the
members of the leaver's group. The simulated members use SIP over TCP,
40 to a nua (see --load-transport, --members-per-ua).

  /usr/bin/python3 bench/conference.py --build build [--members 10,100,500]
      [--tesla on|off] [--join-rate 50] [--keep DIR]
"""
import argparse
import json
import math
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "sip"))
import siptest  # noqa: E402  (tests/sip/siptest.py)

MEDIA = 4
# Senders one push can carry: #CS is one byte (mikey/group.h
# MIKEY_GROUP_MAX_SENDERS); with TESLA every sender adds an SP and a TESLA
# I-Key extension, and a receiver parses at most 256 payloads per message
# (libmikey/src/codec/msg.c), so 126 TESLA senders are refused by every
# member (MIKEY_ERR_TOO_MANY).
MAX_SENDERS = 255
MAX_TESLA_SENDERS = 125


def free_port():
    """A SIP port: sofia-sip binds it for UDP and TCP both (a port free for
    UDP alone was seen taken for TCP)."""
    return siptest.free_udp_tcp_port()


def write(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)


def verdict(med, worst):
    return "met" if worst <= 2 else ("median met, max not" if med <= 2 else "NOT met")


class Failed(Exception):
    pass


class Run:
    """One N: key server, media members, conference_load."""

    def __init__(self, a, n, where):
        self.a = a
        self.n = n
        self.dir = where
        self.agent = os.path.join(a.build, "sip-agent", "agent", "mikey-sip-agent")
        self.load_exe = os.path.join(a.build, "bench", "conference_load")
        self.plugin = os.path.join(a.build, "gst-plugin")
        self.procs = {}  # name -> (Popen, log file)
        self.rcs = {}
        self.problems = []
        self.crashes = []
        self.ks_port = free_port()
        self.media = ["media%d" % (i + 1) for i in range(MEDIA)]
        self.load = ["l%03d" % i for i in range(n)]
        self.psk = {m: secrets.token_hex(16) for m in self.media + self.load}
        # Groups: media members in the first; load members where there is
        # least (each group at most --group-size senders).
        self.group_size = a.group_size or (MAX_TESLA_SENDERS if a.tesla == "on" else MAX_SENDERS)
        ng = max(1, math.ceil((n + MEDIA) / self.group_size))
        self.groups = ["conf%d" % g for g in range(ng)]
        self.members_of = {g: [] for g in self.groups}
        self.members_of[self.groups[0]] += self.media
        for m in self.load:
            g = min(self.groups, key=lambda k: len(self.members_of[k]))
            self.members_of[g].append(m)
        # Leavers evenly spread over the groups, and within each group
        # over its joining order.
        k = max(1, int(round(n * a.leave_fraction)))
        by_group = [m for g in self.groups for m in self.members_of[g] if m not in self.media]
        self.leavers = [by_group[int((j + 0.5) * n / k)] for j in range(k)]

    def problem(self, why):
        self.problems.append(why)
        print("conference[N=%d]: FAILED: %s" % (self.n, why), file=sys.stderr)

    def log_path(self, name):
        return os.path.join(self.dir, name + ".log")

    def start(self, name, cmd):
        log = open(self.log_path(name), "w")
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        self.procs[name] = (p, log)
        return p

    def log_has(self, name, text):
        with open(self.log_path(name), errors="replace") as f:
            return text in f.read()

    def wait_log(self, name, text, timeout, watch=()):
        """Wait until |text| is in |name|'s log; fail when the time is up or
        |name| or one of |watch| exited first."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.log_has(name, text):
                return
            for w in (name,) + tuple(watch):
                if self.procs[w][0].poll() is not None:
                    raise Failed("%s exited (%s) while waiting for '%s' from %s (see %s)" % (
                        w, self.procs[w][0].returncode, text, name, self.log_path(w)))
            time.sleep(0.05)
        raise Failed("no '%s' from %s within %.0f s (see %s)" % (text, name, timeout, self.log_path(name)))

    def stop(self, name, timeout, sig=signal.SIGTERM):
        """Signal |name| (sig None: only wait) and record its exit status."""
        p = self.procs[name][0]
        if p.poll() is None and sig is not None:
            p.send_signal(sig)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            rc = "killed after %.0f s" % timeout
        self.rcs[name] = rc
        if rc != 0:
            self.crashes.append(name)
            self.problem("%s exited with %s (see %s)" % (name, rc, self.log_path(name)))
        return rc

    # ---- configuration ----------------------------------------------------

    def ks_config(self):
        lines = ["[agent]", "role=key-server", "identity=sip:ks@example.org",
                 "bind=sip:127.0.0.1:%d" % self.ks_port, "",
                 "[key-server]", "store=sqlite:%s/ks.db" % self.dir,
                 "master-key-file=%s/master.key" % self.dir, ""]
        for g in self.groups:
            lines += ["[group:%s]" % g, "mode=psk", "policy=aes128-sha1-80",
                      "tesla=%s" % ("true" if self.a.tesla == "on" else "false"),
                      "members=" + ";".join(self.members_of[g]), ""]
        for m in self.media + self.load:
            lines += ["[member:%s]" % m, "identity=sip:%s@example.org" % m, "psk=%s" % self.psk[m], ""]
        path = os.path.join(self.dir, "ks.conf")
        write(path, lines)
        return path

    def media_config(self, m):
        path = os.path.join(self.dir, m + ".conf")
        write(path, ["[agent]", "role=member", "identity=sip:%s@example.org" % m,
                     "bind=sip:127.0.0.1:%d" % free_port(), "psk=%s" % self.psk[m],
                     "plugin-path=%s" % self.plugin, "",
                     "[member]", "group-uri=sip:%s@127.0.0.1:%d" % (self.groups[0], self.ks_port),
                     "key-server=sip:ks@example.org", "mode=psk",
                     "tesla=%s" % ("true" if self.a.tesla == "on" else "false")])
        return path

    def load_config(self):
        tp = ";transport=%s" % self.a.load_transport
        lines = ["[load]", "bind=sip:127.0.0.1:*%s" % tp, "key-server=sip:ks@example.org",
                 "key-server-uri=sip:127.0.0.1:%d%s" % (self.ks_port, tp), "policy=aes128-sha1-80",
                 "tesla=%s" % ("true" if self.a.tesla == "on" else "false"),
                 "groups=" + ";".join(self.groups), "leavers=" + ";".join(self.leavers), ""]
        for g in self.groups:
            real = [m for m in self.members_of[g] if m in self.media]
            lines += ["[group:%s]" % g, "uri=sip:%s@127.0.0.1:%d%s" % (g, self.ks_port, tp),
                      "extra-members=%d" % len(real),
                      "extra-logs=" + ";".join(self.log_path(m) for m in real),
                      "members=" + ";".join(m for m in self.members_of[g] if m not in self.media), ""]
        for m in self.load:
            lines += ["[member:%s]" % m, "identity=sip:%s@example.org" % m, "psk=%s" % self.psk[m], ""]
        path = os.path.join(self.dir, "load.conf")
        write(path, lines)
        return path

    # ---- the run ------------------------------------------------------------

    def run(self):
        try:
            self.steps()
        except Failed as e:
            self.problem(str(e))
        finally:
            self.shutdown()

    def steps(self):
        for exe in (self.agent, self.load_exe):
            if not os.access(exe, os.X_OK):
                raise Failed("%s is not built" % exe)
        ks = self.start("key-server", [self.agent, "--config", self.ks_config(), "--name", "key-server",
                                       "--summary", os.path.join(self.dir, "key-server.json")])
        self.wait_log("key-server", "listening on", 15)
        for m in self.media:
            self.start(m, [self.agent, "--config", self.media_config(m), "--name", m,
                           "--summary", os.path.join(self.dir, m + ".json")])
            self.wait_log(m, "joined;", 30, watch=("key-server",))
        # Media flows from here to the end.
        out = os.path.join(self.dir, "load.json")
        self.start("load", [self.load_exe, "--config", self.load_config(), "--ks-pid", str(ks.pid),
                            "--out", out, "--join-rate", str(self.a.join_rate),
                            "--members-per-ua", str(self.a.members_per_ua),
                            "--timeout-scale", str(self.a.timeout_scale)])
        budget = (180 + self.n * (1.0 / self.a.join_rate + 1.5)) * self.a.timeout_scale
        self.wait_log("load", "measured:", budget, watch=("key-server",) + tuple(self.media))
        with open(out) as f:
            self.result = json.load(f)
        # conference_load waited for them after every leave; still, each
        # must hold its group's newest key before the key server stops.
        final = self.result["groups"][0]["mki"]
        for m in self.media:
            self.wait_log(m, "MKI %s," % final, 15, watch=("key-server",))

    def shutdown(self):
        """Stop whatever runs, in order: the key server (SIGTERM: its
        summary, and a BYE to every member), the media members (the BYE
        ends them), conference_load. Every exit status is recorded."""
        ks_ok = "key-server" in self.procs and self.stop("key-server", 30) == 0
        # The key server's BYE ends the media members; without it, SIGTERM.
        deadline = time.monotonic() + (15 if ks_ok else 0)
        for m in self.media:
            if m not in self.procs:
                continue
            try:
                self.procs[m][0].wait(timeout=max(0.01, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                if ks_ok:
                    self.problem("%s still runs 15 s after the key server's BYE" % m)
            self.stop(m, 10)
        if "load" in self.procs:
            # Each nua shuts down within 5 s (sip_ua_free), one after another.
            self.stop("load", 20 + 5 * math.ceil(self.n / self.a.members_per_ua))

    def cleanup(self):
        for name, (p, log) in self.procs.items():
            if p.poll() is None:
                p.kill()
                p.wait()
                if name not in self.rcs:
                    self.crashes.append(name)
            log.close()

    # ---- checks and the row -----------------------------------------------------

    def summary(self, name):
        try:
            with open(os.path.join(self.dir, name + ".json")) as f:
                return json.load(f)
        except (OSError, ValueError) as e:
            self.problem("no summary from %s: %s" % (name, e))
            if name == "key-server" and name not in self.crashes:
                self.crashes.append(name)
            return None

    def check(self):
        """The row of the table, and the problems found."""
        r = getattr(self, "result", None)
        ks = self.summary("key-server")
        stale = set()
        if ks is not None:
            gs = {g["name"]: g for g in ks["groups"]}
            for g in self.groups:
                kg = gs.get(g)
                if kg is None:
                    self.problem("the key server's summary has no group %s" % g)
                    continue
                for mem in kg["members"]:
                    if mem["confirmed_epoch"] != kg["epoch"]:
                        stale.add(mem["id"])
                if kg["push_failures"] or kg["refused"]:
                    self.problem("group %s: %d push failures, %d refused requests at the key server" %
                                 (g, kg["push_failures"], kg["refused"]))
                present = {m for m in self.members_of[g] if m not in self.leavers}
                if len(kg["members"]) != len(present):
                    self.problem("group %s: the key server has %d members, expected %d" %
                                 (g, len(kg["members"]), len(present)))
            if r is not None:
                for lm in r["load_members"]:
                    kg = gs.get(lm["group"])
                    if not lm["left"] and kg is not None and lm["mki"] != kg["mki"]:
                        stale.add(lm["identity"])
            g0 = gs.get(self.groups[0])
            for m in self.media:
                s = self.summary(m)
                if s is None or g0 is None:
                    continue
                mkis = [int(x, 16) for x in s["mkis"]]
                if not mkis or mkis != list(range(mkis[0], mkis[0] + len(mkis))):
                    self.problem("%s did not take every rekey: MKIs %s" % (m, s["mkis"]))
                if not mkis or "%08x" % mkis[-1] != g0["mki"]:
                    stale.add("sip:%s@example.org" % m)
                med = s["media"]
                if med["received"] == 0 or med["sent"] == 0 or (self.a.tesla == "on" and med["authenticated"] == 0):
                    self.problem("%s sent %d, received %d, source-authenticated %d" %
                                 (m, med["sent"], med["received"], med["authenticated"]))
                if s["refused_pushes"]:
                    self.problem("%s refused %d pushes" % (m, s["refused_pushes"]))
        if stale:
            self.problem("%d member(s) on a stale key: %s" % (len(stale), ", ".join(sorted(stale)[:10])))
        if r is None:
            return None
        if r["refused_pushes"] or r["removed"] or r["join_failures"]:
            self.problem("load: %d refused pushes, %d removed, %d failed joins" %
                         (r["refused_pushes"], r["removed"], r["join_failures"]))
        opt = r["options_mean_ns"] / 1e6
        leaves = r["leaves"]
        ms = [x["bye_to_last_us"] / 1e3 for x in leaves]
        ratios = [x["bye_to_last_us"] / 1e3 / (x["reach"] * (x["mikey_mean_ns"] / 1e6 + opt)) for x in leaves]
        # With the real (media) members, in the leaver's group when it has
        # them: the last of all on the new key.
        ms_all = [max(x["bye_to_last_us"] / 1e3, x["bye_to_last_real_ms"]) for x in leaves]
        ratios_all = [a / (x["reach"] * (x["mikey_mean_ns"] / 1e6 + opt)) for a, x in zip(ms_all, leaves)]
        g0 = r["groups"][0]
        cpu_ms = (r["ks_cpu_ns_after"] - r["ks_cpu_ns_before"]) / 1e6
        return {
            "n": self.n,
            "groups": len(self.groups),
            "reach": max(x["reach"] for x in leaves) if leaves else 0,
            "joins_s": self.n / (r["first_join_to_last_admit_us"] / 1e6) if r["first_join_to_last_admit_us"] else 0,
            "settle_s": r["first_join_to_settled_us"] / 1e6,
            "med_ms": statistics.median(ms) if ms else float("nan"),
            "max_ms": max(ms) if ms else float("nan"),
            "mikey_ms": g0["mikey_mean_ns"] / 1e6,
            "opt_ms": opt,
            "push_bytes": g0["push_bytes"],
            "pushes_join": r["pushes_to_settle"] / self.n,
            "kib_push": (r["ks_rss_kib_after"] - r["ks_rss_kib_before"]) / max(1, r["pushes_to_settle"]),
            "kib_leave_push": (r["ks_rss_kib_end"] - r["ks_rss_kib_after"]) / max(1, sum(x["pushes"] for x in leaves)),
            "ratio_med": statistics.median(ratios) if ratios else float("nan"),
            "ratio_max": max(ratios) if ratios else float("nan"),
            "all_med_ms": statistics.median(ms_all) if ms_all else float("nan"),
            "all_max_ms": max(ms_all) if ms_all else float("nan"),
            "all_ratio_med": statistics.median(ratios_all) if ratios_all else float("nan"),
            "all_ratio_max": max(ratios_all) if ratios_all else float("nan"),
            "cpu_ms_join": cpu_ms / self.n,
            "kib_member": (r["ks_rss_kib_after"] - r["ks_rss_kib_before"]) / self.n,
            "leaves": len(leaves),
            "stale": len(stale),
            "crashes": len(self.crashes),
        }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build", help="meson build directory (default build; use a release build)")
    ap.add_argument("--members", default="10,100,500", help="comma-separated N (default 10,100,500)")
    ap.add_argument("--join-rate", type=float, default=50, help="joins per second (default 50)")
    ap.add_argument("--leave-fraction", type=float, default=0.10, help="members leaving (default 0.10)")
    ap.add_argument("--tesla", choices=["on", "off"], default="on",
                    help="every member sends TESLA parameters as member.c does (default on; off: groups, "
                         "media members and simulated members without TESLA, so plain SRTP media)")
    ap.add_argument("--load-transport", choices=["tcp", "udp"], default="tcp",
                    help="SIP transport of the simulated members (default tcp: one process stands for N hosts, "
                         "and one UDP socket drops pushes of N members in a burst)")
    ap.add_argument("--members-per-ua", type=int, default=40,
                    help="simulated members per nua instance, i.e. per SIP port and connection (default 40: "
                         "sofia-sip queues 64 messages per connection, and the key server pushes to a whole "
                         "group at once)")
    ap.add_argument("--group-size", type=int, default=0,
                    help="most members per group, media members included (default %d with --tesla on, "
                         "%d off: what one push can carry)" % (MAX_TESLA_SENDERS, MAX_SENDERS))
    ap.add_argument("--timeout-scale", type=float, default=1.0,
                    help="multiply every time bound (slow machines, sanitizer builds; default 1)")
    ap.add_argument("--keep", help="keep configs, logs and summaries under this directory")
    a = ap.parse_args()
    try:
        ns = [int(x) for x in a.members.split(",") if x.strip()]
    except ValueError:
        ap.error("--members: comma-separated integers")
    if (not ns or min(ns) < 2 or a.join_rate <= 0 or not 0 < a.leave_fraction < 1 or a.members_per_ua < 1
            or a.timeout_scale <= 0 or (a.group_size and a.group_size < MEDIA + 1)):
        ap.error("--members at least 2 each, --join-rate > 0, 0 < --leave-fraction < 1, --members-per-ua > 0, "
                 "--group-size > %d" % MEDIA)
    rows, failed = [], False
    t0 = time.monotonic()
    for n in ns:
        where = os.path.join(a.keep, "n%d" % n) if a.keep else tempfile.mkdtemp(prefix="mikey-bench-conf-")
        os.makedirs(where, exist_ok=True)
        run = Run(a, n, where)
        print("conference[N=%d]: %d group(s), %d leavers, logs in %s" % (n, len(run.groups), len(run.leavers), where))
        sys.stdout.flush()
        try:
            run.run()
        finally:
            run.cleanup()
        row = run.check()
        if row is not None:
            rows.append(row)
        if run.problems:
            failed = True
            print("conference[N=%d]: %d problem(s); logs kept in %s" % (n, len(run.problems), where))
        elif not a.keep:
            shutil.rmtree(where, ignore_errors=True)
        sys.stdout.flush()

    print()
    print("bench/conference: loopback, psk, aes128-sha1-80, %s, %d media members (GStreamer media through the "
          "relay), simulated members over %s, joins paced at %g/s, %d%% leaving one at a time" %
          ("TESLA for every sender" if a.tesla == "on" else "no TESLA", MEDIA, a.load_transport.upper(),
           a.join_rate, int(round(a.leave_fraction * 100))))
    cols = [("N", "", "%5d", "n"), ("groups", "", "%6d", "groups"), ("reach", "", "%5d", "reach"),
            ("joins/s", "", "%7.1f", "joins_s"),
            ("BYE->last", "med ms", "%9.2f", "med_ms"), ("BYE->last", "max ms", "%9.2f", "max_ms"),
            ("+real", "med ms", "%7.1f", "all_med_ms"), ("+real", "max ms", "%7.1f", "all_max_ms"),
            ("(a)", "MIKEY ms", "%8.3f", "mikey_ms"), ("(b)", "OPTIONS", "%8.3f", "opt_ms"),
            ("ratio", "med", "%6.2f", "ratio_med"), ("ratio", "max", "%6.2f", "ratio_max"),
            ("+real", "ratio", "%6.2f", "all_ratio_med"), ("+real", "max", "%6.2f", "all_ratio_max"),
            ("KS CPU", "ms/join", "%7.2f", "cpu_ms_join"), ("KS RSS", "KiB/memb", "%8.1f", "kib_member"),
            ("stale", "", "%5d", "stale"), ("crashes", "", "%7d", "crashes")]
    width = [max(len(c[0]), len(c[1]), len(c[2] % 0)) for c in cols]
    print(" ".join("%*s" % (w, c[0]) for w, c in zip(width, cols)))
    print(" ".join("%*s" % (w, c[1]) for w, c in zip(width, cols)))
    for r in rows:
        print(" ".join("%*s" % (w, c[2] % r[c[3]]) for w, c in zip(width, cols)))
    print("reach: members one rekey had to reach (the leaver's group, media members included). BYE->last: until "
          "the last simulated member answered the push with the new MKI; +real: until the last member of all, "
          "the media members (mikey-sip-agent with GStreamer) included. ratio = time / (reach x (a + b)); "
          "(a) and the push size of group conf0.")
    for r in rows:
        print("N=%d: push %d bytes; every member on the full generation %.1f s after the first join, after %.1f "
              "pushes per member; key server RSS +%.1f KiB per push while joining, +%.1f while leaving; %d leaves; "
              "target ratio <= 2: %s (simulated members), %s (all members)" %
              (r["n"], r["push_bytes"], r["settle_s"], r["pushes_join"], r["kib_push"], r["kib_leave_push"],
               r["leaves"], verdict(r["ratio_med"], r["ratio_max"]), verdict(r["all_ratio_med"], r["all_ratio_max"])))
    took = time.monotonic() - t0
    if failed or len(rows) != len(ns):
        print("conference: FAILED (%.1f s)" % took)
        return 1
    print("conference: OK (%.1f s)" % took)
    return 0


if __name__ == "__main__":
    sys.exit(main())
