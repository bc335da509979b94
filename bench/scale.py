#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""scale.py - mikey-sip-agent key servers on one PostgreSQL behind Kamailio:
1 against 2 instances, a 500-member rekey, a large churning conference.

Everything runs on 127.0.0.1 and is started here: a throwaway PostgreSQL
cluster (tests/sip/pgcluster.py; a fresh database for each configuration),
Kamailio with samples/kamailio/kamailio-ha.cfg (the dispatcher hashes the
group URI's user part over the instances), 1 or 2 mikey-sip-agent
key-server instances on that database, and bench/conference_load, one
process simulating the members, which reach the key servers ONLY through
Kamailio (--proxy: every INVITE to Kamailio with the group URI as
Request-URI; Kamailio record-routes, so pushes and BYEs pass it too).

Configurations (docs/bench.md, "bench/scale"):
  ks1, ks2   --groups x --group-size members join as fast as they are
             served (--join-window joins unanswered at once): joins/s from
             the first INVITE to every member admitted and holding its
             group's latest generation; then --waves waves, each one member
             of every group sending BYE at once: rekeys/s until every
             remaining member holds its group's new MKI. Same load, 1 then
             2 instances; the ratio, and each process's CPU time (/proc).
  leave500   --leave-members members in --leave-groups groups (default 5 x
             100 with TESLA, as members run: a push carries at most 125
             TESLA senders, 255 without), 2 instances; --leaves BYEs one at
             a time: BYE -> last member on the new key, p50 and p99.
  big        --members-big over --groups-big groups, 2 instances, then
             --churn of them leave while as many others join, in
             --churn-batches batches: no crash, no stale member (the load's
             MKIs against the key servers' summaries and the store's
             generations, mikey-sip-agent --store-report), the key
             servers' memory: VmRSS per member after the joins, at the end
             and --settle-s later (sofia-sip holds each push 32 s), and
             its growth per push; each instance's push window (the most
             pushes out at once, how many waited).
  sipp       (--sipp N) N SIPp members over --sipp-groups groups join
             through Kamailio with offers made by mikey-tool and leave
             (SIPp refuses the push: 488, the key server removes it and
             rekeys); SIPp's counts, both key servers exit 0.

Figures are reported, never asserted: the checks (exit status 1) are
correctness only: every process exits 0, no stale member, the counts add
up. --smoke: a few groups, small N (well under a minute).

  /usr/bin/python3 bench/scale.py --build build-rel [--out scale.json]
      [--groups 40 --group-size 25 --waves 10] [--members-big 10000
      --groups-big 100] [--sipp 2000 --sipp-groups 100]
      [--only ks1,ks2,leave500,big,sipp] [--smoke] [--keep DIR]
      [--push-window N] [--ks-option KEY=VALUE ...] [--settle-s 35]
"""
import argparse
import glob
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "sip"))
import hakit  # noqa: E402
import pgcluster  # noqa: E402
import siptest  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
MAX_SENDERS = 255        # #CS is one byte (bench/conference.py)
MAX_TESLA_SENDERS = 125  # an SP and a TESLA extension per sender
# Set on SIGTERM: every stop is short from then on.
TERMINATING = []
BATCH_LINE = re.compile(r"batch (\d+)/(\d+) (\S+): (starting|\d+ joins)")


class Failed(Exception):
    pass


# ---- /proc ------------------------------------------------------------------

def proc_stat(pid):
    """(ppid, pgid, utime + stime, cutime + cstime) in ticks, or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            text = f.read()
    except OSError:
        return None
    f = text[text.rindex(")") + 2:].split()
    return int(f[1]), int(f[2]), int(f[11]) + int(f[12]), int(f[13]) + int(f[14])


def proc_rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def all_stats():
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            s = proc_stat(int(d))
            if s is not None:
                out[int(d)] = s
    return out


def cpu_snapshot(roles):
    """CPU seconds per role: roles {name: ("pid", pid) | ("pgid", pgid) |
    ("tree", pid)}: one process, a process group (Kamailio's children), a
    process and its children (PostgreSQL's backends; with the ticks of
    children that ended)."""
    st = all_stats()
    out = {}
    for name, (kind, pid) in roles.items():
        if kind == "pid":
            t = st[pid][2] if pid in st else 0
        elif kind == "pgid":
            t = sum(s[2] for s in st.values() if s[1] == pid)
        else:
            t = (st[pid][2] + st[pid][3] if pid in st else 0) + sum(s[2] for s in st.values() if s[0] == pid)
        out[name] = t / CLK_TCK
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    out["machine_busy"] = (sum(cpu) - cpu[3] - cpu[4]) / CLK_TCK
    out["machine_all"] = sum(cpu) / CLK_TCK
    return out


def cpu_delta(a, b):
    return {k: b[k] - a[k] for k in a}


# ---- one configuration ---------------------------------------------------------

class Config:
    """One configuration: a fresh database, its key-server instances,
    Kamailio, conference_load with its batches."""

    def __init__(self, bench, name, instances, groups, batches, tesla, pool=None, kind="scale"):
        self.b = bench
        self.a = bench.a
        self.name = name
        self.kind = kind
        self.instances = ["ks%d" % (i + 1) for i in range(instances)]
        self.groups = groups          # {group: [members that may ever join]}
        self.batches = batches        # [(name, [joiners], [leavers])]
        self.tesla = tesla
        self.dir = os.path.join(bench.dir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.procs = {}
        self.rcs = {}
        self.problems = []
        self.psk = {m: secrets.token_hex(16) for g in groups.values() for m in g}
        self.group_of = {m: g for g, ms in groups.items() for m in ms}
        self.ks_port = {}
        self.kamailio = None
        self.cpu = {}      # phase -> {role: seconds}
        self.rss = {}      # instance -> {"before", "joined", "end"} KiB
        self.result = None

    def problem(self, why):
        self.problems.append(why)
        print("scale[%s]: FAILED: %s" % (self.name, why), file=sys.stderr, flush=True)

    def log_path(self, name):
        return os.path.join(self.dir, name + ".log")

    def log(self, name):
        return siptest.read(self.log_path(name))

    def start(self, name, cmd):
        log = open(self.log_path(name), "w")
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.procs[name] = (p, log)
        return p

    def stop(self, name, timeout, sig=signal.SIGTERM):
        p = self.procs[name][0]
        rc = siptest.stop_process(p, sig=sig, timeout=5 if TERMINATING else timeout)
        if p.returncode is not None and rc != 0 and self.rcs.get(name) is None:
            self.problem("%s exited with %s (see %s)" % (name, rc, self.log_path(name)))
        self.rcs[name] = rc
        return rc

    # ---- the run ---------------------------------------------------------

    def run(self):
        t0 = time.monotonic()
        try:
            self.steps()
        except Failed as e:
            self.problem(str(e))
        finally:
            self.shutdown()
        self.check()
        self.seconds = time.monotonic() - t0
        print("scale[%s]: %s (%.1f s)" % (self.name, "OK" if not self.problems else "FAILED", self.seconds),
              flush=True)

    def steps(self):
        b = self.b
        conninfo = b.pg.new_database("scale_%s" % self.name)
        master = os.path.join(self.dir, "master.key")
        hakit.write(master, secrets.token_hex(32) + "\n")
        # keepalive=0: what is measured is key distribution; the members'
        # liveness checks would only add traffic.
        for inst in self.instances:
            # One after the other, each port chosen once the one before
            # listens: an instance binds a relay port per group, which
            # could take a port chosen earlier for the next one.
            self.ks_port[inst] = siptest.free_udp_tcp_port()
            conf = hakit.ks_config(os.path.join(self.dir, inst + ".conf"), self.ks_port[inst], conninfo, master,
                                   inst, self.groups, self.psk, tesla=self.tesla,
                                   extra_ks=["keepalive=0", "lease-check-ms=1000"] +
                                   (["push-window=%d" % self.a.push_window] if self.a.push_window is not None else []) +
                                   list(self.a.ks_option))
            self.start(inst, [b.agent, "--config", conf, "--name", inst,
                              "--summary", os.path.join(self.dir, inst + ".json")])
            if not siptest.wait_until(lambda: "listening on" in self.log(inst) or
                                      self.procs[inst][0].poll() is not None, 60) \
                    or self.procs[inst][0].poll() is not None:
                raise Failed("key server %s did not start (see %s)" % (inst, self.log_path(inst)))
        big = sum(len(v) for v in self.groups.values()) > 2000
        self.kamailio = hakit.kamailio_ha(self.dir, [self.ks_port[i] for i in self.instances],
                                          shm_mb=1024 if big else 256, pkg_mb=32 if big else 16,
                                          transport=self.a.ks_transport)
        if not self.kamailio.start():
            raise Failed(self.kamailio.error)
        if self.kind == "sipp":
            return self.sipp_steps()
        out = os.path.join(self.dir, "load.json")
        ks_pids = [self.procs[i][0].pid for i in self.instances]
        proxy = "sip:127.0.0.1:%d;transport=tcp" % self.kamailio.port
        cmd = [b.load_exe, "--config", self.load_config(), "--ks-pids", ",".join(str(p) for p in ks_pids),
               "--out", out, "--proxy", proxy, "--join-window", str(self.a.join_window),
               "--members-per-ua", str(self.a.members_per_ua), "--timeout-scale", str(self.a.timeout_scale),
               "--start-delay-ms", "1000"]
        roles = {i: ("pid", self.procs[i][0].pid) for i in self.instances}
        roles["kamailio"] = ("pgid", self.kamailio.p.pid)
        roles["postgresql"] = ("tree", b.pg.postmaster_pid() or 0)
        for i in self.instances:
            self.rss[i] = {"before": proc_rss_kib(self.procs[i][0].pid)}
        load = self.start("load", cmd)
        roles["load"] = ("pid", load.pid)
        roles["driver"] = ("pid", os.getpid())
        n = sum(len(j) + len(lv) for _, j, lv in self.batches)
        budget = (120 + sum(30 + 0.05 * (len(j) + len(lv)) for _, j, lv in self.batches) + 0.01 * n) * \
            self.a.timeout_scale
        end = time.monotonic() + budget
        # CPU times when each batch starts and ends (the load's lines, read
        # up to a poll late).
        snaps = []
        seen = 0
        while True:
            text = self.log("load")
            lines = BATCH_LINE.findall(text)
            if len(lines) > seen:
                snap = cpu_snapshot(roles)
                now = time.monotonic()
                for k in range(seen, len(lines)):
                    snaps.append(("%s %s" % (lines[k][2], "start" if lines[k][3] == "starting" else "end"), now, snap))
                    if lines[k][0] == "1" and lines[k][3] != "starting":
                        for i in self.instances:
                            self.rss[i]["joined"] = proc_rss_kib(self.procs[i][0].pid)
                seen = len(lines)
            if "measured:" in text:
                break
            if load.poll() is not None:
                raise Failed("conference_load exited with %s (see %s)" % (load.returncode, self.log_path("load")))
            for i in self.instances:
                if self.procs[i][0].poll() is not None:
                    raise Failed("key server %s exited with %s (see %s)" %
                                 (i, self.procs[i][0].returncode, self.log_path(i)))
            if time.monotonic() > end:
                raise Failed("conference_load not done after %.0f s (see %s)" % (budget, self.log_path("load")))
            time.sleep(0.01)
        for i in self.instances:
            self.rss[i]["end"] = proc_rss_kib(self.procs[i][0].pid)
        if self.name == "big" and self.a.settle_s > 0:
            # sofia-sip 1.12 holds each push's transaction (request, answer,
            # ACK) for a fixed 32 s after its answer (Timer D): what a member
            # costs is read once the last push has gone past that.
            time.sleep(self.a.settle_s)
            for i in self.instances:
                self.rss[i]["settled"] = proc_rss_kib(self.procs[i][0].pid)
        self.snaps = snaps
        with open(out) as f:
            self.result = json.load(f)

    def sipp_steps(self):
        calls = []
        per = {g: list(ms) for g, ms in self.groups.items()}
        while any(per.values()):  # the groups interleaved
            for g in self.groups:
                if per[g]:
                    calls.append((per[g].pop(0), g))
        roles = {i: ("pid", self.procs[i][0].pid) for i in self.instances}
        roles["kamailio"] = ("pgid", self.kamailio.p.pid)
        roles["postgresql"] = ("tree", self.b.pg.postmaster_pid() or 0)
        a = cpu_snapshot(roles)
        t = time.monotonic()
        self.sipp = hakit.sipp_join_leave(self.dir, self.b.tool, self.kamailio.port, calls, self.psk,
                                          self.a.sipp_rate, tesla=self.tesla, wall=int(120 + len(calls) / 10))
        self.cpu["sipp"] = cpu_delta(a, cpu_snapshot(roles))
        self.cpu["sipp"]["wall"] = time.monotonic() - t
        # The last rekeys and BYEs after SIPp's last call: a moment.
        time.sleep(2)
        print("scale[sipp]: %d SIPp members joined and left through Kamailio in %.1f s: %s successful, %s failed "
              "(exit %s)" % (self.sipp["calls"], self.sipp["seconds"], self.sipp["successful"], self.sipp["failed"],
                             self.sipp["rc"]), flush=True)
        if self.sipp["rc"] != 0 or self.sipp["successful"] != self.sipp["calls"]:
            self.problem("SIPp: exit %s, %s of %d calls successful (see %s/sipp-errors.log)" %
                         (self.sipp["rc"], self.sipp["successful"], self.sipp["calls"], self.dir))

    def load_config(self):
        proxy = "127.0.0.1:%d" % self.kamailio.port
        tp = ";transport=tcp"
        lines = ["[load]", "bind=sip:127.0.0.1:*" + tp, "key-server=" + hakit.KS_ID,
                 "key-server-uri=sip:%s@%s%s" % (next(iter(self.groups)), proxy, tp), "policy=aes128-sha1-80",
                 "tesla=%s" % ("true" if self.tesla else "false"), "groups=" + ";".join(self.groups),
                 "batches=" + ";".join(b[0] for b in self.batches), ""]
        for name, joins, leaves in self.batches:
            lines += ["[batch:%s]" % name, "join=" + ";".join(joins), "leave=" + ";".join(leaves), ""]
        for g, ms in self.groups.items():
            lines += ["[group:%s]" % g, "uri=sip:%s@%s%s" % (g, proxy, tp), "extra-members=0",
                      "members=" + ";".join(ms), ""]
        for m in self.psk:
            lines += ["[member:%s]" % m, "identity=sip:%s@example.org" % m, "psk=%s" % self.psk[m], ""]
        path = os.path.join(self.dir, "load.conf")
        hakit.write(path, "\n".join(lines))
        return path

    def shutdown(self):
        """The key servers first (SIGTERM: the summary; a BYE to every
        member), then the load, then Kamailio; every exit status kept."""
        n = sum(len(v) for v in self.groups.values())
        for i in self.instances:
            if i in self.procs:
                self.stop(i, 30 + n / 200)
        if "load" in self.procs:
            # Each nua shuts down in up to 5 s; most take far less.
            self.stop("load", min(180, 30 + n / 100))
        if self.kamailio is not None and self.kamailio.p is not None:
            rc = self.kamailio.stop()
            self.rcs["kamailio"] = rc
            if rc != 0:
                self.problem("kamailio exited with %s (see %s)" % (rc, self.kamailio.log_path))
        self.report = os.path.join(self.dir, "store-report.json")
        if self.instances[0] in self.procs:
            r = subprocess.run([self.b.agent, "--config", os.path.join(self.dir, "ks1.conf"), "--store-report",
                                self.report], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=120)
            if r.returncode != 0:
                self.problem("--store-report: %s" % r.stdout.strip())

    def cleanup(self):
        if self.kamailio is not None:
            self.kamailio.stop()
        for name, (p, log) in self.procs.items():
            if p.poll() is None:
                p.kill()
                p.wait()
            log.close()

    # ---- checks and figures ------------------------------------------------------

    def load_json(self, path):
        return hakit.read_json(path, self.problem)

    def check(self):
        """Correctness only: every process exited 0 (stop() and the load's
        own checks), no stale member, the counts add up."""
        kss = {i: self.load_json(os.path.join(self.dir, i + ".json")) for i in self.instances if i in self.procs}
        store = self.load_json(self.report) if os.path.exists(self.report) else None
        if any(v is None for v in kss.values()) or store is None:
            self.problem("a summary or the store report is missing")
            return
        gens = {g["name"]: g["generations"] for g in store["groups"]}
        self.served = hakit.served_by({i: self.log(i) for i in self.instances}, self.groups)
        # Members expected at the end, joins and leaves the key servers saw.
        if self.kind == "sipp":
            present = {g: [] for g in self.groups}
            joins = {g: len(ms) for g, ms in self.groups.items()}
        else:
            joined = {m for _, j, _ in self.batches for m in j}
            left = {m for _, _, lv in self.batches for m in lv}
            present = {g: [m for m in ms if m in joined and m not in left] for g, ms in self.groups.items()}
            joins = {g: len([m for m in ms if m in joined]) for g, ms in self.groups.items()}
        stale = []
        extra_joins = 0
        served_count = {i: 0 for i in self.instances}
        for g in self.groups:
            entries = [(i, x) for i, s in kss.items() for x in s["groups"] if x["name"] == g]
            # The instance that served it last: the newest epoch.
            inst, kg = max(entries, key=lambda e: (e[1]["epoch"], len(e[1]["members"])))
            if self.served.get(g) is not None:
                served_count[self.served[g]] += 1
            sum_joins = sum(x["joins"] for _, x in entries)
            extra_joins += sum_joins - joins[g]
            if sum_joins < joins[g]:
                self.problem("group %s: the key servers counted %d joins, %d members joined" % (g, sum_joins, joins[g]))
            if self.kind == "sipp":
                # Each SIPp member refuses the group key once (488): that
                # is how it leaves.
                if sum(x["push_failures"] for _, x in entries) != joins[g] or sum(x["refused"] for _, x in entries):
                    self.problem("group %s: %d push failures (expected %d, one per SIPp member), %d refused" %
                                 (g, sum(x["push_failures"] for _, x in entries), joins[g],
                                  sum(x["refused"] for _, x in entries)))
            elif sum(x["push_failures"] + x["refused"] for _, x in entries):
                self.problem("group %s: %d push failures, %d refused at the key servers" %
                             (g, sum(x["push_failures"] for _, x in entries), sum(x["refused"] for _, x in entries)))
            ids = {m["id"] for m in kg["members"]}
            want = {"sip:%s@example.org" % m for m in present[g]}
            if ids != want:
                self.problem("group %s: the key server %s has %d members, expected %d" % (g, inst, len(ids), len(want)))
            stale += [m["id"] for m in kg["members"] if m["confirmed_epoch"] != kg["epoch"]]
            gl = gens.get(g, [])
            if not gl:
                self.problem("group %s: no generation in the store" % g)
                continue
            epochs = [x["epoch"] for x in gl]
            if epochs != sorted(set(epochs)) or len({x["mki"] for x in gl}) != len(gl):
                self.problem("group %s: epochs or MKIs in the store repeat or go back" % g)
            if gl[-1]["mki"] != kg["mki"]:
                self.problem("group %s: the store's newest MKI is %s, the key server's %s" % (g, gl[-1]["mki"], kg["mki"]))
            if self.result is not None:
                for lm in self.result["load_members"]:
                    if lm["group"] == g and lm["active"] and not lm["left"] and lm["mki"] != gl[-1]["mki"]:
                        stale.append(lm["identity"])
        # A join the proxy gave up on (no answer within its fr_timer: the
        # instance was busy) and the member called again is admitted twice
        # by the key server, once per call: never more than the calls made
        # again (conference_load's join_retries).
        retries = self.result["join_retries"] if self.result is not None else 0
        self.extra_joins = extra_joins
        if self.kind != "sipp" and extra_joins > retries:
            self.problem("the key servers counted %d joins more than members joined, with only %d joins called again" %
                         (extra_joins, retries))
        self.stale = sorted(set(stale))
        if self.stale:
            self.problem("%d member(s) on a stale key: %s" % (len(self.stale), ", ".join(self.stale[:10])))
        self.groups_per_instance = served_count
        self.kss = kss
        r = self.result
        if self.kind != "sipp":
            if r is None:
                return
            if r["stale"] or r["refused_pushes"] or r["removed"] or r["join_failures"]:
                self.problem("load: %d stale, %d refused pushes, %d removed, %d failed joins" %
                             (r["stale"], r["refused_pushes"], r["removed"], r["join_failures"]))
            if sum(len(v) for v in present.values()) != sum(g["present"] for g in r["groups"]):
                self.problem("load: %d members present, expected %d" %
                             (sum(g["present"] for g in r["groups"]), sum(len(v) for v in present.values())))
        else:
            for i, s in kss.items():
                left = sum(len(x["members"]) for x in s["groups"])
                if left:
                    self.problem("%s still lists %d SIPp members" % (i, left))
            if sum(x["leaves"] for s in kss.values() for x in s["groups"]) < sum(joins.values()):
                self.problem("the key servers counted fewer leaves than SIPp calls")

    def phase_cpu(self, first, last):
        """CPU per role from the start of batch |first| to the end of batch
        |last| (names); "other": the machine's busy time no role accounts
        for (processes not started here)."""
        names = [s[0] for s in self.snaps]
        a, b = self.snaps[names.index(first + " start")], self.snaps[names.index(last + " end")]
        d = cpu_delta(a[2], b[2])
        d["wall"] = b[1] - a[1]
        d["other"] = d["machine_busy"] - sum(v for k, v in d.items() if k not in ("machine_busy", "machine_all", "wall"))
        return d

    def figures(self):
        r = self.result
        out = {"name": self.name, "instances": len(self.instances), "groups": len(self.groups),
               "problems": self.problems, "rcs": {k: str(v) for k, v in self.rcs.items()},
               "groups_per_instance": getattr(self, "groups_per_instance", {}),
               "stale": len(getattr(self, "stale", [])), "seconds": getattr(self, "seconds", 0),
               "joins_counted_twice": getattr(self, "extra_joins", 0)}
        if self.kind == "sipp":
            out["sipp"] = getattr(self, "sipp", None)
            out["cpu"] = self.cpu
            out["ks"] = {i: {"joins": sum(x["joins"] for x in s["groups"]),
                             "leaves": sum(x["leaves"] for x in s["groups"]),
                             "rekeys": sum(x["rekeys"] for x in s["groups"]),
                             "refused_served_elsewhere": sum(x["refused_served_elsewhere"] for x in s["groups"])}
                         for i, s in getattr(self, "kss", {}).items() if s}
            return out
        if r is None:
            return out
        bs = r["batches"]
        join = bs[0]
        out["members"] = join["joins"]
        out["join_s"] = join["start_to_settled_us"] / 1e6
        out["joins_per_s"] = join["joins"] / out["join_s"] if out["join_s"] else 0
        out["join_retries"] = r["join_retries"]
        out["cpu"] = {"join": self.phase_cpu(bs[0]["name"], bs[0]["name"])}
        if len(bs) > 1:
            rest = bs[1:]
            t = sum(x["start_to_settled_us"] for x in rest) / 1e6
            out["rekey_batches"] = len(rest)
            out["rekeys"] = sum(x["leaves"] for x in rest)
            out["rekey_joins"] = sum(x["joins"] for x in rest)
            out["rekey_s"] = t
            out["rekeys_per_s"] = out["rekeys"] / t if t else 0
            out["cpu"]["rekey"] = self.phase_cpu(bs[1]["name"], bs[-1]["name"])
        ms = sorted(x["bye_to_last_us"] / 1e3 for x in r["leaves"])
        if ms:
            out["leaves"] = len(ms)
            out["bye_to_last_p50_ms"] = statistics.median(ms)
            out["bye_to_last_p99_ms"] = ms[min(len(ms) - 1, int(round(0.99 * (len(ms) - 1))))]
            out["bye_to_last_max_ms"] = ms[-1]
            out["reach_max"] = max(x["reach"] for x in r["leaves"])
        mem = {}
        first = set(self.batches[0][1])
        for i in self.instances:
            rs = self.rss.get(i, {})
            joined_members = sum(len([m for m in self.groups[g] if m in first])
                                 for g in self.groups if getattr(self, "served", {}).get(g) == i)
            mem[i] = {"rss_before_kib": rs.get("before", 0), "rss_joined_kib": rs.get("joined", 0),
                      "rss_end_kib": rs.get("end", 0), "members_served": joined_members,
                      "kib_per_member_joined": (rs.get("joined", 0) - rs.get("before", 0)) / joined_members
                      if joined_members else None,
                      "kib_per_member_end": (rs.get("end", 0) - rs.get("before", 0)) / joined_members
                      if joined_members else None}
            # sofia-sip keeps what each push cost until the member's dialog
            # ends (docs/bench.md), so growth per push is the figure that
            # says whether a change helped, whatever the run's push count.
            ks = getattr(self, "kss", {}).get(i) or {}
            pushes = sum(x["pushes"] for x in ks.get("groups", []))
            settled = rs.get("settled")
            mem[i].update({"rss_settled_kib": settled, "settle_s": self.a.settle_s if settled else 0,
                           "kib_per_member_settled": (settled - rs.get("before", 0)) / joined_members
                           if settled and joined_members else None,
                           "pushes": pushes,
                           "kib_per_push": (rs.get("end", 0) - rs.get("before", 0)) / pushes if pushes else None,
                           "push_window": ks.get("push_window"), "pushes_out_max": ks.get("pushes_out_max"),
                           "pushes_waited": ks.get("pushes_waited")})
        out["memory"] = mem
        out["pushes"] = sum(x["pushes"] for s in getattr(self, "kss", {}).values() if s for x in s["groups"])
        return out


# ---- the bench ---------------------------------------------------------------------

class Bench:
    def __init__(self, a):
        self.a = a
        self.dir = a.keep or tempfile.mkdtemp(prefix="mikey-bench-scale-")
        os.makedirs(self.dir, exist_ok=True)
        self.agent = os.path.join(a.build, "sip-agent", "agent", "mikey-sip-agent")
        self.load_exe = os.path.join(a.build, "bench", "conference_load")
        self.tool = os.path.join(a.build, "tools", "mikey-tool")
        self.pg = None
        self.current = None
        self.rows = []

    def conf_ks(self, instances):
        """ks1 / ks2: the same load; one leaver per group per wave."""
        a = self.a
        groups = {"s%03d" % g: ["s%03dm%03d" % (g, k) for k in range(a.group_size)] for g in range(a.groups)}
        joins = [groups[g][k] for k in range(a.group_size) for g in groups]  # the groups interleaved
        waves = [("wave%d" % (w + 1), [], [groups[g][w] for g in groups]) for w in range(a.waves)]
        return Config(self, "ks%d" % instances, instances, groups, [("join", joins, [])] + waves, a.tesla == "on")

    def conf_leave500(self):
        a = self.a
        n, ng = a.leave_members, a.leave_groups
        groups = {"r%02d" % g: ["r%02dm%04d" % (g, k) for k in range(n // ng + (1 if g < n % ng else 0))]
                  for g in range(ng)}
        joins = [ms[k] for k in range(max(len(v) for v in groups.values())) for ms in groups.values() if k < len(ms)]
        names = list(groups)
        batches = [("join", joins, [])]
        for k in range(a.leaves):
            g = names[k % ng]
            batches.append(("leave%d" % (k + 1), [], [groups[g][k // ng]]))
        return Config(self, "leave500", 2, groups, batches, a.leave_tesla == "on")

    def conf_big(self):
        a = self.a
        n, ng = a.members_big, a.groups_big
        per = [n // ng + (1 if g < n % ng else 0) for g in range(ng)]
        churn = [int(round(p * a.churn)) for p in per]
        groups = {"b%03d" % g: ["b%03dm%04d" % (g, k) for k in range(per[g] + churn[g])] for g in range(ng)}
        names = list(groups)
        joins = [groups[g][k] for k in range(max(per)) for i, g in enumerate(names) if k < per[i]]
        batches = [("join", joins, [])]
        nb = max(1, min(a.churn_batches, max(churn) if churn else 1))
        for b in range(nb):
            j, lv = [], []
            for i, g in enumerate(names):
                # Leavers from the first joined, newcomers from the pool.
                for k in range(churn[i] * b // nb, churn[i] * (b + 1) // nb):
                    lv.append(groups[g][k])
                    j.append(groups[g][per[i] + k])
            batches.append(("churn%d" % (b + 1), j, lv))
        return Config(self, "big", 2, groups, batches, False)

    def conf_sipp(self):
        a = self.a
        ng = min(a.sipp_groups, a.sipp)
        groups = {"p%03d" % g: ["p%03ds%04d" % (g, k) for k in range(a.sipp // ng + (1 if g < a.sipp % ng else 0))]
                  for g in range(ng)}
        return Config(self, "sipp", 2, groups, [], a.tesla == "on", kind="sipp")

    def run(self):
        for exe in (self.agent, self.load_exe):
            if not os.access(exe, os.X_OK):
                raise Failed("%s is not built (meson -Dbench=true -Dsip_agent=enabled)" % exe)
        self.pg = pgcluster.PgCluster()
        self.pg.create()
        plan = []
        only = set(self.a.only.split(",")) if self.a.only else None
        for name, make in (("ks1", lambda: self.conf_ks(1)), ("ks2", lambda: self.conf_ks(2)),
                           ("leave500", self.conf_leave500), ("big", self.conf_big)):
            if only is None or name in only:
                plan.append(make)
        if self.a.sipp and (only is None or "sipp" in only):
            plan.append(self.conf_sipp)
        for make in plan:
            c = make()
            self.current = c
            print("scale[%s]: %d instance(s), %d groups, %d members, %d batches; in %s" %
                  (c.name, len(c.instances), len(c.groups), sum(len(v) for v in c.groups.values()), len(c.batches),
                   c.dir), flush=True)
            try:
                c.run()
            finally:
                c.cleanup()
                self.current = None
            self.rows.append(c)

    def cleanup(self):
        if self.current is not None:
            self.current.cleanup()
        if self.pg is not None:
            self.pg.cleanup()


def pct(x, wall):
    return 100.0 * x / wall if wall else 0.0


def report(bench, a, took):
    figs = {c.name: c.figures() for c in bench.rows}
    out = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": machine(), "build": a.build,
           "options": vars(a), "configurations": figs, "seconds": took}
    k1, k2 = figs.get("ks1"), figs.get("ks2")
    print()
    print("bench/scale: loopback, psk, aes128-sha1-80, members through Kamailio (kamailio-ha.cfg) to "
          "mikey-sip-agent key servers on one PostgreSQL; %s" % out["machine"])
    if k1 and k2 and k1.get("joins_per_s") and k2.get("joins_per_s"):
        out["joins_ratio"] = k2["joins_per_s"] / k1["joins_per_s"]
        out["rekeys_ratio"] = k2.get("rekeys_per_s", 0) / k1["rekeys_per_s"] if k1.get("rekeys_per_s") else None
        print()
        print("1 vs 2 instances: %d groups x %d members, %d wave(s) of %d concurrent leaves, join window %d, TESLA %s" %
              (a.groups, a.group_size, a.waves, a.groups, a.join_window, a.tesla))
        print("%-10s %9s %9s %9s %9s %8s %s" % ("", "joins/s", "join s", "rekeys/s", "rekey s", "retries",
                                                "groups per instance"))
        for f in (k1, k2):
            print("%-10s %9.1f %9.2f %9.1f %9.2f %8d %s" % (f["name"], f["joins_per_s"], f["join_s"],
                                                          f.get("rekeys_per_s", 0), f.get("rekey_s", 0),
                                                          f["join_retries"], f["groups_per_instance"]))
        print("%-10s %9.2fx %28.2fx   (target >= 1.7x with 2)" % ("ratio", out["joins_ratio"],
                                                                   out["rekeys_ratio"] or 0))
        print()
        print("CPU seconds per phase (and % of the phase's wall time; 2 cores = 200 %; driver: this script, "
              "other: processes not started here, machine_busy: every process, /proc/stat):")
        roles = ["ks1", "ks2", "kamailio", "postgresql", "load", "driver", "other", "machine_busy"]
        print("%-16s %7s " % ("", "wall s") + " ".join("%17s" % r for r in roles))
        for f in (k1, k2):
            for ph in ("join", "rekey"):
                c = f["cpu"].get(ph)
                if c is None:
                    continue
                print("%-16s %7.2f " % ("%s %s" % (f["name"], ph), c["wall"]) +
                      " ".join("%17s" % ("%6.2f (%4.0f%%)" % (c[r], pct(c[r], c["wall"])) if r in c else "-")
                               for r in roles))
    lv = figs.get("leave500")
    if lv and "bye_to_last_p50_ms" in lv:
        print()
        print("BYE -> last member on the new key, %d members as %d groups (TESLA %s), 2 instances, %d leaves one at "
              "a time (each reaching up to %d members): p50 %.2f ms, p99 %.2f ms, max %.2f ms" %
              (lv["members"], lv["groups"], a.leave_tesla, lv["leaves"], lv["reach_max"], lv["bye_to_last_p50_ms"],
               lv["bye_to_last_p99_ms"], lv["bye_to_last_max_ms"]))
    bg = figs.get("big")
    if bg and "members" in bg:
        print()
        print("big: %d members over %d groups, 2 instances; joined in %.1f s (%.1f joins/s); churn: %d left and %d "
              "joined in %d batches, %.1f s; %d pushes; stale %d; exit statuses %s; groups per instance %s; joins called again "
              "after a 503 %d (admitted twice by a key server: %d)" %
              (bg["members"], bg["groups"], bg["join_s"], bg["joins_per_s"], bg.get("rekeys", 0),
               bg.get("rekey_joins", 0), bg.get("rekey_batches", 0), bg.get("rekey_s", 0), bg["pushes"], bg["stale"],
               bg["rcs"], bg["groups_per_instance"], bg["join_retries"], bg["joins_counted_twice"]))
        for i, m in bg["memory"].items():
            print("  %s: VmRSS %d KiB before, %d joined, %d at the end; %d members served: %.1f KiB/member joined, "
                  "%.1f at the end" % (i, m["rss_before_kib"], m["rss_joined_kib"], m["rss_end_kib"],
                                       m["members_served"], m["kib_per_member_joined"] or 0,
                                       m["kib_per_member_end"] or 0))
            if m.get("rss_settled_kib"):
                print("      %d KiB %.0f s after the last push: %.1f KiB/member" %
                      (m["rss_settled_kib"], m["settle_s"], m["kib_per_member_settled"] or 0))
            print("      %d pushes: %.1f KiB/push; push window %s, at most %s out at once, %s waited" %
                  (m.get("pushes", 0), m.get("kib_per_push") or 0, m.get("push_window"), m.get("pushes_out_max"),
                   m.get("pushes_waited")))
    sp = figs.get("sipp")
    if sp and sp.get("sipp"):
        s = sp["sipp"]
        print()
        print("SIPp: %d members over %d groups joined and left through Kamailio in %.1f s: %s successful, %s failed "
              "(exit %s); key servers exit %s; %s" % (s["calls"], sp["groups"], s["seconds"], s["successful"],
                                                      s["failed"], s["rc"], sp["rcs"], sp.get("ks")))
    print()
    for c in bench.rows:
        print("%-9s %s" % (c.name, "OK" if not c.problems else "FAILED: " + "; ".join(c.problems[:3])))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(out, f, indent=1)
    return out


def machine():
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    except OSError:
        model = "?"
    return "%s, %d CPU(s), %.0f GiB" % (model, os.cpu_count(),
                                        os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build", help="meson build directory (default build; use a release build)")
    ap.add_argument("--groups", type=int, default=40, help="ks1/ks2: groups (default 40)")
    ap.add_argument("--group-size", type=int, default=25, help="ks1/ks2: members per group (default 25)")
    ap.add_argument("--waves", type=int, default=10, help="ks1/ks2: rekey waves, one leaver per group (default 10)")
    ap.add_argument("--tesla", choices=["on", "off"], default="off",
                    help="ks1/ks2 and sipp: TESLA parameters from every sender (default off)")
    ap.add_argument("--join-window", type=int, default=64, help="joins unanswered at once (default 64)")
    ap.add_argument("--leave-members", type=int, default=500, help="leave500: members (default 500)")
    ap.add_argument("--leave-groups", type=int, default=5, help="leave500: groups (default 5: 100 each)")
    ap.add_argument("--leave-tesla", choices=["on", "off"], default="on", help="leave500: TESLA (default on, as members run)")
    ap.add_argument("--leaves", type=int, default=100, help="leave500: BYEs one at a time (default 100)")
    ap.add_argument("--members-big", type=int, default=10000, help="big: members (default 10000)")
    ap.add_argument("--groups-big", type=int, default=100, help="big: groups (default 100)")
    ap.add_argument("--churn", type=float, default=0.10, help="big: fraction leaving, as many joining (default 0.10)")
    ap.add_argument("--churn-batches", type=int, default=10, help="big: churn batches (default 10)")
    ap.add_argument("--sipp", type=int, default=0, help="SIPp members joining and leaving (default 0: no SIPp)")
    ap.add_argument("--sipp-groups", type=int, default=100, help="sipp: groups (default 100)")
    ap.add_argument("--sipp-rate", type=float, default=100, help="SIPp calls per second (default 100)")
    ap.add_argument("--ks-transport", choices=["tcp", "udp"], default="tcp",
                    help="Kamailio to the key servers (default tcp: a burst of answers to pushes overflows a "
                         "UDP receive buffer, and each lost datagram costs a retransmission, 0.5 s and up)")
    ap.add_argument("--members-per-ua", type=int, default=40, help="simulated members per nua (default 40)")
    ap.add_argument("--push-window", type=int, default=None,
                    help="the key servers' push-window (default: theirs; 0: no bound, as before the window)")
    ap.add_argument("--settle-s", type=float, default=None,
                    help="big: read the key servers' VmRSS again this long after the last batch (default 35, "
                         "past sofia-sip's 32 s hold of each push; 0 with --smoke)")
    ap.add_argument("--ks-option", action="append", default=[], metavar="KEY=VALUE",
                    help="one more [key-server] line for every instance (repeatable)")
    ap.add_argument("--timeout-scale", type=float, default=1.0, help="multiply every time bound (default 1)")
    ap.add_argument("--only", help="comma-separated configurations: ks1,ks2,leave500,big,sipp")
    ap.add_argument("--smoke", action="store_true",
                    help="a short correctness run: 4 x 5 members, 2 waves; 20 members in 2 groups, 4 leaves; "
                         "40 members in 4 groups with churn")
    ap.add_argument("--out", help="write the figures here (JSON)")
    ap.add_argument("--keep", help="keep configurations, logs and summaries under this directory")
    a = ap.parse_args()
    if a.smoke:
        a.groups, a.group_size, a.waves = 4, 5, 2
        a.leave_members, a.leave_groups, a.leaves = 20, 2, 4
        a.members_big, a.groups_big, a.churn_batches = 40, 4, 2
    if a.settle_s is None:
        a.settle_s = 0 if a.smoke else 35
    cap = MAX_TESLA_SENDERS if a.tesla == "on" else MAX_SENDERS
    leave_cap = MAX_TESLA_SENDERS if a.leave_tesla == "on" else MAX_SENDERS
    if (a.groups < 1 or not 2 <= a.group_size <= cap or not 0 <= a.waves < a.group_size or a.join_window < 1
            or a.leave_groups < 1 or -(-a.leave_members // a.leave_groups) > leave_cap
            or not 0 <= a.leaves < a.leave_members - a.leave_groups
            or a.groups_big < 1 or -(-a.members_big // a.groups_big) * (1 + a.churn) > MAX_SENDERS
            or not 0 <= a.churn < 0.5 or a.churn_batches < 1 or a.sipp < 0 or a.sipp_groups < 1):
        ap.error("sizes: at least one group, at most %d members per group (%d with TESLA), fewer waves than "
                 "members per group, fewer leaves than members" % (MAX_SENDERS, MAX_TESLA_SENDERS))
    missing = [what for what, ok in (("kamailio", os.access(shutil.which("kamailio") or "/usr/sbin/kamailio", os.X_OK)),
                                     ("PostgreSQL", bool(glob.glob("/usr/lib/postgresql/*/bin/postgres"))))
               if not ok]
    if missing:
        print("scale: SKIP: %s not installed (scripts/install-deps.sh)" % " and ".join(missing))
        return 77
    bench = Bench(a)

    def on_term(*_):
        TERMINATING.append(True)
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    t0 = time.monotonic()
    failed = False
    try:
        bench.run()
    except (Failed, OSError, RuntimeError, subprocess.CalledProcessError) as e:
        print("scale: FAILED: %s" % e, file=sys.stderr)
        failed = True
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        bench.cleanup()
    took = time.monotonic() - t0
    report(bench, a, took)
    failed = failed or any(c.problems for c in bench.rows)
    if failed:
        print("scale: FAILED (%.1f s); logs in %s" % (took, bench.dir))
        return 1
    if not a.keep:
        shutil.rmtree(bench.dir, ignore_errors=True)
    print("scale: OK (%.1f s)" % took)
    return 0


if __name__ == "__main__":
    sys.exit(main())
