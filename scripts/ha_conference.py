#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""ha_conference.py - several key servers on one PostgreSQL behind Kamailio,
and what survives when one of them, or the database, goes away.

Everything runs on 127.0.0.1, started here: a throwaway PostgreSQL cluster
(tests/sip/pgcluster.py), two mikey-sip-agent key-server instances on it
(one master key file, one identity, instance names ks1 and ks2), Kamailio
with samples/kamailio/kamailio-ha.cfg (dispatcher: a conference's URI pins
it to one instance, the next one takes over when it stops answering), and
--groups groups of --members members, each a mikey-sip-agent process with
group SRTP and TESLA media, reaching the key servers only through
Kamailio.

  --scenario kill        --at seconds after every member is keyed, SIGKILL
                         the instance serving the first group; its members
                         notice (in-dialog OPTIONS), rejoin through
                         Kamailio and the other instance continues each
                         group at the next epoch
  --scenario db-restart  --at seconds after every member is keyed, stop
                         PostgreSQL for --outage seconds while a member of
                         each group leaves and another calls: no
                         key may be issued while it is away; the rekey
                         follows once it is back

One member of every group leaves (kill: once the moved members hold the
other instance's generation; the first group's leaver then listens on the
relays' tap with every key it held); --after seconds later everyone else
leaves, and the checks run:
  - no group lost: every group served at the end, every member keyed;
  - no epoch or MKI issued twice with other key material: the store's
    generations (`mikey-sip-agent --store-report`: epoch, MKI and the
    fingerprint of the key material) against every member's key log;
    epochs only move forward;
  - kill: the groups of the killed instance went on at a later epoch at
    the other one, and their members rejoined there;
  - db-restart: nothing issued while the database was away, the deferred
    rekey issued after it came back;
  - no member left on a stale key: every member that stayed took the
    rekey that followed its group's leaver;
  - the leavers decrypt nothing after they left.

  /usr/bin/python3 scripts/ha_conference.py --build build [--scenario kill]
      [--groups 3] [--members 3] [--at 4] [--after 8] [--outage 6]
      [--sipp N [--sipp-rate R]] [--keep DIR]

Prints a summary and exits non-zero, saying why, when a check fails.
"""
import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "sip"))
import hakit  # noqa: E402
import pgcluster  # noqa: E402
import siptest  # noqa: E402
from hakit import KS_ID, write  # noqa: E402

INSTANCES = ("ks1", "ks2")
MEMBER_BOUND_S = 300  # members' own duration: only a bound


class HaConference:
    def __init__(self, a):
        self.a = a
        self.dir = a.keep or tempfile.mkdtemp(prefix="mikey-ha-")
        os.makedirs(self.dir, exist_ok=True)
        self.agent = os.path.join(a.build, "sip-agent", "agent", "mikey-sip-agent")
        self.plugin = os.path.join(a.build, "gst-plugin")
        self.tool = os.path.join(a.build, "tools", "mikey-tool")
        self.failures = []
        self.procs = {}
        self.groups = ["conf%d" % (i + 1) for i in range(a.groups)]
        self.members = {g: ["%s-m%d" % (g, j + 1) for j in range(a.members)] for g in self.groups}
        # db-restart: one more member of the first group calls while the
        # database is away: refused (503, Retry-After), it calls again.
        self.late = None
        if a.scenario == "db-restart":
            self.late = "%s-late" % self.groups[0]
            self.members[self.groups[0]].insert(0, self.late)
        self.all_members = [m for g in self.groups for m in self.members[g]]
        # --sipp: SIPp's members, one identity per call, spread over the groups.
        self.sipp_members = {g: ["%s-s%d" % (g, j + 1) for j in range(len(range(i, a.sipp, len(self.groups))))]
                             for i, g in enumerate(self.groups)}
        self.group_of = {m: g for g in self.groups for m in self.members[g]}
        self.psk = {m: secrets.token_hex(16) for m in self.all_members +
                    [x for g in self.groups for x in self.sipp_members[g]]}
        self.sipp_result = None
        self.leaver = {g: self.members[g][-1] for g in self.groups}
        # The first group's leaver listens on the relays' tap after it left
        # (the tap carries every group's packets: one listener at a time).
        self.eavesdropper = self.leaver[self.groups[0]]
        self.ks_port = {i: siptest.free_udp_tcp_port() for i in INSTANCES}
        self.tap_port = siptest.free_port()
        self.pg = None
        self.kamailio = None
        self.event_at = None   # wall clock (s) of the kill / the database stop
        self.back_at = None    # wall clock (s) the database came back
        self.victim = None

    def fail(self, why):
        self.failures.append(why)
        print("ha-conference: FAILED: " + why, file=sys.stderr)

    # ---- configurations ---------------------------------------------------

    def ks_config(self, inst):
        return hakit.ks_config(os.path.join(self.dir, inst + ".conf"), self.ks_port[inst], self.pg.conninfo,
                               "%s/master.key" % self.dir, inst,
                               {g: self.members[g] + self.sipp_members[g] for g in self.groups}, self.psk,
                               extra_ks=["relay-tap=127.0.0.1:%d" % self.tap_port, "sip-timeout-ms=3000",
                                         # Members watch the key servers (ks-keepalive), not the
                                         # reverse: SIPp's members could not answer in-dialog OPTIONS.
                                         "keepalive=0", "lease-check-ms=500"])

    def member_config(self, m):
        g = self.group_of[m]
        proxy = "127.0.0.1:%d" % self.kamailio.port
        lines = ["[agent]", "role=member", "identity=sip:%s@example.org" % m,
                 "bind=sip:127.0.0.1:%d" % siptest.free_udp_tcp_port(), "media-addr=127.0.0.1",
                 "psk=%s" % self.psk[m], "plugin-path=%s" % self.plugin, "",
                 "[member]", "group-uri=sip:%s@%s" % (g, proxy), "proxy=sip:" + proxy,
                 "key-server=" + KS_ID, "mode=psk", "tesla=true",
                 # A bound only: this script makes members leave (SIGTERM: BYE).
                 "duration=%d" % MEMBER_BOUND_S,
                 "ks-keepalive=1000", "rejoin-timeout=30000", "sip-timeout-ms=3000"]
        if m == self.eavesdropper:
            # One tap per instance, for every group: one listener. After a
            # leave in a database outage the rekey waits for the database
            # (the documented cost): listen once it can have happened.
            delay = 1.5 if self.a.scenario == "kill" else self.a.outage + 3
            lines += ["eavesdrop=127.0.0.1:%d" % self.tap_port, "eavesdrop-delay=%g" % delay, "eavesdrop-for=3"]
        path = os.path.join(self.dir, m + ".conf")
        write(path, "\n".join(lines) + "\n")
        return path

    # ---- processes ----------------------------------------------------------

    def start(self, name, config):
        log = open(os.path.join(self.dir, name + ".log"), "w")
        summary = os.path.join(self.dir, name + ".json")
        argv = [self.agent, "--config", config, "--name", name, "--summary", summary]
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        self.procs[name] = (p, log, summary)
        return p

    def log(self, name):
        return siptest.read(os.path.join(self.dir, name + ".log"))

    def served_by(self):
        """group -> instance, from the instances' logs ("served here")."""
        return hakit.served_by({inst: self.log(inst) for inst in INSTANCES}, self.groups)

    def run(self):
        if not os.access(self.agent, os.X_OK):
            return self.fail("%s is not built" % self.agent)
        self.pg = pgcluster.PgCluster()
        try:
            self.pg.create()
        except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
            return self.fail("PostgreSQL: %s" % e)
        write(os.path.join(self.dir, "master.key"), secrets.token_hex(32) + "\n")
        # Transactions of pushes naming many senders, under load: more than
        # the loopback tests' 32 MB of shared memory.
        self.kamailio = hakit.kamailio_ha(self.dir, [self.ks_port[i] for i in INSTANCES], shm_mb=256, pkg_mb=16)
        for inst in INSTANCES:
            self.start(inst, self.ks_config(inst))
        for inst in INSTANCES:
            if not siptest.wait_until(lambda: "listening on" in self.log(inst) or self.procs[inst][0].poll() is not None,
                                      20) or self.procs[inst][0].poll() is not None:
                return self.fail("key server %s did not start (see %s/%s.log)" % (inst, self.dir, inst))
        if not self.kamailio.start():
            return self.fail(self.kamailio.error)
        for m in self.all_members:
            if m != self.late:
                self.start(m, self.member_config(m))
                time.sleep(0.1)
        # Every member keyed before the event, or the event proves nothing.
        first = [m for m in self.all_members if m != self.late]
        if not siptest.wait_until(lambda: all("group key:" in self.log(m) for m in first), 60):
            return self.fail("not every member was keyed within 60 s: %s" %
                             [m for m in first if "group key:" not in self.log(m)])
        if self.a.sipp:
            self.sipp_load()
        time.sleep(self.a.at)  # media before the event
        if self.a.scenario == "kill":
            self.kill()
        else:
            self.db_restart()
        time.sleep(self.a.after)  # media after it, and the leaver listening
        # The end: everyone else leaves (BYE), one at a time as people do,
        # each leave rekeying the rest.
        for m in self.all_members:
            if self.procs[m][0].poll() is None and m not in self.leaver.values():
                self.procs[m][0].send_signal(signal.SIGTERM)
                time.sleep(0.3)
        deadline = time.monotonic() + 60
        for m in self.all_members:
            p = self.procs[m][0]
            try:
                rc = p.wait(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                rc = "killed after the deadline"
            if rc != 0:
                self.fail("member %s exited with %s (see %s/%s.log)" % (m, rc, self.dir, m))
        for inst in INSTANCES:
            if inst == self.victim:
                continue
            rc = siptest.stop_process(self.procs[inst][0], timeout=15)
            if rc != 0:
                self.fail("key server %s exited with %s" % (inst, rc))
        self.report = os.path.join(self.dir, "store-report.json")
        r = subprocess.run([self.agent, "--config", os.path.join(self.dir, "ks1.conf"), "--store-report", self.report],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
        if r.returncode != 0:
            self.fail("--store-report: %s" % r.stdout.strip())

    def sipp_load(self):
        """SIPp's members join and leave (they refuse the group key, so the
        key server removes them and rekeys) while the media members talk:
        --sipp calls at --sipp-rate per second, through Kamailio."""
        calls = [(m, g) for g in self.groups for m in self.sipp_members[g]]
        calls.sort(key=lambda c: int(c[0].rsplit("-s", 1)[1]))  # the groups interleaved
        self.sipp_result = r = hakit.sipp_join_leave(self.dir, self.tool, self.kamailio.port, calls, self.psk,
                                                     self.a.sipp_rate)
        print("SIPp: %d members joined and left through Kamailio in %.1fs: %s successful, %s failed (exit %s)" %
              (r["calls"], r["seconds"], r["successful"], r["failed"], r["rc"]))
        if r["rc"] != 0 or r["successful"] != r["calls"]:
            self.fail("SIPp load: exit %s, %s of %d calls successful (see %s/sipp-errors.log)" %
                      (r["rc"], r["successful"], r["calls"], self.dir))

    def kill(self):
        served = self.served_by()
        # The instance serving the first group: its leaver is the one that
        # listens afterwards, so the failed-over group is the one checked.
        self.victim = served.get(self.groups[0], INSTANCES[0])
        self.victim_groups = [g for g in self.groups if served.get(g) == self.victim]
        print("groups served before the kill: %s; SIGKILL %s" %
              (", ".join("%s at %s" % (g, served.get(g, "?")) for g in self.groups), self.victim))
        self.event_at = time.time()
        p = self.procs[self.victim][0]
        p.send_signal(signal.SIGKILL)
        p.wait()
        # Then one member of every group leaves, once the killed instance's
        # members hold the other one's generation.
        moved = [m for g in self.victim_groups for m in self.members[g]]
        if not siptest.wait_until(lambda: all("rekeyed " in self.log(m) for m in moved), 40):
            self.fail("not every member of the killed instance rejoined within 40 s: %s" %
                      [m for m in moved if "rekeyed " not in self.log(m)])
        time.sleep(1)
        self.leave()

    def leave(self):
        """One member of every group leaves (SIGTERM: it sends BYE)."""
        for g in self.groups:
            self.procs[self.leaver[g]][0].send_signal(signal.SIGTERM)

    def db_restart(self):
        print("stopping PostgreSQL for %gs" % self.a.outage)
        self.event_at = time.time()
        self.pg.stop()
        # A member calls now (its process takes a moment to start, more so
        # under the sanitizers: the outage must outlast that).
        self.start(self.late, self.member_config(self.late))
        time.sleep(1)
        self.leave()  # the rekeys these leaves call for wait for the database
        time.sleep(max(0.0, self.a.outage - 1))
        self.back_at = time.time()  # before the start: nothing can be issued earlier
        try:
            self.pg.start()
        except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
            self.fail("restarting PostgreSQL: %s" % e)

    # ---- checks ----------------------------------------------------------

    def load(self, path):
        return hakit.read_json(path, self.fail)

    def check(self):
        store = self.load(self.report)
        ms = {m: self.load(self.procs[m][2]) for m in self.all_members}
        kss = {i: self.load(self.procs[i][2]) for i in INSTANCES if i != self.victim}
        if store is None or any(v is None for v in ms.values()) or any(v is None for v in kss.values()):
            return
        gens = {g["name"]: g["generations"] for g in store["groups"]}
        print()
        print("%s: %d groups x %d members, 2 key servers on PostgreSQL behind Kamailio" %
              (self.a.scenario, len(self.groups), self.a.members))
        for g in self.groups:
            self.check_group(g, gens.get(g, []), ms)
        for i, s in kss.items():
            print("instance %s: store outages %d, notifications heard %d; %s" %
                  (i, s.get("store_outages", 0), s.get("notes_heard", 0),
                   ", ".join("%s: served %s, joins %d, deferred rekeys %d, refused elsewhere %d / store away %d" %
                             (x["name"], x["served_here"], x["joins"], x["deferred_rekeys"],
                              x["refused_served_elsewhere"], x["refused_store_unavailable"]) for x in s["groups"])))
        if self.a.scenario == "kill":
            self.report_failover(ms)
        if self.a.sipp:
            joins = sum(x["joins"] for s in kss.values() for x in s["groups"])
            print("joins served by the surviving instance(s): %d (media members and rejoins included)" % joins)
        if self.a.scenario == "db-restart":
            if not any(s.get("store_outages", 0) > 0 for s in kss.values()):
                self.fail("no key server noticed the database was away")
            if not any(x["deferred_rekeys"] > 0 for s in kss.values() for x in s["groups"]):
                self.fail("no rekey was deferred while the database was away (a leaver left during the outage)")
            late = ms[self.late]
            print("%s called while the database was away: refused %d time(s), called again %d time(s) itself "
                  "(sofia-sip retries after Retry-After first), keys %s" % (self.late, sum(x["refused_store_unavailable"] for s in kss.values() for x in s["groups"]),
                               late.get("join_retries", 0), ",".join(k["mki"] for k in late.get("key_log", []))))
            if not any(x["refused_store_unavailable"] > 0 for s in kss.values() for x in s["groups"]):
                self.fail("no join was refused while the database was away")
            # Its join is served only once the store is back: its first key
            # is a generation issued after the database came back.
            issued = {x["mki"]: x["issued_at_us"] / 1e6 for g in store["groups"] for x in g["generations"]
                      if g["name"] == self.groups[0]}
            first = late.get("key_log", [{}])[0].get("mki")
            if first is None or issued.get(first, 0) < self.back_at:
                self.fail("%s was keyed with %s, not with a generation issued after the database came back" %
                          (self.late, first))

    def report_failover(self, ms):
        """How long the killed instance's members took: to notice (their
        OPTIONS), to be answered by the other instance through Kamailio,
        and to hold its next generation."""
        rows = []
        for g in self.victim_groups:
            for m in self.members[g]:
                s = ms[m]
                for f, lost in zip(s.get("failovers", []), s.get("ks_lost_at", [])):
                    rows.append((lost / 1000.0 - self.event_at, f.get("rejoined_after_ms", -1),
                                 f.get("rekeyed_after_ms", -1)))
        if not rows:
            return
        med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
        print("failover of %d member(s): noticed %.1f s after the kill (median; max %.1f), answered by the other "
              "instance %d ms later (median; max %d), on its next generation %d ms after noticing (median; max %d)" %
              (len(rows), med([r[0] for r in rows]), max(r[0] for r in rows), med([r[1] for r in rows]),
               max(r[1] for r in rows), med([r[2] for r in rows]), max(r[2] for r in rows)))

    def check_group(self, g, gens, ms):
        epochs = [x["epoch"] for x in gens]
        mkis = [x["mki"] for x in gens]
        fp_of = {x["mki"]: x.get("fp") for x in gens}
        print("%s: %d epochs in the store, %d to %d" % (g, len(epochs), epochs[0], epochs[-1]) if epochs
              else "%s: no epochs in the store" % g)
        if not gens:
            return self.fail("%s: no generation in the store" % g)
        if epochs != sorted(set(epochs)):
            self.fail("%s: epochs do not only move forward: %s" % (g, epochs))
        if len(set(mkis)) != len(mkis):
            self.fail("%s: an MKI issued twice: %s" % (g, mkis))
        # Every key a member installed is the store's generation of that
        # MKI: same key material (fingerprint), so no MKI was ever issued
        # with other key material, across the kill too.
        for m in self.members[g]:
            for k in ms[m].get("key_log", []):
                if k["mki"] not in fp_of:
                    self.fail("%s installed MKI %s, which the store never issued for %s" % (m, k["mki"], g))
                elif fp_of[k["mki"]] != k["fp"]:
                    self.fail("%s: MKI %s installed with key material %s, the store's is %s" %
                              (m, k["mki"], k["fp"], fp_of[k["mki"]]))
        # After the event: a later epoch, issued after it.
        later = [x for x in gens if x["issued_at_us"] / 1e6 > self.event_at]
        before = [x["epoch"] for x in gens if x["issued_at_us"] / 1e6 <= self.event_at]
        if not later:
            self.fail("%s: no generation issued after the %s" % (g, self.a.scenario))
        elif before and min(x["epoch"] for x in later) <= max(before):
            self.fail("%s: epoch %d after the event is not above %d" % (g, min(x["epoch"] for x in later), max(before)))
        if self.a.scenario == "db-restart" and self.back_at is not None:
            during = [x["epoch"] for x in gens if self.event_at < x["issued_at_us"] / 1e6 < self.back_at]
            if during:
                self.fail("%s: epochs %s issued while the database was away" % (g, during))
        lv = self.leaver[g]
        lv_mkis = [k["mki"] for k in ms[lv].get("key_log", [])]
        stayers = [m for m in self.members[g] if m != lv]
        # The generation that followed the leaver: the first issued after
        # its last key (MKI = epoch, 4 bytes) that it does not hold.
        after_leave = [x for x in gens if lv_mkis and x["epoch"] > int(lv_mkis[-1], 16)]
        rekey = after_leave[0]["mki"] if after_leave else None
        if rekey is None:
            self.fail("%s: no rekey after %s left" % (g, lv))
        for m in self.members[g]:
            s = ms[m]
            med = s.get("media", {})
            log = [k["mki"] for k in s.get("key_log", [])]
            keys = ",".join(log) if len(log) <= 6 else "%s ... %s (%d)" % (",".join(log[:2]), ",".join(log[-2:]), len(log))
            print("  %-10s rejoins %d, keys %s, sent %d, received %d, authenticated %d" %
                  (m, s.get("rejoins", 0), keys, med.get("sent", 0), med.get("received", 0),
                   med.get("authenticated", 0)))
            if not log:
                self.fail("%s installed no key" % m)
            if m in stayers:
                if rekey is not None and rekey not in log:
                    self.fail("%s is on a stale key: never took MKI %s after %s left (held %s)" % (m, rekey, lv, log))
                if med.get("received", 0) == 0 or med.get("authenticated", 0) == 0:
                    self.fail("%s received %d packets, authenticated %d" %
                              (m, med.get("received", 0), med.get("authenticated", 0)))
            if self.a.scenario == "kill" and g in self.victim_groups and s.get("rejoins", 0) < 1 and m in stayers:
                self.fail("%s was served by the killed instance but never rejoined" % m)
        if lv != self.eavesdropper:
            return
        al = ms[lv].get("after_leaving")
        if al is None:
            self.fail("leaver %s did not eavesdrop" % lv)
        else:
            print("  leaver %s after the rekey: captured %d SRTP packets, decrypted %d" %
                  (lv, al["captured"], al["decrypted"]))
            if al["decrypted"] != 0:
                self.fail("leaver %s decrypted %d packets after it left" % (lv, al["decrypted"]))
            if al["captured"] == 0:
                self.fail("leaver %s captured nothing: the check saw no traffic" % lv)

    def cleanup(self):
        if self.kamailio:
            self.kamailio.stop()
        siptest.kill_procs(self.procs)
        if self.pg:
            self.pg.cleanup()
        if not self.a.keep and not self.failures:
            shutil.rmtree(self.dir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build", help="meson build directory (default build)")
    ap.add_argument("--scenario", default="kill", choices=["kill", "db-restart"])
    ap.add_argument("--groups", type=int, default=3, help="groups (default 3)")
    ap.add_argument("--members", type=int, default=3, help="members per group (default 3, at least 2)")
    ap.add_argument("--at", type=float, default=4,
                    help="seconds of media, once every member is keyed, before the kill / database stop (default 4)")
    ap.add_argument("--after", type=float, default=8,
                    help="seconds of media after the event and the leaves, before everyone leaves (default 8)")
    ap.add_argument("--outage", type=float, default=6, help="db-restart: seconds the database is away (default 6)")
    ap.add_argument("--sipp", type=int, default=0,
                    help="before the event, this many SIPp members join and leave through Kamailio (default 0)")
    ap.add_argument("--sipp-rate", type=float, default=50, help="SIPp calls per second (default 50)")
    ap.add_argument("--keep", help="keep configs, logs and summaries in this directory")
    a = ap.parse_args()
    if a.members < 2 or a.groups < 1 or a.after < 5:
        ap.error("--members at least 2, --groups at least 1, --after at least 5 (the leaver listens for 4.5 s)")
    return siptest.run_scenario(HaConference(a), "ha-conference", "ha-conference %s" % a.scenario)


if __name__ == "__main__":
    sys.exit(main())
