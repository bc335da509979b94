#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Compare `mikey-tool decode --json` with tshark's MIKEY dissector.

For every message of the corpus (tests/corpus/gen_corpus.c):
  1. the message is wrapped in UDP to port 2269 (text2pcap) and decoded by
     tshark as PDML (PDML, unlike -T json, gives each field's byte position,
     which lets us check payload boundaries, not only values);
  2. the same bytes are decoded by `mikey-tool decode --json`;
  3. every field tshark shows is compared with ours, payload by payload.

tshark 4.0 is wrong or silent in some places. Each such place is a named
defect below (TSHARK_DEFECTS), with the RFC section that shows the correct
encoding. When a defect is hit the test says so, skips exactly the fields
(or the payloads after it) that the defect makes meaningless, and still
compares everything before it. Payload types tshark 4.0 does not know at
all (TR, RANDR, TP, TICKET) end its decode; such messages count as
"decoded by mikey-tool, not by tshark" in the summary, and what tshark did
show must still match and must not be malformed.

One test is one message. The last line is exactly "N passed, N failed";
the exit status is 1 when any message failed.
"""

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

# Ethernet (14) + IPv4 (20) + UDP (8) added by text2pcap: PDML positions are
# frame offsets, ours are message offsets.
FRAME_OFFSET = 42

# Payload type -> tshark's field name for that payload (RFC 3830 Table 6.1.b;
# IDR and SAKKE are the RFC 6043 / RFC 6509 additions tshark 4.0 knows).
TS_PAYLOAD_NAME = {
    1: "mikey.kemac", 2: "mikey.pke", 3: "mikey.dh", 4: "mikey.sign",
    5: "mikey.t", 6: "mikey.id", 7: "mikey.cert", 8: "mikey.chash",
    9: "mikey.v", 10: "mikey.sp", 11: "mikey.rand", 12: "mikey.err",
    14: "mikey.idr", 21: "mikey.ext", 26: "mikey.sakke",
}
PAYLOAD_NAME = {
    1: "KEMAC", 2: "PKE", 3: "DH", 4: "SIGN", 5: "T", 6: "ID", 7: "CERT",
    8: "CHASH", 9: "V", 10: "SP", 11: "RAND", 12: "ERR", 13: "TR", 14: "IDR",
    15: "RANDR", 16: "TP", 17: "TICKET", 20: "Key data", 21: "General Ext.",
    26: "SAKKE",
}
# RFC 6043 payloads absent from tshark 4.0's payload table: it shows the
# rest of the message as one unnamed item and stops.
TS_UNKNOWN_PAYLOADS = {13: "RFC 6043 §6.4", 15: "RFC 6043 §6.8",
                       16: "RFC 6043 §6.10", 17: "RFC 6043 §6.10"}

# SRTP policy parameter type -> tshark's typed field (RFC 3830 Table 6.10.1.a).
TS_SRTP_PARAM = [
    "mikey.sp.encr_alg", "mikey.sp.encr_len", "mikey.sp.auth_alg",
    "mikey.sp.auth_key_len", "mikey.sp.salt_len", "mikey.sp.prf",
    "mikey.sp.kd_rate", "mikey.sp.srtp_encr", "mikey.sp.srtcp_encr",
    "mikey.sp.fec", "mikey.sp.srtp_auth", "mikey.sp.auth_tag_len",
    "mikey.sp.srtp_prefix",
]

# Known tshark 4.0 defects. Key -> explanation printed with every hit.
TSHARK_DEFECTS = {
    "CHASH": "tshark 4.0 has no CHASH decoder: the payload item swallows the rest of the "
             "message (RFC 3830 §6.8: Next payload, Hash func, Hash of implied length); "
             "payloads after it are not compared",
    "CERT-LEN": "tshark 4.0 shows 'Certificate len' from bytes 1-2 of the payload instead "
                "of bytes 2-3 (RFC 3830 §6.7: Cert len follows the 8-bit type); the value "
                "it shows is checked to be exactly type*256 + (len >> 8)",
    "CERT-URL": "tshark 4.0 hands Cert data to the X.509 DER decoder for every Cert type, "
                "also type 1 'X.509v3 URL' whose data is a URL (RFC 3830 Table 6.7.b): "
                "malformed exception; payloads after it are not compared",
    "KEMAC-FIRST-KEY": "tshark 4.0 shows only the first Key data sub-payload of a NULL "
                       "KEMAC and gives that item the length of all of Encr data (RFC 3830 "
                       "§6.2/§6.13: Encr data is a chain of Key data sub-payloads linked by "
                       "Next payload); the other Key data are not compared",
    "GTGK-SALT": "tshark 4.0 does not know Key data type 5 GTGK+SALT carries a Salt "
                 "(RFC 6043 Table 6.7, RFC 3830 §6.13) and reads the Salt as KV data; "
                 "fields after the key are not compared",
    "TS-NTP-UTC-32": "tshark 4.0 does not know TS type 3 NTP-UTC-32 (RFC 6043 §6.3, 32-bit "
                     "value): the T item swallows the rest of the message; payloads after "
                     "it are not compared",
    "MAC-SHA256": "tshark 4.0 does not know MAC/Auth alg 2 HMAC-SHA-256-256 (RFC 6043 §6.2 "
                  "Table 6.6, 256-bit MAC): it shows no MAC and the item swallows the rest "
                  "of the message; payloads after it are not compared",
    "DH-KV": "tshark 4.0 ignores the KV data after the KV field of a DH payload (RFC 3830 "
             "§6.4 and §6.14: KV SPI / Interval data follow); the DH item swallows the "
             "rest of the message; payloads after it are not compared",
    "GENERIC-ID": "tshark 4.0 does not decode CS ID map type 2 GENERIC-ID (RFC 6043 "
                  "§6.1.1): it skips the map info and reads it as the next payload, which "
                  "ends in a malformed exception; only the fixed HDR fields are compared",
    "SP-POS": "tshark 4.0 gives the Type/Length items of each SP parameter positions "
              "outside the packet; their values are compared, their positions are not",
}


class Result:
    """Outcome of one message."""

    def __init__(self, name):
        self.name = name
        self.errors = []
        self.defects = []      # keys of TSHARK_DEFECTS hit
        self.not_tshark = []   # parts decoded by mikey-tool only
        self.compared = 0
        self.malformed_ok = False
        self.stopped = None    # why the payload walk stopped early
        self.blind = []        # our fields no tshark field checks

    def fail(self, msg):
        self.errors.append(msg)

    def defect(self, key):
        if key not in self.defects:
            self.defects.append(key)

    def eq(self, label, theirs, ours):
        self.compared += 1
        if theirs != ours:
            self.fail("%s: tshark %r, mikey-tool %r" % (label, theirs, ours))


class Node:
    """One PDML field: name, position (message offset), size, show, value."""

    def __init__(self, el):
        self.name = el.get("name", "")
        self.pos = int(el.get("pos", "0")) - FRAME_OFFSET
        self.size = int(el.get("size", "0"))
        self.show = el.get("show", "")
        self.value = el.get("value")  # None when absent (<MISSING>)
        self.children = [Node(c) for c in el if c.tag in ("field", "proto")]

    def all(self, name):
        return [c for c in self.children if c.name == name]

    def get(self, name):
        found = self.all(name)
        return found[0] if found else None

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


def ts_int(node):
    s = node.show
    return int(s, 16) if s.lower().startswith("0x") else int(s)


def ts_hex(node):
    return (node.value or "").lower()


def field_int(res, parent, name, ours, label):
    n = parent.get(name)
    if n is None:
        res.fail("%s: tshark shows no %s" % (label, name))
        return
    res.eq("%s %s" % (label, name), ts_int(n), ours)


def field_hex(res, parent, name, ours, label):
    n = parent.get(name)
    if n is None:
        res.fail("%s: tshark shows no %s" % (label, name))
        return
    res.eq("%s %s" % (label, name), ts_hex(n), ours)


def hexlen(h):
    return len(h) // 2


class Stop(Exception):
    """tshark's view after this point is invalid because of a known defect."""

    def __init__(self, defect):
        super().__init__(defect)
        self.defect = defect


# ---- per payload comparisons: (result, tshark node, our JSON, raw bytes) ----

def cmp_hdr(res, t, h, first_type):
    lab = "HDR"
    res.eq(lab + " pos", t.pos, h["offset"])
    field_int(res, t, "mikey.version", h["version"], lab)
    field_int(res, t, "mikey.type", h["data_type"], lab)
    field_int(res, t, "mikey.next_payload", first_type, lab)
    field_int(res, t, "mikey.v.set", 1 if h["v"] else 0, lab)
    field_int(res, t, "mikey.prf_func", h["prf_func"], lab)
    field_int(res, t, "mikey.csb_id", h["csb_id"], lab)
    field_int(res, t, "mikey.cs_count", h["n_cs"], lab)
    field_int(res, t, "mikey.cs_id_map_type", h["map_type"], lab)
    if h["map_type"] == 2:
        res.defect("GENERIC-ID")
        res.malformed_ok = True
        raise Stop("GENERIC-ID")
    res.eq(lab + " size", t.size, h["length"])
    ids = t.all("mikey.srtp_id")
    ours = (h.get("srtp_cs") or []) if h["map_type"] == 0 else []
    res.eq(lab + " number of SRTP ID entries", len(ids), len(ours))
    for i, (n, cs) in enumerate(zip(ids, ours)):
        l2 = "%s SRTP ID[%d]" % (lab, i)
        res.eq(l2 + " pos", n.pos, 10 + 9 * i)
        field_int(res, n, "mikey.srtp_id.policy_no", cs["policy_no"], l2)
        field_int(res, n, "mikey.srtp_id.ssrc", cs["ssrc"], l2)
        field_int(res, n, "mikey.srtp_id.roc", cs["roc"], l2)


def cmp_kv(res, t, kv, lab):
    if kv["type"] == 1:
        field_int(res, t, "mikey.key.kv.spi.len", hexlen(kv["spi"]), lab)
        field_hex(res, t, "mikey.key.kv.spi", kv["spi"], lab)
    elif kv["type"] == 2:
        field_int(res, t, "mikey.key.kv.from.len", hexlen(kv["valid_from"]), lab)
        if kv["valid_from"]:
            field_hex(res, t, "mikey.key.kv.from", kv["valid_from"], lab)
        field_int(res, t, "mikey.key.kv.to.len", hexlen(kv["valid_to"]), lab)
        if kv["valid_to"]:
            field_hex(res, t, "mikey.key.kv.to", kv["valid_to"], lab)


def cmp_key_data(res, t, k, lab, n_keys):
    res.eq(lab + " pos", t.pos, k["offset"])
    if n_keys > 1:
        res.defect("KEMAC-FIRST-KEY")
        res.not_tshark.append("Key data 2..%d of the KEMAC" % n_keys)
    elif k["key_type"] != 5:
        res.eq(lab + " size", t.size, k["length"])
    field_int(res, t, "mikey.key.type", k["key_type"], lab)
    field_int(res, t, "mikey.key.kv", k["kv"]["type"], lab)
    field_int(res, t, "mikey.key.data.len", hexlen(k["key"]), lab)
    field_hex(res, t, "mikey.key.data", k["key"], lab)
    if k["key_type"] == 5:
        res.defect("GTGK-SALT")
        res.not_tshark.append("Salt and KV data of the GTGK+SALT Key data")
        return
    if k["key_type"] in (1, 3):
        field_int(res, t, "mikey.key.salt.len", hexlen(k["salt"]), lab)
        field_hex(res, t, "mikey.key.salt", k["salt"], lab)
    cmp_kv(res, t, k["kv"], lab)


def cmp_kemac(res, t, p, raw, data_type):
    lab = "KEMAC@%d" % p["offset"]
    field_int(res, t, "mikey.kemac.encr_alg", p["encr_alg"], lab)
    sub = p.get("sub") or []
    if p["encr_alg"] == 0:
        if sub:
            start = sub[0]["offset"]
            end = sub[-1]["offset"] + sub[-1]["length"]
            res.eq(lab + " first sub-payload offset", start, p["offset"] + 4)
            # Not a tshark comparison: the sub-payloads must tile Encr data
            # (RFC 3830 §6.2), which also covers the Key data tshark skips.
            for a, b in zip(sub, sub[1:]):
                res.eq(lab + " sub-payload at %d ends where the next starts" % a["offset"],
                       a["offset"] + a["length"], b["offset"])
            res.eq(lab + " Encr data ends before MAC alg", end + 1 + hexlen(p["mac"]),
                   p["offset"] + p["length"])
            for k in sub:
                if k["type"] == 20 and k["key_type"] not in (1, 3, 5):
                    # RFC 3830 §6.13: only the +SALT types carry a Salt.
                    res.eq(lab + " Key data at %d salt (type has none)" % k["offset"], k["salt"], "")
        else:
            start = end = p["offset"] + 4
        encr = raw[start:end].hex()
        res.eq(lab + " encr_data (NULL: empty)", p["encr_data"], "")
    else:
        encr = p["encr_data"]
    field_int(res, t, "mikey.kemac.key_data_len", hexlen(encr), lab)
    keys = t.all("mikey.key")
    rawdata = t.get("mikey.kemac.key_data")
    if rawdata is not None:
        # Encrypted, or a NULL KEMAC whose chain starts with ID (public-key
        # and RSA-R forms): tshark shows the bytes as they are.
        res.eq(lab + " Encr data bytes", ts_hex(rawdata), encr)
        if p["encr_alg"] == 0 and sub:
            res.not_tshark.append("NULL-KEMAC chain %s (tshark shows it as bytes)"
                                  % "+".join(PAYLOAD_NAME.get(s["type"], str(s["type"])) for s in sub))
    elif keys:
        res.eq(lab + " tshark Key data items", len(keys), 1)
        if not sub or sub[0]["type"] != 20:
            res.fail(lab + ": tshark decoded Key data where mikey-tool has %r" % sub[:1])
        else:
            cmp_key_data(res, keys[0], sub[0], lab + " Key data[0]", len(sub))
    elif encr:
        res.fail(lab + ": tshark shows neither Key data nor Encr data bytes")
    field_int(res, t, "mikey.kemac.mac_alg", p["mac_alg"], lab)
    if p["mac_alg"] == 2:
        res.defect("MAC-SHA256")
        raise Stop("MAC-SHA256")
    field_hex(res, t, "mikey.kemac.mac", p["mac"], lab)


def cmp_pke(res, t, p, raw, dt):
    lab = "PKE@%d" % p["offset"]
    field_int(res, t, "mikey.pke.c", p["cache"], lab)
    field_int(res, t, "mikey.pke.len", hexlen(p["data"]), lab)
    field_hex(res, t, "mikey.pke.data", p["data"], lab)


def cmp_dh(res, t, p, raw, dt):
    lab = "DH@%d" % p["offset"]
    field_int(res, t, "mikey.dh.group", p["group"], lab)
    field_hex(res, t, "mikey.dh.value", p["value"], lab)
    field_int(res, t, "mikey.dh.reserv", p["reserved"], lab)
    field_int(res, t, "mikey.dh.kv", p["kv"]["type"], lab)
    if p["kv"]["type"] != 0:
        res.defect("DH-KV")
        raise Stop("DH-KV")


def cmp_sign(res, t, p, raw, dt):
    lab = "SIGN@%d" % p["offset"]
    field_int(res, t, "mikey.sign.type", p["s_type"], lab)
    field_int(res, t, "mikey.sign.len", hexlen(p["sig"]), lab)
    field_hex(res, t, "mikey.sign.data", p["sig"], lab)


def cmp_t(res, t, p, raw, dt):
    lab = "T@%d" % p["offset"]
    field_int(res, t, "mikey.t.ts_type", p["ts_type"], lab)
    if p["ts_type"] in (0, 1):
        n = t.get("mikey.t.ntp")
        if n is None:
            res.fail(lab + ": tshark shows no NTP timestamp")
        else:
            res.eq(lab + " mikey.t.ntp (raw 64 bits)", int(ts_hex(n), 16), p["value"])
    elif p["ts_type"] == 2:
        res.not_tshark.append("COUNTER value (tshark shows only the TS type)")
    elif p["ts_type"] == 3:
        res.defect("TS-NTP-UTC-32")
        raise Stop("TS-NTP-UTC-32")


def cmp_id(res, t, p, raw, dt):
    lab = "%s@%d" % (PAYLOAD_NAME[p["type"]], p["offset"])
    if p["type"] == 14:
        field_int(res, t, "mikey.id.role", p["role"], lab)
    field_int(res, t, "mikey.id.type", p["id_type"], lab)
    field_int(res, t, "mikey.id.len", hexlen(p["data"]), lab)
    field_hex(res, t, "mikey.id.data", p["data"], lab)


def cmp_cert(res, t, p, raw, dt):
    lab = "CERT@%d" % p["offset"]
    field_int(res, t, "mikey.cert.type", p["cert_type"], lab)
    # Defect CERT-LEN: tshark reads bytes 1-2 (type, high byte of the length).
    res.defect("CERT-LEN")
    n = t.get("mikey.cert.len")
    if n is None:
        res.fail(lab + ": tshark shows no Certificate len")
    else:
        res.eq(lab + " mikey.cert.len (as misread by tshark)", ts_int(n),
               (p["cert_type"] << 8) | (hexlen(p["data"]) >> 8))
        res.eq(lab + " mikey.cert.len position (as misread by tshark)", n.pos, p["offset"] + 1)
    if p["cert_type"] == 1:
        res.defect("CERT-URL")
        res.malformed_ok = True
        raise Stop("CERT-URL")
    field_hex(res, t, "mikey.cert.data", p["data"], lab)


def cmp_chash(res, t, p, raw, dt):
    res.defect("CHASH")
    raise Stop("CHASH")


def cmp_v(res, t, p, raw, dt):
    lab = "V@%d" % p["offset"]
    field_int(res, t, "mikey.v.auth_alg", p["auth_alg"], lab)
    if p["auth_alg"] == 2:
        res.defect("MAC-SHA256")
        raise Stop("MAC-SHA256")
    field_hex(res, t, "mikey.v.ver_data", p["ver_data"], lab)


def cmp_sp(res, t, p, raw, dt):
    lab = "SP@%d" % p["offset"]
    field_int(res, t, "mikey.sp.no", p["policy_no"], lab)
    field_int(res, t, "mikey.sp.proto_type", p["prot_type"], lab)
    params = p.get("params") or []
    field_int(res, t, "mikey.sp.param_len", sum(2 + q["len"] for q in params), lab)
    fixed = ("mikey.next_payload", "mikey.sp.no", "mikey.sp.proto_type", "mikey.sp.param_len")
    items = [c for c in t.children if c.name not in fixed]
    res.eq(lab + " number of parameters", len(items), len(params))
    if params:
        res.defect("SP-POS")
    typed = p["prot_type"] == 0
    if not typed and params:
        res.not_tshark.append("%s policy parameter names (prot type %d; tshark shows Type/Length/Value only)"
                              % ("TESLA" if p["prot_type"] == 1 else "unknown", p["prot_type"]))
    for i, (n, q) in enumerate(zip(items, params)):
        l2 = "%s param[%d]" % (lab, i)
        if typed and q["type"] < len(TS_SRTP_PARAM):
            res.eq(l2 + " tshark field", n.name, TS_SRTP_PARAM[q["type"]])
        else:
            res.eq(l2 + " tshark field", n.name, "mikey.sp.param")
        res.eq(l2 + " value position", n.pos, p["offset"] + 5 + sum(2 + x["len"] for x in params[:i]) + 2)
        res.eq(l2 + " value", ts_hex(n), q["value"])
        field_int(res, n, "mikey.sp.param.type", q["type"], l2)
        field_int(res, n, "mikey.sp.param.len", q["len"], l2)
        field_hex(res, n, "mikey.sp.patam.value", q["value"], l2)


def cmp_rand(res, t, p, raw, dt):
    lab = "RAND@%d" % p["offset"]
    field_int(res, t, "mikey.rand.len", hexlen(p["rand"]), lab)
    field_hex(res, t, "mikey.rand.data", p["rand"], lab)


def cmp_err(res, t, p, raw, dt):
    lab = "ERR@%d" % p["offset"]
    field_int(res, t, "mikey.err.no", p["err_no"], lab)
    field_hex(res, t, "mikey.err.reserved", "%04x" % p["reserved"], lab)


def key_ids_bytes(key_ids):
    # RFC 4563 §4: Key ID Type (8) | Key ID Length (8) | Key ID.
    return "".join("%02x%02x%s" % (k["type"], hexlen(k["id"]), k["id"]) for k in key_ids)


def cmp_ext(res, t, p, raw, dt):
    lab = "EXT@%d" % p["offset"]
    field_int(res, t, "mikey.ext.type", p["ext_type"], lab)
    if p["ext_type"] == 3:
        data = key_ids_bytes(p.get("key_ids") or [])
        res.eq(lab + " data (KEY-ID: empty, typed in key_ids)", p["data"], "")
        res.not_tshark.append("KEY-ID sub-payloads (RFC 4563 §4; tshark shows bytes)")
    else:
        data = p["data"]
    field_int(res, t, "mikey.ext.len", hexlen(data), lab)
    n = t.get("mikey.ext.data") or t.get("mikey.ext.value")
    if n is None:
        res.fail(lab + ": tshark shows no extension data")
    else:
        res.eq(lab + " " + n.name, ts_hex(n), data)


def cmp_sakke(res, t, p, raw, dt):
    lab = "SAKKE@%d" % p["offset"]
    field_int(res, t, "mikey.sakke.params", p["params"], lab)
    field_int(res, t, "mikey.sakke.idscheme", p["id_scheme"], lab)
    field_int(res, t, "mikey.sakke.len", hexlen(p["data"]), lab)
    field_hex(res, t, "mikey.sakke.data", p["data"], lab)


CMP = {1: cmp_kemac, 2: cmp_pke, 3: cmp_dh, 4: cmp_sign, 5: cmp_t, 6: cmp_id,
       7: cmp_cert, 8: cmp_chash, 9: cmp_v, 10: cmp_sp, 11: cmp_rand, 12: cmp_err,
       14: cmp_id, 21: cmp_ext, 26: cmp_sakke}


def is_malformed(packet_el):
    """True when tshark flagged the frame malformed or raised an error-level
    expert item (severity >= PI_ERROR, 0x00800000)."""
    for el in packet_el.iter():
        name = el.get("name", "")
        if name == "_ws.malformed":
            return True
        if name == "_ws.expert.severity" and int(el.get("show", "0")) >= 0x00800000:
            return True
    return False


def compare_message(res, raw, ours, packet_el):
    """Compares one message; a field missing from our JSON is a mismatch."""
    try:
        compare_message_fields(res, raw, ours, packet_el)
    except (KeyError, TypeError, IndexError) as e:
        res.fail("mikey-tool JSON lacks or mistypes a field the RFC requires here: %r" % e)


def compare_message_fields(res, raw, ours, packet_el):
    if "error" in ours:
        res.fail("mikey-tool could not decode it: %s" % json.dumps(ours["error"]))
        return
    res.eq("message length", ours.get("length"), len(raw))
    mikey = None
    for el in packet_el:
        if el.tag == "proto" and el.get("name") == "mikey":
            mikey = Node(el)
    if mikey is None:
        res.fail("tshark did not dissect the frame as MIKEY")
        return
    res.eq("MIKEY size", mikey.size, len(raw))
    payloads = ours["payloads"]
    types = [p["type"] for p in payloads]
    nodes = mikey.children
    if not nodes or nodes[0].name != "mikey.hdr":
        res.fail("tshark shows no Common Header")
        return
    try:
        cmp_hdr(res, nodes[0], ours["hdr"], types[0] if types else 0)
        tnodes = nodes[1:]
        for i, p in enumerate(payloads):
            nxt = types[i + 1] if i + 1 < len(types) else 0
            label = "payload %d (%s@%d)" % (i + 1, PAYLOAD_NAME.get(p["type"], p["type"]), p["offset"])
            if i >= len(tnodes):
                res.fail("%s: tshark shows only %d payloads" % (label, len(tnodes)))
                return
            t = tnodes[i]
            if t.name == "":
                if p["type"] not in TS_UNKNOWN_PAYLOADS:
                    res.fail("%s: tshark does not decode it" % label)
                    return
                res.eq(label + " pos", t.pos, p["offset"])
                res.eq(label + " size (rest of the message)", t.size, len(raw) - p["offset"])
                field_int(res, t, "mikey.next_payload", nxt, label)
                rest = sorted({PAYLOAD_NAME.get(x, str(x)) for x in types[i:]})
                res.not_tshark.append("payloads from %s on (tshark 4.0 lacks %s %s; seen: %s)"
                                      % (PAYLOAD_NAME[p["type"]], PAYLOAD_NAME[p["type"]],
                                         TS_UNKNOWN_PAYLOADS[p["type"]], ", ".join(rest)))
                res.stopped = "unknown payload %s" % PAYLOAD_NAME[p["type"]]
                return
            want = TS_PAYLOAD_NAME.get(p["type"])
            if t.name != want:
                res.fail("%s: tshark shows %s" % (label, t.name))
                return
            res.eq(label + " pos", t.pos, p["offset"])
            if p["type"] != 4:  # SIGN has no Next payload (RFC 3830 §6.5)
                field_int(res, t, "mikey.next_payload", nxt, label)
            # A Stop raised here (known defect) skips the size check too.
            CMP[p["type"]](res, t, p, raw, ours["hdr"]["data_type"])
            res.eq(label + " size", t.size, p["length"])
        res.eq("number of payloads shown by tshark", len(tnodes), len(payloads))
    except Stop as s:
        res.stopped = "tshark defect %s" % s.defect
        # Payloads after the defect exist only in mikey-tool's decode.
        res.not_tshark.append("everything after the %s defect" % s.defect)


# Keys of mikey-tool's JSON that tshark 4.0 never shows, so no comparison
# can catch a wrong value in them: names (tshark's strings differ from the
# RFC names we print), derived text, and our parse positions of sub-items.
NOT_SHOWN_BY_TSHARK = {"time", "text", "int", "value_name"}


def leaves(obj, path=()):
    """Every scalar of a JSON value, as (path, value)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaves(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from leaves(v, path + (i,))
    else:
        yield path, obj


def mutated(obj, path):
    """A deep copy of |obj| with the scalar at |path| changed."""
    top = copy.deepcopy(obj)
    cur = top
    for k in path[:-1]:
        cur = cur[k]
    v = cur[path[-1]]
    if isinstance(v, bool):
        cur[path[-1]] = not v
    elif isinstance(v, int):
        cur[path[-1]] = v + 1
    elif isinstance(v, str):
        # Flip the last hex digit (or append one to an empty string).
        cur[path[-1]] = v[:-1] + ("0" if v[-1:] != "0" else "1") if v else "00"
    else:
        return None
    return top


def mutation_check(raw, ours, pkt):
    """Change each scalar of our decode in turn; return the paths whose
    change the comparison did not notice (only names and fields tshark does
    not show should be left)."""
    missed = []
    for path, v in leaves(ours):
        if not isinstance(v, (bool, int, str)) or (isinstance(path[-1], str) and (
                path[-1].endswith("_name") or path[-1] in NOT_SHOWN_BY_TSHARK)):
            continue
        m = mutated(ours, path)
        r = Result("mutation")
        compare_message(r, raw, m, pkt)
        if not r.errors:
            missed.append(path)
    return missed


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300, **kw)


def generate(gen, outdir):
    if os.path.isdir(outdir):
        shutil.rmtree(outdir)
    r = run([gen, outdir])
    if r.returncode != 0:
        sys.stderr.write(r.stderr.decode(errors="replace"))
        raise SystemExit("gen_corpus failed (exit %d)" % r.returncode)


def tshark_pdml(args, files, workdir):
    """All messages in one capture (one frame each), one tshark run."""
    text = []
    for f in files:
        with open(f, "rb") as fh:
            data = fh.read()
        # od -Ax -tx1 format: offset restarting at 0 starts a new packet.
        for off in range(0, len(data), 16):
            chunk = data[off:off + 16]
            text.append("%06x %s\n" % (off, " ".join("%02x" % b for b in chunk)))
    hexdump = os.path.join(workdir, "corpus.txt")
    pcap = os.path.join(workdir, "corpus.pcap")
    with open(hexdump, "w") as fh:
        fh.writelines(text)
    r = run([args.text2pcap, "-q", "-u", "40000,2269", hexdump, pcap])
    if r.returncode != 0:
        raise SystemExit("text2pcap failed: " + r.stderr.decode(errors="replace"))
    r = run([args.tshark, "-n", "-r", pcap, "-T", "pdml"])
    if r.returncode != 0:
        raise SystemExit("tshark failed: " + r.stderr.decode(errors="replace"))
    root = ET.fromstring(r.stdout)
    packets = root.findall("packet")
    if len(packets) != len(files):
        raise SystemExit("tshark returned %d frames for %d messages" % (len(packets), len(files)))
    return packets


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gen-corpus", help="gen_corpus executable; regenerates --corpus-dir")
    ap.add_argument("--corpus-dir", required=True)
    ap.add_argument("--mikey-tool", required=True)
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("--text2pcap", default="text2pcap")
    ap.add_argument("--only", help="compare only messages whose name contains this")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    corpus = args.corpus_dir.rstrip("/")
    determinism = {}
    if args.gen_corpus:
        generate(args.gen_corpus, corpus)
        again = corpus + ".again"
        generate(args.gen_corpus, again)
        for name in sorted(set(os.listdir(corpus)) | set(os.listdir(again))):
            a = os.path.join(corpus, name)
            b = os.path.join(again, name)
            same = os.path.isfile(a) and os.path.isfile(b) and open(a, "rb").read() == open(b, "rb").read()
            determinism[name] = same
        shutil.rmtree(again)

    names = sorted(n for n in os.listdir(corpus) if n.endswith(".bin"))
    if args.only:
        names = [n for n in names if args.only in n]
    if not names:
        raise SystemExit("no .bin messages in " + corpus)
    files = [os.path.join(corpus, n) for n in names]
    workdir = corpus + ".work"
    os.makedirs(workdir, exist_ok=True)
    packets = tshark_pdml(args, files, workdir)

    results = []
    for name, path, pkt in zip(names, files, packets):
        res = Result(name[:-4])
        with open(path, "rb") as fh:
            raw = fh.read()
        if determinism and not determinism.get(name, False):
            res.fail("gen_corpus wrote different bytes on a second run")
        r = run([args.mikey_tool, "decode", "--json", path])
        try:
            ours = json.loads(r.stdout.decode())
        except ValueError:
            res.fail("mikey-tool exit %d, output is not JSON: %r" % (r.returncode, r.stdout[:200]))
            ours = None
        if ours is not None:
            if r.returncode != 0 and "error" not in ours:
                res.fail("mikey-tool exit status %d" % r.returncode)
            compare_message(res, raw, ours, pkt)
        if is_malformed(pkt) and not res.malformed_ok:
            res.fail("tshark marks the frame malformed (no known defect explains it)")
        if ours is not None and not res.errors:
            # Test the test: a wrong value in any field tshark decodes must
            # be caught. Where tshark stops early or shows bytes only, the
            # fields it cannot see are listed, not failed.
            missed = mutation_check(raw, ours, pkt)
            res.blind = [".".join(str(x) for x in m) for m in missed]
            if res.blind and not res.stopped and not res.not_tshark:
                res.fail("comparison did not notice a changed value in: " + ", ".join(res.blind))
        results.append(res)

    n_pass = 0
    for res in results:
        ok = not res.errors
        n_pass += ok
        line = "%s %s: %d fields equal" % ("PASS" if ok else "FAIL", res.name, res.compared - len(res.errors))
        if res.stopped:
            line += "; tshark stops: " + res.stopped
        print(line)
        for d in res.defects:
            print("    tshark defect %s: %s" % (d, TSHARK_DEFECTS[d]) if args.verbose else "    tshark defect " + d)
        for n in res.not_tshark:
            print("    decoded by mikey-tool, not by tshark: " + n)
        if res.blind and args.verbose:
            print("    fields only mikey-tool decodes: " + ", ".join(res.blind))
        for e in res.errors:
            print("    MISMATCH " + e)

    print()
    print("Summary")
    full = [r for r in results if not r.not_tshark]
    clean = [r for r in full if not r.defects]
    partial = [r for r in results if r.not_tshark]
    print("  messages: %d; fields compared equal: %d" % (len(results), sum(r.compared - len(r.errors) for r in results)))
    print("  decoded completely by tshark too: %d (%d without any tshark defect, %d with only the "
          "display defects SP-POS/CERT-LEN)" % (len(full), len(clean), len(full) - len(clean)))
    print("  decoded by mikey-tool, not (completely) by tshark: %d" % len(partial))
    counts = {}
    for r in results:
        for d in r.defects:
            counts[d] = counts.get(d, 0) + 1
    for d in TSHARK_DEFECTS:
        if d in counts:
            print("  tshark defect %-16s hit in %3d messages: %s" % (d, counts[d], TSHARK_DEFECTS[d]))
    stops = {}
    for r in results:
        if r.stopped and r.stopped.startswith("unknown payload"):
            stops[r.stopped] = stops.get(r.stopped, 0) + 1
    for s, c in sorted(stops.items()):
        print("  tshark stops at %s in %d messages" % (s, c))
    n_fail = len(results) - n_pass
    print("%d passed, %d failed" % (n_pass, n_fail))
    return 1 if n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
