#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""sipp_join.py BUILD [KEEP_DIR] - mikey-sip-agent's key server against SIPp, a SIP UA
we did not write, directly and through Kamailio, with tshark decoding what
went over loopback.

One key server (PSK mode, TESLA, its own config and store) serves every
case. Offers come from `mikey-tool create --state`; SIPp carries them
(scenarios in sipp/, the offer injected with -inf as [field0]):

  direct      SIPp joins: 200 OK with a=key-mgmt:mikey, whose verification
              message `mikey-tool verify --state` checks on its own; the key
              server pushes the group key in a re-INVITE, SIPp refuses it
              (488) and must get the BYE that removes it
  kamailio    the same through samples/kamailio/kamailio.cfg (-rsa to the
              proxy; Record-Route brings the re-INVITE and BYE through it)
  load        200 joins with a wrong PSK at 100/s, each answered 488 with
              MIKEY_ERR_AUTH; then a good join is still served
  tshark      everything above captured on lo and decoded: SIP, SDP
              key-mgmt and MIKEY without malformed or error items, MIKEY
              header fields equal to mikey-tool's decoding

The last line is `N passed, N failed`; a missing program is a failure.
"""
import base64
import csv
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import siptest as st  # noqa: E402  (tests/sip/siptest.py)

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
KEEP = sys.argv[2] if len(sys.argv) > 2 else None  # a directory that keeps logs, pcap, SIPp traces
AGENT = os.path.join(BUILD, "sip-agent", "agent", "mikey-sip-agent")
TOOL = os.path.join(BUILD, "tools", "mikey-tool")
SCENARIOS = os.path.join(HERE, "sipp")
PSK = {who: secrets.token_hex(16) for who in ("alice", "bob", "carol")}
LOAD_CALLS = 200
LOAD_RATE = 100
R = st.Results()


def sipp(d, tag, scenario, ks_port, row, extra=()):
    """Run one SIPp scenario against the key server, injecting one row
    (MIKEY base64, user, SSRC); returns (exit status, text of its <log>
    actions, its trace files by kind)."""
    binary = shutil.which("sipp") or "/usr/bin/sipp"
    inf = os.path.join(d, tag + ".csv")
    with open(inf, "w") as f:
        f.write("SEQUENTIAL\n%s;%s;%d\n" % row)
    files = {k: os.path.join(d, "%s.%s" % (tag, k)) for k in ("log", "messages", "errors", "stat", "screen", "out")}
    cmd = [binary, "127.0.0.1:%d" % ks_port, "-i", "127.0.0.1", "-p", str(st.free_port()), "-s", "conf",
           "-sf", os.path.join(SCENARIOS, scenario), "-inf", inf, "-nostdin",
           "-trace_logs", "-log_file", files["log"], "-trace_msg", "-message_file", files["messages"],
           "-trace_err", "-error_file", files["errors"], "-trace_stat", "-stf", files["stat"],
           "-trace_screen", "-screen_file", files["screen"],
           "-timeout", "60s", "-timeout_error", "-max_recv_loops", "10000"] + list(extra)
    with open(files["out"], "w") as out:
        try:
            rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=d,
                                timeout=90).returncode
        except subprocess.TimeoutExpired:
            rc = "killed after 90 s"
    return rc, st.read(files["log"]), files


def sipp_failure(files):
    return "(errors: %s | output: %s)" % (st.tail(files["errors"], 800), st.tail(files["out"], 600))


def decode(b64_or_hex, fmt="base64"):
    r = subprocess.run([TOOL, "decode", "--json", "--format", fmt, "-"], input=b64_or_hex, text=True,
                       capture_output=True)
    return json.loads(r.stdout) if r.returncode == 0 else None


def join(d, ks, who, label, proxy_port=None):
    """SIPp joins as WHO and refuses the group key; returns the base64 MIKEY
    messages it saw (verification message, push) for the capture check."""
    state = os.path.join(d, who + ".state")
    ssrc = secrets.randbelow(2**31) + 1
    offer = st.mikey_offer(TOOL, "sip:%s@example.org" % who, PSK[who], ssrc=ssrc, state=state)
    extra = ["-m", "1"] + (["-rsa", "127.0.0.1:%d" % proxy_port] if proxy_port else [])
    rc, log, files = sipp(d, "join-" + who, "join_refuse.xml", ks.port, (offer, who, ssrc), extra)
    R.check("%s: SIPp scenario join_refuse passed (exit 0)" % label, rc == 0, "(exit %s) %s" % (rc, sipp_failure(files)))
    ver = re.search(r"^KS-VERIFY ([A-Za-z0-9+/=]+)$", log, re.M)
    push = re.search(r"^KS-PUSH ([A-Za-z0-9+/=]+)$", log, re.M)
    R.check("%s: 200 OK carried a=key-mgmt:mikey <base64>" % label, ver is not None, "(SIPp log: %r)" % log[-300:])
    if ver:
        path = os.path.join(d, who + ".verify.b64")
        with open(path, "w") as f:
            f.write(ver.group(1) + "\n")
        r = subprocess.run([TOOL, "verify", "--state", state, path], capture_output=True, text=True)
        R.check("%s: mikey-tool verify --state verifies the key server's V message" % label,
                r.returncode == 0 and "verified: yes" in r.stdout, "(exit %d: %s %s)" % (r.returncode, r.stdout, r.stderr))
        raw = bytearray(base64.b64decode(ver.group(1)))
        raw[-1] ^= 0x01  # one bit of the V payload's MAC
        bad = os.path.join(d, who + ".verify-altered.b64")
        with open(bad, "w") as f:
            f.write(base64.b64encode(bytes(raw)).decode() + "\n")
        r = subprocess.run([TOOL, "verify", "--state", state, bad], capture_output=True, text=True)
        R.check("%s: the same V message with one MAC bit flipped does not verify" % label,
                r.returncode == 1 and "MIKEY_ERR_AUTH" in r.stderr, "(exit %d: %s)" % (r.returncode, r.stderr))
    R.check("%s: the key server pushed the group key in a re-INVITE with a=key-mgmt:mikey" % label,
            push is not None, "(SIPp log: %r)" % log[-300:])
    if push:
        j = decode(push.group(1))
        ssrcs = [cs["ssrc"] for cs in j["hdr"].get("srtp_cs", [])] if j else []
        R.check("%s: the push is a PSK I_MESSAGE naming our SSRC %d" % (label, ssrc), j is not None and
                j["hdr"]["data_type"] == 0 and ssrc in ssrcs, "(%s)" % (j["hdr"] if j else "not decoded"))
    left = st.wait_until(lambda: "sip:%s@example.org leaves (refused generation" % who in ks.log(), 5)
    R.check("%s: key server log: %s leaves (refused generation ...)" % (label, who), left, st.tail(ks.log_path, 600))
    return [m.group(1) for m in (ver, push) if m]


def load(d, ks):
    """LOAD_CALLS joins with a wrong PSK: every one 488, nothing joins."""
    offer = st.mikey_offer(TOOL, "sip:alice@example.org", "00" * 16, ssrc=4242)
    refused0 = ks.log().count("INVITE from alice refused: key-mgmt: MIKEY_ERR_AUTH")
    joins0 = ks.log().count(" joins, SSRC ")
    rc, _, files = sipp(d, "load", "join_bad_psk.xml", ks.port, (offer, "alice", 4242),
                        ["-m", str(LOAD_CALLS), "-r", str(LOAD_RATE), "-rp", "1000", "-fd", "1"])
    R.check("load: SIPp exit 0 (%d calls at %d/s, each 488 with MIKEY_ERR_AUTH)" % (LOAD_CALLS, LOAD_RATE),
            rc == 0, "(exit %s) %s" % (rc, sipp_failure(files)))
    ok = failed = None
    try:
        with open(files["stat"]) as f:
            rows = list(csv.reader(f, delimiter=";"))
        head, last = rows[0], rows[-1]
        ok = int(last[head.index("SuccessfulCall(C)")])
        failed = int(last[head.index("FailedCall(C)")])
    except (OSError, ValueError, IndexError) as e:
        R.check("load: SIPp statistics file readable", False, "(%r)" % e)
    R.check("load: SIPp statistics: %s successful, %s failed calls" % (ok, failed),
            ok == LOAD_CALLS and failed == 0)
    refused = ks.log().count("INVITE from alice refused: key-mgmt: MIKEY_ERR_AUTH") - refused0
    R.check("load: the key server logged %d MIKEY_ERR_AUTH refusals (of %d)" % (refused, LOAD_CALLS),
            refused == LOAD_CALLS)
    joins = ks.log().count(" joins, SSRC ") - joins0
    R.check("load: no member admitted during the load (%d joins)" % joins, joins == 0)
    return offer


def tshark_fields(pcap, ports, fields):
    cmd = ["tshark", "-r", pcap, "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"]
    for p in ports:
        cmd += ["-d", "udp.port==%d,sip" % p]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    return [dict(zip(fields, line.split("|"))) for line in out.splitlines()]


# Payload fields compared with tshark: its field name, ours in the JSON of
# `mikey-tool decode --json` (docs/decode-json.md), per payload type.
PAYLOAD_FIELDS = {
    11: [("mikey.rand.data", "rand")],
    6: [("mikey.id.type", "id_type"), ("mikey.id.data", "text")],
    10: [("mikey.sp.no", "policy_no"), ("mikey.sp.proto_type", "prot_type")],
    21: [("mikey.ext.type", "ext_type"), ("mikey.ext.data", "data")],
    1: [("mikey.kemac.encr_alg", "encr_alg"), ("mikey.kemac.key_data", "encr_data"),
        ("mikey.kemac.mac_alg", "mac_alg"), ("mikey.kemac.mac", "mac")],
    9: [("mikey.v.auth_alg", "auth_alg"), ("mikey.v.ver_data", "ver_data")],
}
COMPARED = ["mikey.version", "mikey.type", "mikey.v.set", "mikey.prf_func", "mikey.csb_id", "mikey.cs_count",
            "mikey.cs_id_map_type", "mikey.srtp_id.ssrc", "mikey.srtp_id.roc", "mikey.next_payload",
            "mikey.t.ts_type"] + sorted({f for fs in PAYLOAD_FIELDS.values() for f, _ in fs})


def expected_fields(j):
    """What tshark must show for the message mikey-tool decoded as j: every
    occurrence of each field, in message order, as text."""
    hdr = j["hdr"]
    want = {"mikey.version": [hdr["version"]], "mikey.type": [hdr["data_type"]], "mikey.v.set": [int(hdr["v"])],
            "mikey.prf_func": [hdr["prf_func"]], "mikey.csb_id": [hdr["csb_id"]], "mikey.cs_count": [hdr["n_cs"]],
            "mikey.cs_id_map_type": [hdr["map_type"]],
            "mikey.srtp_id.ssrc": [cs["ssrc"] for cs in hdr.get("srtp_cs", [])],
            "mikey.srtp_id.roc": [cs["roc"] for cs in hdr.get("srtp_cs", [])],
            # The Next payload chain: the HDR's, then each payload's (0 last).
            "mikey.next_payload": [p["type"] for p in j["payloads"]] + [0],
            "mikey.t.ts_type": [p["ts_type"] for p in j["payloads"] if p["type"] == 5]}
    for name in COMPARED:
        want.setdefault(name, [])
    for p in j["payloads"]:
        for field, ours in PAYLOAD_FIELDS.get(p["type"], []):
            want[field].append(p[ours])
    return {k: [norm(k, v) for v in vs] for k, vs in want.items()}


BYTE_FIELDS = {"mikey.rand.data", "mikey.ext.data", "mikey.kemac.key_data", "mikey.kemac.mac", "mikey.v.ver_data"}
TEXT_FIELDS = {"mikey.id.data"}


def norm(field, v):
    """One value of FIELD as comparable text: bytes as lower-case hex without
    separators, text as it is, numbers in decimal (tshark prints some in hex,
    booleans as True/False)."""
    if field in TEXT_FIELDS:
        return str(v)
    if field in BYTE_FIELDS:
        return str(v).replace(":", "").lower()
    if isinstance(v, (bool, int)):
        return str(int(v))
    v = v.strip()
    if v in ("True", "False"):
        return str(int(v == "True"))
    try:
        return str(int(v, 0))
    except ValueError:
        return "not a number: " + v


def tshark_check(cap, ports, seen, bad_offer):
    pcap = cap.file
    cmd = ["tshark", "-r", pcap, "-V"]
    for p in ports:
        cmd += ["-d", "udp.port==%d,sip" % p]
    verbose = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    with open(pcap + ".txt", "w") as f:
        f.write(verbose)
    errors = [l.strip() for l in verbose.splitlines() if "[Malformed Packet" in l or "Expert Info (Error" in l]
    R.check("tshark: no [Malformed Packet] and no error-level expert item in SIP/SDP/MIKEY", not errors,
            "(%d lines, first: %r)" % (len(errors), errors[:3]))
    fields = ["frame.number", "udp.srcport", "udp.dstport", "sip.Method", "sip.Status-Code", "sip.CSeq.method",
              "sip.to.tag", "sdp.key_mgmt.kmpid", "sdp.key_mgmt.data"] + COMPARED
    rows = tshark_fields(pcap, ports, fields)
    sip = [r for r in rows if r["sip.Method"] or r["sip.Status-Code"]]
    R.check("tshark: decoded %d SIP messages out of %d frames" % (len(sip), len(rows)),
            rows and len(sip) == len(rows))
    ks_port = ports[0]
    joins = [r for r in sip if r["sip.Method"] == "INVITE" and not r["sip.to.tag"] and r["sdp.key_mgmt.kmpid"] == "mikey"]
    ok200 = [r for r in sip if r["sip.Status-Code"] == "200" and r["sip.CSeq.method"] == "INVITE"
             and r["sdp.key_mgmt.kmpid"] == "mikey"]
    pushes = [r for r in sip if r["sip.Method"] == "INVITE" and r["sip.to.tag"] and r["sdp.key_mgmt.kmpid"] == "mikey"
              and r["udp.srcport"] == str(ks_port)]
    n488 = [r for r in sip if r["sip.Status-Code"] == "488"]
    byes = [r for r in sip if r["sip.Method"] == "BYE" and r["udp.srcport"] == str(ks_port)]
    R.check("tshark: join INVITEs with SDP key-mgmt mikey (%d)" % len(joins), len(joins) >= LOAD_CALLS + 3)
    R.check("tshark: 200 OK to INVITE with key-mgmt mikey (%d)" % len(ok200), len(ok200) >= 3)
    R.check("tshark: re-INVITEs from the key server with key-mgmt mikey (%d)" % len(pushes), len(pushes) >= 3)
    R.check("tshark: 488 answers (%d)" % len(n488), len(n488) >= LOAD_CALLS + 3)
    R.check("tshark: BYEs from the key server (%d)" % len(byes), len(byes) >= 3)
    with_mikey = [r for r in sip if r["sdp.key_mgmt.data"]]
    R.check("tshark: MIKEY decoded inside every SDP key-mgmt (%d)" % len(with_mikey),
            with_mikey and all(r["mikey.type"] and r["mikey.csb_id"] for r in with_mikey),
            "(frames without MIKEY fields: %s)" % [r["frame.number"] for r in with_mikey if not r["mikey.type"]][:5])
    # The MIKEY fields tshark shows, against mikey-tool's decoding of the
    # same bytes (each distinct message once).
    distinct = {}
    for r in with_mikey:
        distinct.setdefault(r["sdp.key_mgmt.data"].replace(":", ""), r)
    captured_b64 = {base64.b64encode(bytes.fromhex(h)).decode() for h in distinct}
    missing = [b for b in seen + [bad_offer] if b not in captured_b64]
    R.check("tshark: the capture holds every MIKEY message SIPp logged, byte for byte", not missing,
            "(%d missing)" % len(missing))
    mism = []
    kinds = set()
    compared = 0
    for h, r in distinct.items():
        j = decode(h, "hex")
        if j is None:
            mism.append("frame %s: mikey-tool cannot decode it" % r["frame.number"])
            continue
        kinds.add(j["hdr"]["data_type"])
        for k, v in expected_fields(j).items():
            got = [norm(k, x) for x in r[k].split(",") if x != ""]
            compared += len(v)
            if got != v:
                mism.append("frame %s %s: tshark %s, mikey-tool %s" % (r["frame.number"], k, got, v))
    R.check("tshark: %d MIKEY field values (HDR, Next payload chain, RAND, ID, SP, EXT, KEMAC, V) equal "
            "mikey-tool's in %d distinct messages" % (compared, len(distinct)),
            distinct and not mism, "(%s)" % "; ".join(mism[:6]))
    R.check("tshark: the messages are PSK I_MESSAGEs (0) and PSK verification messages (1)",
            kinds == {0, 1}, "(data types %s)" % sorted(kinds))


def main():
    missing = [p for p in (AGENT, TOOL) if not os.access(p, os.X_OK)]
    missing += ["%s (Debian package %s)" % (b, pkg) for b, pkg in (("sipp", "sip-tester"), ("tshark", "tshark"),
                                                                   ("kamailio", "kamailio"))
                if shutil.which(b) is None and not os.access("/usr/sbin/" + b, os.X_OK)]
    if missing:
        R.check("programs present", False, "(missing: %s)" % ", ".join(missing))
        return R.finish()
    with tempfile.TemporaryDirectory(prefix="mikey-sipp-") as tmp:
        d = KEEP or tmp
        os.makedirs(d, exist_ok=True)
        ks = st.KeyServer(BUILD, d, PSK)
        kam = st.Kamailio(d)
        cap = None
        try:
            if not R.check("key server started", ks.started, st.tail(ks.log_path)):
                return R.finish()
            kam_ok = kam.start()
            R.check("Kamailio started and answers OPTIONS", kam_ok, "(%s)" % kam.error)
            ports = [ks.port] + ([kam.port] if kam_ok else [])
            cap = st.Capture(d, ports)
            cap_ok = R.check("tshark is capturing on lo", cap.start(), "(%s)" % cap.error)
            seen = join(d, ks, "alice", "direct")
            if kam_ok:
                seen += join(d, ks, "bob", "via Kamailio", proxy_port=kam.port)
                n = kam.relayed()
                R.check("via Kamailio: it relayed the join, the push re-INVITE, the 488 and the BYE (%s)" % n,
                        n["initial INVITE"] >= 1 and n["re-INVITE"] >= 1 and n["488"] >= 1 and n["BYE"] >= 1,
                        st.tail(kam.log_path, 1500))
            bad = load(d, ks)
            seen += join(d, ks, "carol", "after the load")
            if cap_ok:
                R.check("tshark stopped", cap.stop() == 0, st.tail(cap.err_path, 500))
                tshark_check(cap, ports, seen, bad)
            rc = ks.stop()
            R.check("key server exits cleanly (exit 0)", rc == 0, "(exit %s) %s" % (rc, st.tail(ks.log_path)))
            if kam_ok:
                rc = kam.stop()
                R.check("Kamailio exits cleanly", rc == 0, "(exit %s)" % rc)
        except Exception as e:  # a broken case is a failure, never a skip
            R.check("sipp_join", False, "raised %r" % e)
            print("--- key server log\n" + st.tail(ks.log_path))
        finally:
            if cap is not None and cap.p is not None:
                cap.stop()
            kam.stop()
            ks.stop()
    return R.finish()


if __name__ == "__main__":
    sys.exit(main())
