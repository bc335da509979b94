# SPDX-License-Identifier: LGPL-2.1-or-later
"""hakit.py - what scripts/ha_conference.py and bench/scale.py share:
key-server instances on one PostgreSQL store behind Kamailio with
samples/kamailio/kamailio-ha.cfg (their configuration, the dispatcher
list, which instance serves which group) and SIPp members joining and
leaving through Kamailio (tests/sip/interop/sipp/join_leave_group.xml).
Nothing here runs at import.
"""
import concurrent.futures
import json
import os
import secrets
import shutil
import subprocess
import time

import siptest

ROOT = siptest.ROOT
KS_ID = siptest.KS_ID
HA_CFG = os.path.join(ROOT, "samples", "kamailio", "kamailio-ha.cfg")
SIPP_JOIN_LEAVE = os.path.join(ROOT, "tests", "sip", "interop", "sipp", "join_leave_group.xml")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)


def read_json(path, fail):
    """A summary or report (JSON), or None after fail("cannot read ...")."""
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        fail("cannot read %s: %s" % (path, e))
        return None


def ks_config(path, port, conninfo, master_key, instance, groups, psk, extra_ks=(), tesla=True):
    """Write a key-server instance's configuration: groups {name: [member
    names]}, psk {member name: hex}; identity sip:NAME@example.org each;
    extra_ks: more [key-server] lines (relay-tap=..., keepalive=0, ...)."""
    lines = ["[agent]", "role=key-server", "identity=" + KS_ID, "bind=sip:127.0.0.1:%d" % port,
             "media-addr=127.0.0.1", "",
             "[key-server]", "store=postgresql:" + conninfo, "master-key-file=" + master_key,
             "instance=" + instance] + list(extra_ks) + [""]
    for g, members in groups.items():
        lines += ["[group:%s]" % g, "mode=psk", "policy=aes128-sha1-80", "tesla=%s" % ("true" if tesla else "false"),
                  "members=" + ";".join(members), ""]
        for m in members:
            lines += ["[member:%s]" % m, "identity=sip:%s@example.org" % m, "psk=%s" % psk[m], ""]
    write(path, "\n".join(lines))
    return path


def kamailio_ha(d, ks_ports, shm_mb=256, pkg_mb=16, transport=None):
    """Kamailio (not started yet) with kamailio-ha.cfg, its dispatcher list
    naming the instances on ks_ports (in this order), its ctl socket in d.
    transport "tcp": Kamailio reaches the instances over TCP (a burst of
    answers to pushes overflows a UDP socket's receive buffer)."""
    dl = os.path.join(d, "dispatcher.list")
    tp = ";transport=%s" % transport if transport else ""
    with open(dl, "w") as f:
        for port in ks_ports:
            f.write("1 sip:127.0.0.1:%d%s\n" % (port, tp))
    ctl = "unix:%s/kamailio_ctl" % d
    return siptest.Kamailio(d, HA_CFG, defines=['DISPATCHER_LIST="%s"' % dl, 'CTL_SOCKET="%s"' % ctl],
                            shm_mb=shm_mb, pkg_mb=pkg_mb)


def served_by(logs, groups):
    """group -> instance, from the instances' logs {instance: text}: the
    last "group G: served here" line wins."""
    out = {}
    for inst, text in logs.items():
        for line in text.splitlines():
            for g in groups:
                if ("group %s: served here" % g) in line:
                    out[g] = inst
    return out


def sipp_counts(stat):
    """SIPp's cumulative successful and failed calls, from the last line of
    its -trace_stat file (semicolon-separated, named columns)."""
    try:
        with open(stat) as f:
            rows = [line.rstrip("\n").split(";") for line in f if line.strip()]
        head, last = rows[0], rows[-1]
        return int(last[head.index("SuccessfulCall(C)")]), int(last[head.index("FailedCall(C)")])
    except (OSError, ValueError, IndexError):
        return None, None


def sipp_join_leave(d, tool, proxy_port, calls, psk, rate, tesla=True, timeout=120, wall=150):
    """SIPp members join through Kamailio and leave (they refuse the group
    key with 488, so the key server removes them and rekeys): calls is
    [(member, group)], one SIPp call each, in this order; offers made by
    mikey-tool. Returns {calls, rc, successful, failed, seconds}."""
    def offer(c):
        ssrc = secrets.randbelow(2**31) + 1
        return (siptest.mikey_offer(tool, "sip:%s@example.org" % c[0], psk[c[0]], peer=KS_ID, ssrc=ssrc,
                                    tesla=tesla), c[0], ssrc, c[1])

    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        rows = list(ex.map(offer, calls))
    inf = os.path.join(d, "sipp-calls.csv")
    with open(inf, "w") as f:
        f.write("SEQUENTIAL\n")
        for r in rows:
            f.write("%s;%s;%d;%s\n" % r)
    stat = os.path.join(d, "sipp-stat.csv")
    cmd = [shutil.which("sipp") or "/usr/bin/sipp", "127.0.0.1:%d" % proxy_port, "-i", "127.0.0.1",
           "-p", str(siptest.free_port()), "-sf", SIPP_JOIN_LEAVE,
           "-inf", inf, "-m", str(len(rows)), "-r", str(rate), "-l", "1000", "-nostdin",
           "-trace_err", "-error_file", os.path.join(d, "sipp-errors.log"),
           "-trace_logs", "-log_file", os.path.join(d, "sipp-mikey.log"),
           "-trace_msg", "-message_file", os.path.join(d, "sipp-messages.log"),
           "-trace_stat", "-stf", stat, "-timeout", "%ds" % timeout, "-timeout_error", "-max_recv_loops", "10000",
           "-default_behaviors", "all,-bye"]
    t = time.monotonic()
    with open(os.path.join(d, "sipp.out"), "w") as out:
        try:
            rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=d,
                                timeout=wall).returncode
        except subprocess.TimeoutExpired:
            rc = "killed after %d s" % wall
    ok, failed = sipp_counts(stat)
    return {"calls": len(rows), "rc": rc, "successful": ok, "failed": failed, "seconds": time.monotonic() - t}
