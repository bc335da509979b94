#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""conference.py - the loopback conference (README command 1, and a load tool).

A key server and N members of one group, each a separate mikey-sip-agent
process on 127.0.0.1: keys over SIP/MIKEY (RFC 4567), group SRTP with TESLA
source authentication through the srtpgroup GStreamer elements, one
member sending insider forgeries, members leaving, the rekey each leave
causes, and what a leaver can decrypt afterwards. Prints a summary and
exits non-zero, saying why, when any step fails.

  /usr/bin/python3 scripts/conference.py --build build [--members 4]
      [--duration 12] [--leavers 1] [--mode psk] [--keep DIR]
      [--kamailio | --multicast]

--kamailio puts Kamailio (samples/kamailio/kamailio.cfg) between the members
and the key server: every member's `proxy`, record-routed, so that the key
server's re-INVITEs and every BYE pass through it too; its log must show
them.

--multicast (root: it needs CAP_NET_ADMIN) runs every process in a network
namespace of its own, each with a veth pair into one Linux bridge (in a
namespace of its own too, away from the host's bridge filtering): SIP goes
over the bridge to 10.77.0.1, and the group's media over IP multicast
(239.255.77.1:5004) instead of the key server's relay; the leaver stays on
the group. Everything it creates is named after this process's pid and
removed at the end.
"""
import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "sip"))
import siptest  # noqa: E402  (Kamailio, for --kamailio)


def free_port(kind=socket.SOCK_DGRAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


MCAST_NET = "10.77.0."
MCAST_GROUP = ("239.255.77.1", 5004)
NS_SIP_PORT = 5060  # every process has a network namespace of its own


def ip(*args):
    """Runs ip(8); returns an error text, or None."""
    r = subprocess.run(["ip"] + list(args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return None if r.returncode == 0 else "ip %s: %s" % (" ".join(args), r.stderr.strip() or r.returncode)


class Netns:
    """A bridge and one network namespace per process, named after our pid."""

    def __init__(self, names):
        tag = "mk%d" % os.getpid()  # interface names: at most 15 bytes
        self.bridge_ns = "mikey-conf-%d-br" % os.getpid()
        self.ns = {n: "mikey-conf-%d-%d" % (os.getpid(), i) for i, n in enumerate(names)}
        self.dev = {n: "%sv%d" % (tag, i) for i, n in enumerate(names)}
        self.addr = {n: MCAST_NET + str(i + 1) for i, n in enumerate(names)}
        self.made = []

    def setup(self):
        """Returns an error text, or None."""
        if os.geteuid() != 0:
            return "--multicast creates network namespaces, veth pairs and a bridge: run it as root"
        steps = [("netns", "add", self.bridge_ns), ("-n", self.bridge_ns, "link", "add", "br0", "type", "bridge",
                                                    "mcast_snooping", "0"),
                 ("-n", self.bridge_ns, "link", "set", "br0", "up")]
        for n, ns in self.ns.items():
            d = self.dev[n]
            steps += [("netns", "add", ns),
                      ("link", "add", "b" + d, "netns", self.bridge_ns, "type", "veth", "peer", "name", d, "netns", ns),
                      ("-n", self.bridge_ns, "link", "set", "b" + d, "master", "br0", "up"),
                      ("-n", ns, "link", "set", "lo", "up"),
                      ("-n", ns, "addr", "add", self.addr[n] + "/24", "dev", d),
                      ("-n", ns, "link", "set", d, "up"),
                      ("-n", ns, "route", "add", "224.0.0.0/4", "dev", d)]
        for step in steps:
            err = ip(*step)
            if err:
                return "cannot build the network (is this root, with network namespaces?): " + err
            if step[0] == "netns":
                self.made.append(step[2])
        return None

    def wrap(self, name, argv):
        return ["ip", "netns", "exec", self.ns[name]] + argv

    def teardown(self):
        """Deleting a namespace deletes its interfaces, and so the veth pairs."""
        for ns in reversed(self.made):
            ip("netns", "del", ns)
        self.made = []


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)


class Conference:
    def __init__(self, args):
        self.a = args
        self.dir = args.keep or tempfile.mkdtemp(prefix="mikey-conference-")
        os.makedirs(self.dir, exist_ok=True)
        self.agent = os.path.join(args.build, "sip-agent", "agent", "mikey-sip-agent")
        self.plugin = os.path.join(args.build, "gst-plugin")
        self.procs = {}
        self.failures = []
        self.ks_port = free_port()
        self.tap_port = free_port()
        self.members = ["m%d" % (i + 1) for i in range(args.members)]
        self.psk = {m: secrets.token_hex(16) for m in self.members}
        # The last members leave halfway; the second sends forgeries.
        self.leavers = set(self.members[len(self.members) - args.leavers:]) if args.leavers else set()
        self.forger = self.members[1] if len(self.members) > 2 else None
        self.kamailio = siptest.Kamailio(self.dir) if args.kamailio else None
        self.net = Netns(["key-server"] + self.members) if args.multicast else None

    def fail(self, why):
        self.failures.append(why)
        print("conference: FAILED: " + why, file=sys.stderr)

    def sip_at(self, name, port):
        """Where |name| listens for SIP, and its media address."""
        if self.net:
            return "%s:%d" % (self.net.addr[name], NS_SIP_PORT), self.net.addr[name]
        return "127.0.0.1:%d" % port, "127.0.0.1"

    def ks_config(self):
        ks_sip, ks_media = self.sip_at("key-server", self.ks_port)
        lines = ["[agent]", "role=key-server", "identity=sip:ks@example.org",
                 "bind=sip:" + ks_sip, "media-addr=" + ks_media, "",
                 "[key-server]", "store=sqlite:%s/ks.db" % self.dir,
                 "master-key-file=%s/master.key" % self.dir]
        if not self.net:
            lines += ["relay-tap=127.0.0.1:%d" % self.tap_port]
        lines += ["", "[group:conf]", "mode=%s" % self.a.mode, "policy=aes128-sha1-80", "tesla=true",
                  "members=" + ";".join(self.members)]
        if self.net:
            lines += ["multicast=%s:%d" % MCAST_GROUP]
        lines += [""]
        for m in self.members:
            lines += ["[member:%s]" % m, "identity=sip:%s@example.org" % m, "psk=%s" % self.psk[m], ""]
        path = os.path.join(self.dir, "ks.conf")
        write(path, "\n".join(lines))
        return path

    def member_config(self, m):
        sip, media = self.sip_at(m, free_port())
        lines = ["[agent]", "role=member", "identity=sip:%s@example.org" % m,
                 "bind=sip:" + sip, "media-addr=" + media, "psk=%s" % self.psk[m],
                 "plugin-path=%s" % self.plugin, "",
                 "[member]", "group-uri=sip:conf@%s" % self.sip_at("key-server", self.ks_port)[0],
                 "key-server=sip:ks@example.org", "mode=%s" % self.a.mode, "tesla=true",
                 "duration=%g" % self.a.duration]
        if self.kamailio:
            lines += ["proxy=sip:127.0.0.1:%d" % self.kamailio.port]
        if m in self.leavers:
            # On a multicast network a leaver simply stays on the group.
            tap = "%s:%d" % MCAST_GROUP if self.net else "127.0.0.1:%d" % self.tap_port
            lines += ["leave-after=%g" % (self.a.duration / 2),
                      "eavesdrop=" + tap,
                      "eavesdrop-delay=1.5", "eavesdrop-for=%g" % min(3.0, self.a.duration / 4)]
        if m == self.forger:
            lines += ["forge=20", "forge-after=%g" % (self.a.duration / 4)]
        path = os.path.join(self.dir, m + ".conf")
        write(path, "\n".join(lines) + "\n")
        return path

    def start(self, name, config):
        log = open(os.path.join(self.dir, name + ".log"), "w")
        summary = os.path.join(self.dir, name + ".json")
        argv = [self.agent, "--config", config, "--name", name, "--summary", summary]
        if self.net:
            argv = self.net.wrap(name, argv)
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        self.procs[name] = (p, log, summary)
        return p

    def wait_log(self, name, text, timeout):
        path = os.path.join(self.dir, name + ".log")
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with open(path) as f:
                if text in f.read():
                    return True
            if self.procs[name][0].poll() is not None:
                return False
            time.sleep(0.05)
        return False

    def run(self):
        if not os.access(self.agent, os.X_OK):
            self.fail("%s is not built" % self.agent)
            return
        if self.kamailio and not self.kamailio.start():
            self.fail(self.kamailio.error)
            return
        if self.net:
            err = self.net.setup()
            if err:
                self.fail(err)
                return
        self.start("key-server", self.ks_config())
        if not self.wait_log("key-server", "listening on", 10):
            self.fail("the key server did not start (see %s/key-server.log)" % self.dir)
            return
        for m in self.members:
            self.start(m, self.member_config(m))
            time.sleep(0.15)
        deadline = time.monotonic() + self.a.duration + 30
        for m in self.members:
            p = self.procs[m][0]
            try:
                rc = p.wait(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                rc = "killed after the deadline"
            if rc != 0:
                self.fail("member %s exited with %s (see %s/%s.log)" % (m, rc, self.dir, m))
        ks = self.procs["key-server"][0]
        ks.send_signal(signal.SIGTERM)
        try:
            rc = ks.wait(timeout=15)
        except subprocess.TimeoutExpired:
            ks.kill()
            rc = "killed"
        if rc != 0:
            self.fail("key server exited with %s" % rc)
        if self.kamailio:
            rc = self.kamailio.stop()
            if rc != 0:
                self.fail("Kamailio exited with %s (see %s)" % (rc, self.kamailio.log_path))

    def load(self, name):
        try:
            with open(self.procs[name][2]) as f:
                return json.load(f)
        except (OSError, ValueError, KeyError) as e:
            self.fail("no summary from %s: %s" % (name, e))
            return None

    def check(self):
        ks = self.load("key-server")
        ms = {m: self.load(m) for m in self.members}
        if ks is None or any(v is None for v in ms.values()):
            return
        g = ks["groups"][0]
        final_mki = g["mki"]
        stayers = [m for m in self.members if m not in self.leavers]
        print()
        print("%s: %d members, %gs, mode %s, AES-CM-128/HMAC-SHA1-80 + TESLA%s" %
              ("IP multicast in network namespaces" if self.net else "loopback conference", len(self.members),
               self.a.duration, self.a.mode, " via Kamailio" if self.kamailio else ""))
        if self.kamailio:
            self.check_kamailio()
        if self.net:
            media = "media on %s:%d over the bridge, relay forwarded %d packets" % (MCAST_GROUP + (g["relay_forwarded"],))
            if g["relay_forwarded"] != 0:
                self.fail("the relay forwarded media of a multicast group")
        else:
            media = "relay forwarded %d packets" % g["relay_forwarded"]
        print("key server: CSB ID %d, epochs issued %s, final MKI %s, joins %d, leaves %d, rekeys %d, %s" %
              (g["csb_id"], g["epochs_this_run"], final_mki, g["joins"], g["leaves"], g["rekeys"], media))
        print("%-4s %-10s %-6s %-26s %7s %9s %10s %8s %8s" %
              ("who", "SSRC", "role", "MKIs held", "sent", "received", "src-auth", "forged", "dropped"))
        for m in self.members:
            s = ms[m]
            med = s["media"]
            role = "leaver" if m in self.leavers else ("forger" if m == self.forger else "member")
            print("%-4s %-10d %-6s %-26s %7d %9d %10d %8d %8d" %
                  (m, s["ssrc"], role, ",".join(s["mkis"]), med["sent"], med["received"], med["authenticated"],
                   med["forged_rejected"], med["dropped"]))
        forged_rejected = sum(ms[m]["media"]["forged_rejected"] for m in self.members)
        forged_sent = ms[self.forger]["media"]["forged_sent"] if self.forger else 0
        print("insider forgeries: %d sent, %d rejected by TESLA at the receivers" % (forged_sent, forged_rejected))
        told = [m for m in stayers if all("sip:%s@example.org" % lv in ms[m].get("departures_seen", [])
                                          for lv in self.leavers)]
        print("departures announced (RFC 4575 conference event): %d of %d remaining members told" %
              (len(told), len(stayers)))
        for m in self.leavers:
            al = ms[m].get("after_leaving")
            if al is None:
                self.fail("leaver %s did not eavesdrop" % m)
                continue
            print("leaver %s after the rekey: captured %d SRTP packets, decrypted %d" %
                  (m, al["captured"], al["decrypted"]))
            if al["captured"] == 0:
                self.fail("leaver %s captured nothing: the forward-secrecy check saw no traffic" % m)
            if al["decrypted"] != 0:
                self.fail("leaver %s decrypted %d packets after the rekey" % (m, al["decrypted"]))
        # What must hold.
        if g["joins"] < len(self.members):
            self.fail("only %d of %d joins" % (g["joins"], len(self.members)))
        if self.leavers and g["rekeys"] < len(self.leavers):
            self.fail("%d leaves but %d rekeys" % (len(self.leavers), g["rekeys"]))
        # The generation that followed the leavers' departure: every member
        # that stayed must have taken it (later ones come as the others
        # leave at the end, each leave rekeying those still there).
        rekey_mki = None
        if len(self.leavers) == 1:
            (lv,) = self.leavers
            if ms[lv]["mkis"]:
                rekey_mki = "%08x" % (int(ms[lv]["mkis"][-1], 16) + 1)
                print("rekey when %s left: MKI %s" % (lv, rekey_mki))
        for m in stayers:
            s = ms[m]
            med = s["media"]
            if not s["mkis"]:
                self.fail("%s installed no group key" % m)
            elif rekey_mki and rekey_mki not in s["mkis"]:
                self.fail("%s never took the rekey to MKI %s (held %s)" % (m, rekey_mki, s["mkis"]))
            elif int(s["mkis"][-1], 16) > int(final_mki, 16):
                self.fail("%s holds MKI %s, beyond the key server's %s" % (m, s["mkis"][-1], final_mki))
            if med["sent"] == 0 or med["received"] == 0:
                self.fail("%s sent %d, received %d" % (m, med["sent"], med["received"]))
            if med["authenticated"] == 0:
                self.fail("%s source-authenticated nothing" % m)
            for lv in self.leavers:
                if "sip:%s@example.org" % lv not in s.get("departures_seen", []):
                    self.fail("%s was not told (RFC 4575 conference event) that %s left" % (m, lv))
            if med["senders"] < len(self.members) - 1:
                self.fail("%s heard %d senders of %d" % (m, med["senders"], len(self.members) - 1))
        if self.forger:
            if forged_sent == 0:
                self.fail("the forger sent nothing")
            if forged_rejected == 0:
                self.fail("no receiver rejected the forgeries")

    def check_kamailio(self):
        """Every member's join, at least one key push to each, and every
        member's BYE went through the proxy."""
        n = self.kamailio.relayed()
        print("Kamailio relayed: %d initial INVITEs, %d re-INVITEs, %d BYEs, %d 200 OK to INVITEs" %
              (n["initial INVITE"], n["re-INVITE"], n["BYE"], n["200 to INVITE"]))
        want = len(self.members)
        for what in ("initial INVITE", "re-INVITE", "BYE", "200 to INVITE"):
            if n[what] < want:
                self.fail("Kamailio relayed %d %s, fewer than the %d members (see %s)" %
                          (n[what], what, want, self.kamailio.log_path))

    def cleanup(self):
        if self.kamailio:
            self.kamailio.stop()
        siptest.kill_procs(self.procs)
        if self.net:
            self.net.teardown()
        if not self.a.keep and not self.failures:
            shutil.rmtree(self.dir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build", help="meson build directory (default build)")
    ap.add_argument("--members", type=int, default=4, help="members (default 4, at least 2)")
    ap.add_argument("--duration", type=float, default=12, help="seconds each member stays (default 12)")
    ap.add_argument("--leavers", type=int, default=1, help="members leaving halfway (default 1)")
    ap.add_argument("--mode", default="psk", choices=["psk"], help="MIKEY mode (default psk)")
    ap.add_argument("--keep", help="keep configs, logs and summaries in this directory")
    ap.add_argument("--kamailio", action="store_true",
                    help="members reach the key server through Kamailio (samples/kamailio/kamailio.cfg)")
    ap.add_argument("--multicast", action="store_true",
                    help="every process in a network namespace on one bridge, media over IP multicast (root)")
    a = ap.parse_args()
    if a.members < 2 or a.leavers >= a.members or a.duration < 4:
        ap.error("--members at least 2, --leavers fewer than --members, --duration at least 4")
    if a.multicast and (a.kamailio or a.members > 200):
        ap.error("--multicast: not with --kamailio, at most 200 members")
    return siptest.run_scenario(Conference(a), "conference")


if __name__ == "__main__":
    sys.exit(main())
