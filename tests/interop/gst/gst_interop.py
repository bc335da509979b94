#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst_interop.py - interop between libmikey and GStreamer's GstMIKEYMessage.

Two directions, one mode each (plus an internal one):

  gst-builds --mikey-tool PATH
      GStreamer builds MIKEY messages (GstSdp.MIKEYMessage through gi,
      including new_from_caps as gst-rtsp-server uses it); `mikey-tool decode
      --json` decodes them; every field is compared with what was put in, and
      GStreamer's own view (its getters) is compared with it too.

  we-build --generator PATH --workdir DIR
      make_psk_msgs (libmikey's public builder API) writes NULL-KEMAC PSK
      messages and a manifest of the fields it put in; GStreamer parses each
      one in a child process run under `timeout` (its parser can loop
      forever); its view, its to_caps() result and its re-encoding are
      compared with the manifest and with our bytes.

  gst-parse FILE        (internal) parse FILE with GStreamer, print JSON.

Each check prints PASS/FAIL with its name; the last line is exactly
`N passed, N failed`; the exit status is 1 when anything failed.

GStreamer's payload structures (GstMIKEYPayloadT, ...KEMAC, ...KeyData, ...)
are public C structs that gi cannot down-cast to. Their fields are read with
ctypes at the offsets the GstSdp typelib itself gives (no hand-written
layout); everything else goes through gi: the message fields, get_cs_srtp,
get_payload, sp_get_param, kemac_get_sub, to_caps, base64_encode. The few
C entry points whose `info` argument gi refuses to pass as NULL
(to_bytes, new_from_data) are called through ctypes.
"""

import argparse
import base64
import binascii
import ctypes
import datetime
import json
import os
import subprocess
import sys
import tempfile
import traceback

PY = "/usr/bin/python3"
PARSE_TIMEOUT = 20  # seconds; a bound for GStreamer's parser, never asserted on

# RFC 3830 registry numbers used below (types.h names in comments).
PT_KEMAC, PT_PKE, PT_T, PT_SP, PT_RAND, PT_KEY_DATA = 1, 2, 5, 10, 11, 20
KV_NULL, KV_SPI, KV_INTERVAL = 0, 1, 2

# --------------------------------------------------------------------------
# results


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, name, fn, *args):
        """Run fn(*args) -> list of problems; an exception is a failure."""
        try:
            problems = fn(*args)
        except Exception:  # a crash in a check is that check's failure
            problems = ["exception:\n" + traceback.format_exc()]
        if problems:
            self.failed += 1
            print("FAIL %s" % name)
            for p in problems:
                print("     - %s" % p)
        else:
            self.passed += 1
            print("PASS %s" % name)
        sys.stdout.flush()

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed or not self.passed else 0


def diff(expected, actual, path="", problems=None):
    """Compare |expected| against |actual|: every key of an expected dict must
    be present and equal (extra keys in |actual| are fine), lists must match
    element by element. Returns the list of differences."""
    if problems is None:
        problems = []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            problems.append("%s: expected an object, got %r" % (path or "/", actual))
            return problems
        for k, v in expected.items():
            if k not in actual:
                problems.append("%s/%s: missing (expected %r)" % (path, k, v))
            else:
                diff(v, actual[k], "%s/%s" % (path, k), problems)
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            problems.append("%s: expected %d items, got %r" % (path, len(expected), actual))
            return problems
        for i, (e, a) in enumerate(zip(expected, actual)):
            diff(e, a, "%s[%d]" % (path, i), problems)
    elif isinstance(expected, bool) or isinstance(actual, bool):
        if expected is not actual:
            problems.append("%s: expected %r, got %r" % (path, expected, actual))
    elif expected != actual:
        problems.append("%s: expected %r, got %r" % (path, expected, actual))
    return problems


def h(b):
    return binascii.hexlify(bytes(b)).decode()


def ntp_to_iso_seconds(value):
    """64-bit NTP time -> 'YYYY-MM-DDTHH:MM:SS'. RFC 4330 §3: with the most
    significant bit of the seconds clear, the time is in era 1
    (from 2036-02-07T06:28:16Z on), otherwise in era 0 (from 1900)."""
    secs = value >> 32
    if not secs & 0x80000000:
        secs += 1 << 32
    t = datetime.datetime(1900, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(seconds=secs)
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def ts_bytes(ts_type, value):
    """RFC 3830 §6.6: NTP-UTC and NTP are 64 bits, COUNTER 32 bits
    (RFC 6043 §6.6 adds NTP-UTC-32, 32 bits)."""
    return value.to_bytes(8 if ts_type in (0, 1) else 4, "big")


def key_data_wire(kd, next_payload=0):
    """RFC 3830 §6.13 Key data sub-payload, encoded here independently of
    both implementations (used to recognise GStreamer's unencrypted
    'encrypted' KEMAC)."""
    key, salt = bytes.fromhex(kd["key"]), bytes.fromhex(kd.get("salt", ""))
    kv = kd["kv"]
    out = bytes([next_payload, (kd["key_type"] << 4) | kv["type"]]) + len(key).to_bytes(2, "big") + key
    if kd["key_type"] & 1:
        out += len(salt).to_bytes(2, "big") + salt
    if kv["type"] == KV_SPI:
        spi = bytes.fromhex(kv["spi"])
        out += bytes([len(spi)]) + spi
    elif kv["type"] == KV_INTERVAL:
        vf, vt = bytes.fromhex(kv["valid_from"]), bytes.fromhex(kv["valid_to"])
        out += bytes([len(vf)]) + vf + bytes([len(vt)]) + vt
    return out


# --------------------------------------------------------------------------
# GStreamer access (gi + ctypes at typelib offsets)


class Gst:
    """Lazily loaded GStreamer SDP library and the helpers around it."""

    def __init__(self):
        import gi
        gi.require_version("Gst", "1.0")
        gi.require_version("GstSdp", "1.0")
        from gi.repository import Gst as G, GstSdp, GObject
        from gi import _gi
        G.init(None)
        self.G, self.S, self.GObject = G, GstSdp, GObject
        repo = _gi.Repository.get_default()
        self.off = {}
        for n in ("MIKEYPayloadKEMAC", "MIKEYPayloadT", "MIKEYPayloadRAND", "MIKEYPayloadSP",
                  "MIKEYPayloadKeyData", "MIKEYPayloadPKE", "MIKEYPayloadSPParam", "MIKEYMessage"):
            self.off[n] = {f.get_name(): f.get_offset() for f in repo.find_by_name("GstSdp", n).get_fields()}
        self.lib = ctypes.CDLL("libgstsdp-1.0.so.0")
        self.lib.gst_mikey_message_to_bytes.restype = ctypes.c_void_p
        self.lib.gst_mikey_message_to_bytes.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
        self.lib.gst_mikey_message_new_from_data.restype = ctypes.c_void_p
        self.lib.gst_mikey_message_new_from_data.argtypes = [ctypes.c_char_p, ctypes.c_size_t,
                                                             ctypes.c_void_p, ctypes.c_void_p]
        self.lib.gst_mikey_payload_key_data_set_interval.restype = ctypes.c_int
        self.lib.gst_mikey_payload_key_data_set_interval.argtypes = [
            ctypes.c_void_p, ctypes.c_uint8, ctypes.c_char_p, ctypes.c_uint8, ctypes.c_char_p]
        self.glib = ctypes.CDLL("libglib-2.0.so.0")
        self.glib.g_bytes_get_data.restype = ctypes.c_void_p
        self.glib.g_bytes_get_data.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t)]
        self.glib.g_bytes_unref.argtypes = [ctypes.c_void_p]
        self.gobj = ctypes.CDLL("libgobject-2.0.so.0")
        self.gobj.g_value_take_boxed.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        self.gobj.g_type_from_name.restype = ctypes.c_size_t
        self.gobj.g_type_from_name.argtypes = [ctypes.c_char_p]

    # -- pointers ---------------------------------------------------------
    @staticmethod
    def ptr(obj, check_repr=True):
        """The C pointer a gi boxed wrapper holds (PyGBoxed.boxed follows
        the object header); cross-checked with the address gi prints."""
        p = ctypes.c_void_p.from_address(id(obj) + object.__basicsize__).value
        if check_repr and ("0x%x" % p) not in repr(obj):
            raise RuntimeError("cannot locate C pointer of %r (got 0x%x)" % (obj, p))
        return p

    def rd(self, struct, obj_ptr, field, ctype):
        return ctype.from_address(obj_ptr + self.off[struct][field]).value

    def rd_bytes(self, struct, obj_ptr, field, n):
        p = ctypes.c_void_p.from_address(obj_ptr + self.off[struct][field]).value
        if n == 0:
            return b""
        if not p:
            raise RuntimeError("%s.%s is NULL with length %d" % (struct, field, n))
        return ctypes.string_at(p, n)

    # -- messages ---------------------------------------------------------
    def to_bytes(self, msg):
        """gst_mikey_message_to_bytes(msg, NULL, NULL)."""
        gb = self.lib.gst_mikey_message_to_bytes(self.ptr(msg), None, None)
        size = ctypes.c_size_t()
        data = self.glib.g_bytes_get_data(gb, ctypes.byref(size))
        out = ctypes.string_at(data, size.value) if size.value else b""
        self.glib.g_bytes_unref(gb)
        return out

    def from_data(self, data):
        """gst_mikey_message_new_from_data(data, size, NULL, NULL) wrapped
        back into a gi GstSdp.MIKEYMessage (through a GValue), or None."""
        mp = self.lib.gst_mikey_message_new_from_data(data, len(data), None, None)
        if not mp:
            return None
        v = self.GObject.Value()
        v.init(self.S.MIKEYMessage.__gtype__)
        vp = self.ptr(v, check_repr=False)
        if ctypes.c_size_t.from_address(vp).value != self.gobj.g_type_from_name(b"GstMIKEYMessage"):
            raise RuntimeError("GValue layout not as expected")
        self.gobj.g_value_take_boxed(vp, mp)
        return v.get_boxed()

    def view(self, m):
        """GStreamer's view of |m| in docs/decode-json.md field names.
        Key data: GStreamer keeps TGK/TEK and the salt apart; key_type here
        is what GStreamer itself writes on the wire, type | (salt ? 1 : 0)."""
        # gi refuses enum fields holding values outside the GStreamer enums
        # (e.g. PRF 1, HMAC-SHA-256 of RFC 6043): read those three as ints.
        mp = self.ptr(m)
        hdr = {"version": m.version, "data_type": self.rd("MIKEYMessage", mp, "type", ctypes.c_int),
               "v": bool(m.V), "prf_func": self.rd("MIKEYMessage", mp, "prf_func", ctypes.c_int),
               "csb_id": m.CSB_id, "map_type": self.rd("MIKEYMessage", mp, "map_type", ctypes.c_int),
               "n_cs": m.get_n_cs(), "srtp_cs": []}
        for i in range(m.get_n_cs()):
            cs = m.get_cs_srtp(i)
            hdr["srtp_cs"].append({"policy_no": cs.policy, "ssrc": cs.ssrc, "roc": cs.roc})
        return {"hdr": hdr, "payloads": [self.payload_view(m.get_payload(i)) for i in range(m.get_n_payloads())]}

    def payload_view(self, p):
        t = int(p.type)
        pp = self.ptr(p)
        out = {"type": t}
        if t == PT_T:
            ts_type = self.rd("MIKEYPayloadT", pp, "type", ctypes.c_int)
            n = {0: 8, 1: 8, 2: 4}[ts_type]  # GStreamer's get_ts_len()
            out.update(ts_type=ts_type, value=int.from_bytes(self.rd_bytes("MIKEYPayloadT", pp, "ts_value", n), "big"))
        elif t == PT_RAND:
            n = self.rd("MIKEYPayloadRAND", pp, "len", ctypes.c_uint8)
            out["rand"] = h(self.rd_bytes("MIKEYPayloadRAND", pp, "rand", n))
        elif t == PT_SP:
            out["policy_no"] = self.rd("MIKEYPayloadSP", pp, "policy", ctypes.c_uint)
            out["prot_type"] = self.rd("MIKEYPayloadSP", pp, "proto", ctypes.c_int)
            out["params"] = []
            for i in range(p.sp_get_n_params()):
                # gi reads GstMIKEYPayloadSPParam.val (guint8 *) as one
                # integer, so the value bytes come from the struct itself.
                par = p.sp_get_param(i)
                val = self.rd_bytes("MIKEYPayloadSPParam", self.ptr(par), "val", par.len)
                out["params"].append({"type": par.type, "len": par.len, "value": h(val)})
        elif t == PT_KEMAC:
            out["encr_alg"] = self.rd("MIKEYPayloadKEMAC", pp, "enc_alg", ctypes.c_int)
            out["mac_alg"] = self.rd("MIKEYPayloadKEMAC", pp, "mac_alg", ctypes.c_int)
            out["sub"] = [self.payload_view(p.kemac_get_sub(i)) for i in range(p.kemac_get_n_sub())]
        elif t == PT_KEY_DATA:
            S = "MIKEYPayloadKeyData"
            key_len = self.rd(S, pp, "key_len", ctypes.c_uint16)
            salt_len = self.rd(S, pp, "salt_len", ctypes.c_uint16)
            kv_type = self.rd(S, pp, "kv_type", ctypes.c_int)
            base = pp + self.off[S]["kv_len"]
            kv_len = [ctypes.c_uint8.from_address(base + i).value for i in range(2)]
            kv_ptr = [ctypes.c_void_p.from_address(pp + self.off[S]["kv_data"] + 8 * i).value for i in range(2)]
            kv_data = [ctypes.string_at(kv_ptr[i], kv_len[i]) if kv_len[i] else b"" for i in range(2)]
            kv = {"type": kv_type}
            if kv_type == KV_SPI:
                kv["spi"] = h(kv_data[0])
            elif kv_type == KV_INTERVAL:
                kv.update(valid_from=h(kv_data[0]), valid_to=h(kv_data[1]))
            out.update(key_type=self.rd(S, pp, "key_type", ctypes.c_int) | (1 if salt_len else 0),
                       key=h(self.rd_bytes(S, pp, "key_data", key_len)),
                       salt=h(self.rd_bytes(S, pp, "salt_data", salt_len)), kv=kv)
        elif t == PT_PKE:
            n = self.rd("MIKEYPayloadPKE", pp, "data_len", ctypes.c_uint16)
            out.update(cache=self.rd("MIKEYPayloadPKE", pp, "C", ctypes.c_int),
                       data=h(self.rd_bytes("MIKEYPayloadPKE", pp, "data", n)))
        return out

    def caps_view(self, m):
        """m.to_caps() into empty application/x-srtp caps: (result, fields)."""
        caps = self.G.Caps.new_empty_simple("application/x-srtp")
        ok = m.to_caps(caps)
        s = caps.get_structure(0)
        fields = {}
        for name in ("srtp-cipher", "srtp-auth", "srtcp-cipher", "srtcp-auth"):
            if s.has_field(name):
                fields[name] = s.get_string(name)
        if s.has_field("srtp-key"):
            buf = s.get_value("srtp-key")
            fields["srtp-key"] = h(buf.extract_dup(0, buf.get_size()))
        return bool(ok), fields

    # -- building from a spec ---------------------------------------------
    def build(self, spec):
        """Build a GstMIKEYMessage from |spec| (decode-json field names)."""
        S = self.S
        hd = spec["hdr"]
        m = S.MIKEYMessage.new()
        assert m.set_info(1, hd["data_type"], hd["v"], hd["prf_func"], hd["csb_id"], 0)
        for cs in hd["srtp_cs"]:
            assert m.add_cs_srtp(cs["policy_no"], cs["ssrc"], cs["roc"])
        for pl in spec["payloads"]:
            t = pl["type"]
            if t == PT_T and pl.get("now"):
                assert m.add_t_now_ntp_utc()
            elif t == PT_T:
                assert m.add_t(pl["ts_type"], ts_bytes(pl["ts_type"], pl["value"]))
            elif t == PT_RAND and "rand_len" in pl:
                assert m.add_rand_len(pl["rand_len"])
            elif t == PT_RAND:
                assert m.add_rand(bytes.fromhex(pl["rand"]))
            elif t == PT_PKE:
                assert m.add_pke(pl["cache"], bytes.fromhex(pl["data"]))
            elif t == PT_SP:
                p = S.MIKEYPayload.new(S.MIKEYPayloadType.SP)
                assert p.sp_set(pl["policy_no"], pl["prot_type"])
                for par in pl["params"]:
                    assert p.sp_add_param(par["type"], bytes.fromhex(par["value"]))
                assert m.add_payload(p)
            elif t == PT_KEMAC:
                p = S.MIKEYPayload.new(S.MIKEYPayloadType.KEMAC)
                assert p.kemac_set(pl["encr_alg"], pl["mac_alg"])
                for kd in pl["sub"]:
                    k = S.MIKEYPayload.new(S.MIKEYPayloadType.KEY_DATA)
                    # GStreamer has only TGK (0) and TEK (2); the salt makes +SALT.
                    assert k.key_data_set_key(kd["key_type"] & ~1, bytes.fromhex(kd["key"]))
                    if kd["key_type"] & 1:
                        assert k.key_data_set_salt(bytes.fromhex(kd["salt"]))
                    kv = kd["kv"]
                    if kv["type"] == KV_SPI:
                        assert k.key_data_set_spi(bytes.fromhex(kv["spi"]))
                    elif kv["type"] == KV_INTERVAL:
                        # The GstSdp-1.0 typelib of 1.22 ties vf_data's
                        # length to argument 1 (vf_data itself) instead of
                        # vf_len, so gi cannot call this one: use C.
                        vf, vt = bytes.fromhex(kv["valid_from"]), bytes.fromhex(kv["valid_to"])
                        assert self.lib.gst_mikey_payload_key_data_set_interval(
                            self.ptr(k), len(vf), vf, len(vt), vt)
                    assert p.kemac_add_sub(k)
                assert m.add_payload(p)
            else:
                raise ValueError("spec payload type %d not buildable with GStreamer" % t)
        return m


# --------------------------------------------------------------------------
# mikey-tool


def mikey_decode(tool, data, fmt="bin"):
    """Run `mikey-tool decode --json --format FMT FILE` on |data| (raw bytes
    by default); returns (exit status, parsed JSON or None, stderr)."""
    with tempfile.NamedTemporaryFile(suffix=".mikey") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
        f.flush()
        cmd = [tool, "decode", "--json", "--format", fmt, f.name]
        r = subprocess.run(cmd, capture_output=True, timeout=60)
    try:
        js = json.loads(r.stdout.decode())
    except ValueError:
        js = None
    return r.returncode, js, r.stderr.decode(errors="replace")


# --------------------------------------------------------------------------
# direction 1: GStreamer builds, we decode

def hx(n, seed):
    """n deterministic bytes as hex."""
    return h(bytes((seed * 41 + i * 7 + (i >> 4)) & 0xff for i in range(n)))


def HDR(dt=0, v=False, prf=0, csb=0x12345678, cs=((0, 0xdeadbeef, 0),)):
    return {"version": 1, "data_type": dt, "v": v, "prf_func": prf, "csb_id": csb, "map_type": 0,
            "n_cs": len(cs), "srtp_cs": [{"policy_no": a, "ssrc": b, "roc": c} for a, b, c in cs]}


NTP0 = 0xE75C6A8020C49BA5  # 2023-01-01T00:00:00.128Z


def T(ts_type=0, value=NTP0):
    return {"type": PT_T, "ts_type": ts_type, "value": value}


def RAND(n=16, seed=1):
    return {"type": PT_RAND, "rand": hx(n, seed)}


def SP(policy=0, params=((0, "01"),), prot=0):
    return {"type": PT_SP, "policy_no": policy, "prot_type": prot,
            "params": [{"type": t, "len": len(v) // 2, "value": v} for t, v in params]}


def KD(key_type=2, key_len=16, salt_len=0, kv=None, seed=3):
    return {"type": PT_KEY_DATA, "key_type": key_type, "key": hx(key_len, seed),
            "salt": hx(salt_len, seed + 1) if key_type & 1 else "", "kv": kv or {"type": KV_NULL}}


def SPI(n, seed=5):
    return {"type": KV_SPI, "spi": hx(n, seed)}


def IVL(nf, nt, seed=6):
    return {"type": KV_INTERVAL, "valid_from": hx(nf, seed), "valid_to": hx(nt, seed + 1)}


def KEMAC(*subs, encr=0, mac=0):
    return {"type": PT_KEMAC, "encr_alg": encr, "mac_alg": mac, "sub": list(subs)}


# RFC 3830 Table 6.10.1.a: one value per SRTP parameter type, 0..12.
SRTP_PARAM_VALUES = [
    (0, "01"), (1, "10"), (2, "01"), (3, "14"), (4, "0e"), (5, "00"), (6, "00010000"),
    (7, "01"), (8, "00"), (9, "00"), (10, "01"), (11, "0a"), (12, "00"),
]


def gst_build_cases():
    c = []
    # Common Header: every GstMIKEYType data type, V, CSB ID, CS maps.
    for dt in range(7):
        cs = tuple((dt, 0x01000000 * (dt + 1) + dt, dt * 1000) for _ in range(dt % 4))
        c.append(("hdr-data-type-%d" % dt,
                  {"hdr": HDR(dt=dt, v=bool(dt & 1), csb=0x11111111 * dt, cs=cs),
                   "payloads": [T(), RAND(16, dt)]}))
    c.append(("hdr-csb-max-v", {"hdr": HDR(v=True, csb=0xffffffff), "payloads": [T(), RAND()]}))
    c.append(("hdr-cs-0", {"hdr": HDR(cs=()), "payloads": [T()]}))
    c.append(("hdr-cs-10", {"hdr": HDR(cs=tuple((i * 25, 0xfffffff0 + i, 0xffffffff - i) for i in range(10))),
                            "payloads": [T()]}))
    c.append(("hdr-no-payloads", {"hdr": HDR(), "payloads": []}))
    # T: every GstMIKEYTSType.
    c.append(("t-ntp-utc", {"hdr": HDR(), "payloads": [T(0, NTP0)]}))
    c.append(("t-ntp", {"hdr": HDR(), "payloads": [T(1, 0x0123456789abcdef)]}))
    c.append(("t-counter", {"hdr": HDR(), "payloads": [T(2, 0x89abcdef)]}))
    c.append(("t-now-ntp-utc", {"hdr": HDR(), "payloads": [{"type": PT_T, "ts_type": 0, "now": True}]}))
    # RAND lengths.
    for n in (1, 16, 32, 255):
        c.append(("rand-%d" % n, {"hdr": HDR(), "payloads": [T(), RAND(n, n)]}))
    c.append(("rand-len-16-random", {"hdr": HDR(), "payloads": [T(), {"type": PT_RAND, "rand_len": 16}]}))
    # SP: each SRTP parameter on its own, all together, GStreamer's AEAD tag
    # length (type 20), an empty value, several SP payloads.
    for t, v in SRTP_PARAM_VALUES:
        c.append(("sp-param-%d" % t, {"hdr": HDR(), "payloads": [T(), SP(0, [(t, v)])]}))
    c.append(("sp-all-params", {"hdr": HDR(), "payloads": [T(), RAND(), SP(7, SRTP_PARAM_VALUES)]}))
    c.append(("sp-aead-tag-len-20", {"hdr": HDR(), "payloads": [T(), SP(0, [(0, "06"), (20, "10")])]}))
    c.append(("sp-empty-value", {"hdr": HDR(), "payloads": [T(), SP(0, [(12, "")])]}))
    c.append(("sp-no-params", {"hdr": HDR(), "payloads": [T(), SP(9, [])]}))
    c.append(("sp-three", {"hdr": HDR(cs=((0, 1, 0), (1, 2, 0), (255, 3, 0))),
                           "payloads": [T(), SP(0, SRTP_PARAM_VALUES[:4]), SP(1, [(1, "20")]), SP(255, [])]}))
    # KEMAC NULL/NULL with Key data variations.
    full = [T(), RAND(), SP(0, SRTP_PARAM_VALUES)]
    c.append(("kemac-tek", {"hdr": HDR(), "payloads": full + [KEMAC(KD(2, 16))]}))
    c.append(("kemac-tek-salt-spi4", {"hdr": HDR(), "payloads": full + [KEMAC(KD(3, 16, 14, SPI(4)))]}))
    c.append(("kemac-tgk", {"hdr": HDR(), "payloads": full + [KEMAC(KD(0, 32))]}))
    c.append(("kemac-tgk-salt-interval", {"hdr": HDR(), "payloads": full + [KEMAC(KD(1, 16, 14, IVL(8, 8)))]}))
    c.append(("kemac-tek30-gst-style", {"hdr": HDR(), "payloads": full + [KEMAC(KD(2, 30))]}))
    c.append(("kemac-kv-spi1", {"hdr": HDR(), "payloads": [T(), KEMAC(KD(2, 16, 0, SPI(1)))]}))
    c.append(("kemac-kv-spi16", {"hdr": HDR(), "payloads": [T(), KEMAC(KD(2, 16, 0, SPI(16)))]}))
    c.append(("kemac-kv-interval-4-8", {"hdr": HDR(), "payloads": [T(), KEMAC(KD(3, 16, 12, IVL(4, 8)))]}))
    c.append(("kemac-key-1-byte", {"hdr": HDR(), "payloads": [T(), KEMAC(KD(2, 1))]}))
    c.append(("kemac-key-64-salt-32", {"hdr": HDR(), "payloads": [T(), KEMAC(KD(3, 64, 32, SPI(2)))]}))
    c.append(("kemac-three-keys", {"hdr": HDR(cs=((0, 1, 0), (0, 2, 0))),
                                   "payloads": full + [KEMAC(KD(3, 16, 14, SPI(4, 1), 10), KD(2, 16, 0, SPI(4, 2), 20),
                                                             KD(1, 16, 14, IVL(8, 8), 30))]}))
    c.append(("kemac-counter-3cs", {"hdr": HDR(cs=((0, 0xa, 1), (0, 0xb, 2), (0, 0xc, 3))),
                                    "payloads": [T(2, 7), RAND(), SP(0, SRTP_PARAM_VALUES[:5]),
                                                 KEMAC(KD(3, 16, 14, SPI(1)))]}))
    return c


def check_gst_view(g, spec, m):
    """GStreamer's getters give back what was put in."""
    exp = {"hdr": spec["hdr"], "payloads": []}
    for pl in spec["payloads"]:
        pl = {k: v for k, v in pl.items() if k not in ("now", "rand_len")}
        if pl["type"] == PT_T and "value" not in pl:
            pl = {"type": PT_T, "ts_type": 0}
        exp["payloads"].append(pl)
    return diff(exp, g.view(m))


def decoded_expectation(spec, gview):
    """What mikey-tool must show: the spec, with the values only GStreamer
    knows (now-timestamps, random bytes, CSB IDs) taken from its getters."""
    exp = {"hdr": dict(spec["hdr"]), "payloads": []}
    for i, pl in enumerate(spec["payloads"]):
        pl = dict(pl)
        if pl.pop("now", False):
            pl["value"] = gview["payloads"][i]["value"]
        if "rand_len" in pl:
            del pl["rand_len"]
            pl["rand"] = gview["payloads"][i]["rand"]
        exp["payloads"].append(pl)
    return exp


def check_decode(tool, data, exp):
    rc, js, err = mikey_decode(tool, data)
    if rc != 0 or js is None:
        return ["mikey-tool decode exit %d, stdout json=%r, stderr=%s (input %s)" % (rc, js, err.strip(), h(data))]
    problems = diff(exp, js)
    if js.get("length") != len(data):
        problems.append("/length: expected %d, got %r" % (len(data), js.get("length")))
    # Payloads must tile the message: each starts where the previous ended.
    pos = js.get("hdr", {}).get("length")
    for i, pl in enumerate(js.get("payloads", [])):
        if pl.get("offset") != pos:
            problems.append("payloads[%d]/offset: expected %r, got %r" % (i, pos, pl.get("offset")))
        pos = (pl.get("offset") or 0) + (pl.get("length") or 0)
    if pos != len(data):
        problems.append("payloads end at %r, message is %d bytes" % (pos, len(data)))
    for i, pl in enumerate(exp["payloads"]):
        if pl["type"] == PT_T and pl["ts_type"] in (0, 1) and i < len(js.get("payloads", [])):
            got = str(js["payloads"][i].get("time", ""))
            want = ntp_to_iso_seconds(pl["value"])
            if not got.startswith(want):
                problems.append("payloads[%d]/time: expected %s..., got %r" % (i, want, got))
    if problems:
        problems.append("input: %s" % h(data))
    return problems


# gst-rtsp-server hands srtpenc caps like these to new_from_caps. Expected
# SP parameters are GStreamer's mapping (gstmikey.c: enc_alg_from_cipher_name,
# auth_key_length_from_auth_cipher_name), written out here by hand: param 0
# holds a GstMIKEYEncAlg (AES-CM-128 = 1, AES-GCM-128 = 6), param 2 a
# GstMIKEYMacAlg, and param 3 ("Session Auth. key length" in RFC 3830
# Table 6.10.1.a) the auth *tag* length: 10 for hmac-sha1-80, 4 for -32
# (RFC 3711 §8.2's HMAC-SHA1 session auth key is 20 bytes).
CAPS_CASES = [
    # (srtp-cipher, srtp-auth, srtcp-cipher, srtcp-auth, key length,
    #  SP params 0..3 GStreamer writes, what its to_caps gives back)
    ("aes-128-icm", "hmac-sha1-80", "aes-128-icm", "hmac-sha1-80", 30,
     [(0, 1), (1, 16), (2, 1), (3, 10)], ("aes-128-icm", "hmac-sha1-80")),
    ("aes-128-icm", "hmac-sha1-32", "aes-128-icm", "hmac-sha1-32", 30,
     [(0, 1), (1, 16), (2, 1), (3, 4)], ("aes-128-icm", "hmac-sha1-32")),
    ("aes-256-icm", "hmac-sha1-80", "aes-256-icm", "hmac-sha1-80", 46,
     [(0, 1), (1, 32), (2, 1), (3, 10)], ("aes-256-icm", "hmac-sha1-80")),
    ("aes-256-icm", "hmac-sha1-32", "aes-256-icm", "hmac-sha1-32", 46,
     [(0, 1), (1, 32), (2, 1), (3, 4)], ("aes-256-icm", "hmac-sha1-32")),
    ("aes-128-gcm", "null", "aes-128-gcm", "null", 28,
     [(0, 6), (1, 16), (2, 0), (3, 0)], ("aes-128-gcm", "null")),
    ("aes-256-gcm", "null", "aes-256-gcm", "null", 44,
     [(0, 6), (1, 32), (2, 0), (3, 0)], ("aes-256-gcm", "null")),
    # SRTCP fields only: used for SRTP too.
    (None, None, "aes-128-icm", "hmac-sha1-80", 30,
     [(0, 1), (1, 16), (2, 1), (3, 10)], ("aes-128-icm", "hmac-sha1-80")),
    # Different SRTCP settings: GStreamer keeps only the SRTP ones.
    ("aes-128-icm", "hmac-sha1-80", "aes-256-icm", "hmac-sha1-32", 30,
     [(0, 1), (1, 16), (2, 1), (3, 10)], ("aes-128-icm", "hmac-sha1-80")),
]


def caps_string(srtp_cipher, srtp_auth, srtcp_cipher, srtcp_auth, key, ssrc, roc):
    f = ["application/x-srtp", "srtp-key=(buffer)%s" % h(key)]
    if srtp_cipher:
        f += ["srtp-cipher=(string)%s" % srtp_cipher, "srtp-auth=(string)%s" % srtp_auth]
    f += ["srtcp-cipher=(string)%s" % srtcp_cipher, "srtcp-auth=(string)%s" % srtcp_auth]
    f += ["roc=(uint)%d" % roc, "ssrc=(uint)%d" % ssrc]
    return ", ".join(f)


def run_gst_builds(args):
    ck = Checks()
    g = Gst()
    all_bytes = []

    for name, spec in gst_build_cases():
        try:
            m = g.build(spec)
            data = base64.b64decode(m.base64_encode())
            all_bytes.append((name, m, data))
            gv = g.view(m)
        except Exception:
            ck.run("gst-builds/%s/build" % name, lambda: ["exception:\n" + traceback.format_exc()])
            continue
        ck.run("gst-builds/%s/gst-getters" % name, check_gst_view, g, spec, m)
        ck.run("gst-builds/%s/mikey-decode" % name, check_decode, args.mikey_tool, data,
               decoded_expectation(spec, gv))

    # KEMAC with Encr alg AES-CM-128: GStreamer labels the sub-payloads
    # encrypted but writes them in the clear (gstmikey.c "FIXME, encrypt
    # data here"). We decode encr_data; it must equal the plaintext Key
    # data encoding.
    kd = KD(3, 16, 14, SPI(4))
    spec = {"hdr": HDR(), "payloads": [T(), RAND(), KEMAC(kd, encr=1)]}
    m = g.build(spec)
    data = base64.b64decode(m.base64_encode())
    all_bytes.append(("kemac-aes-cm-unencrypted", m, data))
    ck.run("gst-builds/kemac-aes-cm-unencrypted/gst-getters", check_gst_view, g, spec, m)
    exp = {"hdr": HDR(), "payloads": [T(), RAND(), {"type": PT_KEMAC, "encr_alg": 1, "mac_alg": 0,
                                                    "encr_data": h(key_data_wire(kd)), "mac": ""}]}
    ck.run("gst-builds/kemac-aes-cm-unencrypted/mikey-decode (quirk: plaintext under AES-CM label)",
           check_decode, args.mikey_tool, data, exp)

    # KEMAC with MAC alg HMAC-SHA-1-160: GStreamer reserves 20 bytes it never
    # computes (uninitialised memory), so only the algorithm and the length
    # can be compared, never the value.
    spec = {"hdr": HDR(), "payloads": [T(), RAND(), KEMAC(KD(2, 16), mac=1)]}
    m = g.build(spec)
    data = base64.b64decode(m.base64_encode())

    def check_mac(data=data):
        exp = {"hdr": HDR(), "payloads": [T(), RAND(), {"type": PT_KEMAC, "encr_alg": 0, "mac_alg": 1,
                                                        "sub": [KD(2, 16)]}]}
        problems = check_decode(args.mikey_tool, data, exp)
        rc, js, _ = mikey_decode(args.mikey_tool, data)
        if js and len(js.get("payloads", [])) == 3 and len(js["payloads"][2].get("mac", "")) != 40:
            problems.append("KEMAC mac: expected 20 bytes, got %r" % js["payloads"][2].get("mac"))
        return problems
    ck.run("gst-builds/kemac-hmac-sha1-uncomputed/mikey-decode (mac length only)", check_mac)

    # PKE with C=0 and one byte of data is encoded right...
    spec = {"hdr": HDR(dt=2), "payloads": [T(), {"type": PT_PKE, "cache": 0, "data": "a5"}]}
    m = g.build(spec)
    data = base64.b64decode(m.base64_encode())
    all_bytes.append(("pke-c0-len1", m, data))
    ck.run("gst-builds/pke-c0-len1/gst-getters", check_gst_view, g, spec, m)
    ck.run("gst-builds/pke-c0-len1/mikey-decode", check_decode, args.mikey_tool, data, spec)

    # ...but any other PKE is not: gstmikey.c computes the C|Data len field
    # as `(C << 14) || (data_len & 0x3fff)` (logical OR), i.e. always 1.
    spec = {"hdr": HDR(dt=2), "payloads": [T(), {"type": PT_PKE, "cache": 2, "data": hx(8, 9)}]}
    m = g.build(spec)
    data = base64.b64decode(m.base64_encode())

    def check_pke_bug(data=data):
        problems = []
        off = 10 + 9 + 10  # HDR with one CS, T NTP-UTC
        if data[off] != 0:
            problems.append("PKE next payload: expected 0, got %d" % data[off])
        if data[off + 1:off + 3] != b"\x00\x01":
            problems.append("GStreamer PKE C|Data len: expected the buggy 0x0001, got %s (fixed upstream?)"
                            % h(data[off + 1:off + 3]))
        if data[off + 3:] != bytes.fromhex(hx(8, 9)):
            problems.append("PKE data bytes not after the length field")
        rc, js, _ = mikey_decode(args.mikey_tool, data)
        if rc == 0:
            problems.append("mikey-tool accepted a message whose PKE length disagrees with its size: %r" % js)
        elif not (js and "error" in js):
            problems.append("mikey-tool failed without a JSON error object")
        return problems + (["input: %s" % h(data)] if problems else [])
    ck.run("gst-builds/pke-c2-len8 (quirk: GStreamer writes Data len 1; we must reject)", check_pke_bug)

    # new_from_caps, as gst-rtsp-server calls it, then add_cs_srtp for the
    # stream's SSRC/ROC taken from the same caps.
    for i, (sc, sa, cc, ca, klen, sp, back) in enumerate(CAPS_CASES):
        key = bytes.fromhex(hx(klen, 50 + i))
        ssrc, roc = 0x10203040 + i, i * 3
        cs = caps_string(sc, sa, cc, ca, key, ssrc, roc)
        name = "gst-builds/new_from_caps[srtp=%s/%s srtcp=%s/%s]" % (sc, sa, cc, ca)

        def check_caps(cs=cs, key=key, ssrc=ssrc, roc=roc, sp=sp, back=back, name=name):
            caps = g.G.Caps.from_string(cs)
            if caps is None:
                return ["caps did not parse: %s" % cs]
            m = g.S.MIKEYMessage.new_from_caps(caps)
            if m is None:
                return ["new_from_caps returned NULL for %s" % cs]
            st = caps.get_structure(0)
            ok1, s_ssrc = st.get_uint("ssrc")
            ok2, s_roc = st.get_uint("roc")
            assert ok1 and ok2
            assert m.add_cs_srtp(0, s_ssrc, s_roc)
            data = base64.b64decode(m.base64_encode())
            all_bytes.append((name, m, data))
            gv = g.view(m)
            exp = {"hdr": HDR(dt=0, v=False, prf=0, csb=gv["hdr"]["csb_id"], cs=((0, ssrc, roc),)),
                   "payloads": [{"type": PT_T, "ts_type": 0, "value": gv["payloads"][0]["value"]},
                                {"type": PT_RAND, "rand": gv["payloads"][1]["rand"]},
                                SP(0, [(t, "%02x" % v) for t, v in sp] + [(7, "01"), (8, "01"), (10, "01")]),
                                KEMAC(KD(2, 0))]}
            exp["payloads"][3]["sub"][0]["key"] = h(key)
            problems = diff(exp, gv)
            if len(bytes.fromhex(gv["payloads"][1]["rand"])) != 16:
                problems.append("RAND: expected 16 bytes")
            problems += check_decode(args.mikey_tool, data, exp)
            # to_caps on GStreamer's own message gives the caps back.
            ok, fields = g.caps_view(m)
            want = {"srtp-key": h(key), "srtp-cipher": back[0], "srtp-auth": back[1],
                    "srtcp-cipher": back[0], "srtcp-auth": back[1]}
            if not ok:
                problems.append("to_caps returned FALSE")
            problems += ["to_caps" + p for p in diff(want, fields)]
            return problems
        ck.run(name, check_caps)

    def check_no_key():
        caps = g.G.Caps.from_string("application/x-srtp, srtp-cipher=(string)aes-128-icm, "
                                    "srtp-auth=(string)hmac-sha1-80")
        try:
            m = g.S.MIKEYMessage.new_from_caps(caps)
        except TypeError as e:  # gi: "constructor returned NULL"
            return [] if "NULL" in str(e) else [str(e)]
        return [] if m is None else ["expected NULL, got a message"]
    ck.run("gst-builds/new_from_caps[no srtp-key] returns NULL", check_no_key)

    # base64_encode is to_bytes(NULL) in base64, for every message above.
    def check_b64():
        bad = [n for n, m, d in all_bytes if g.to_bytes(m) != d]
        return ["base64_encode != to_bytes for %s" % n for n in bad]
    ck.run("gst-builds/base64_encode==to_bytes (%d messages)" % len(all_bytes), check_b64)

    # The base64 text itself, as it would sit in a=key-mgmt:mikey, decodes.
    def check_b64_text():
        name, m, data = all_bytes[0]
        text = m.base64_encode()
        rc, js, err = mikey_decode(args.mikey_tool, text, "base64")
        if rc != 0 or js is None:
            return ["mikey-tool decode --format base64 exit %d: %s" % (rc, err.strip())]
        rc2, js2, _ = mikey_decode(args.mikey_tool, data)
        return diff(js2, js)
    ck.run("gst-builds/base64 text decodes like the bytes", check_b64_text)
    return ck.finish()


# --------------------------------------------------------------------------
# direction 2: we build, GStreamer decodes

# GStreamer's to_caps() for each manifest message, written from its mapping
# (gstmikey.c gst_mikey_message_to_caps): defaults aes-128-icm/hmac-sha1-80;
# first SP only; param 0: 0 -> null, 1 or 2 -> aes-128-icm (it reads the
# KEMAC encr-alg numbers, so RFC 3830's AES-F8 = 2 becomes "AES-KW" = ICM);
# param 1 = 32 after param 0 = 1/2 -> aes-256-icm; param 2: 0 -> null,
# 1 -> hmac-sha1-80; param 3 (auth *key* length): 4 -> -32, 10 -> -80;
# param 11 (the real tag length) is ignored; srtp-key is the first Key
# data's key, without its salt.
EXPECTED_CAPS = {
    "tek-salt-spi-1cs": ("aes-128-icm", "hmac-sha1-80"),
    "tek30-kvnull-gst80": ("aes-128-icm", "hmac-sha1-80"),
    "tgk-interval-2cs": ("aes-256-icm", "hmac-sha1-80"),    # tag length 4 (param 11) ignored
    "tgk-salt-spi1-3cs-counter": ("aes-128-icm", "hmac-sha1-80"),
    "three-keys-v-null-policy": ("null", "null"),
    "f8-rand255": ("aes-128-icm", "hmac-sha1-80"),          # AES-F8 read as AES-KW-128
    "no-sp-rand1": ("aes-128-icm", "hmac-sha1-80"),         # defaults
    "two-sp-3cs": ("aes-128-icm", "hmac-sha1-80"),          # first SP wins
    "extremes-policy255": ("aes-128-icm", "hmac-sha1-80"),  # empty SP: defaults
    "interval-4-8-prf1": ("aes-256-icm", "hmac-sha1-80"),
    "gst32-tek30-spi": ("aes-128-icm", "hmac-sha1-32"),
}
# Messages GStreamer 1.22 must refuse (new_from_data returns NULL).
EXPECTED_REJECT = {
    "ntp-utc-32": "TS type 3 (NTP-UTC-32, RFC 6043 §6.6) is unknown to get_ts_len()",
}


def gst_parse_child(path):
    """Child process: parse |path| with GStreamer, print one JSON object."""
    g = Gst()
    with open(path, "rb") as f:
        data = f.read()
    m = g.from_data(data)
    if m is None:
        print(json.dumps({"ok": False}))
        return 0
    ok, caps = g.caps_view(m)
    print(json.dumps({"ok": True, "view": g.view(m), "to_caps": ok, "caps": caps, "reencoded": h(g.to_bytes(m))}))
    return 0


def gst_parse(script, path):
    """Run gst_parse_child under timeout(1); returns (result dict or None, problem)."""
    cmd = ["timeout", "-k", "5", str(PARSE_TIMEOUT), PY, script, "gst-parse", path]
    r = subprocess.run(cmd, capture_output=True, timeout=PARSE_TIMEOUT + 30)
    if r.returncode == 124 or r.returncode == 137:
        return None, "GStreamer's parser did not return (killed by timeout)"
    if r.returncode != 0:
        return None, "gst-parse exit %d: %s" % (r.returncode, r.stderr.decode(errors="replace")[-2000:])
    try:
        return json.loads(r.stdout.decode().strip().splitlines()[-1]), None
    except (ValueError, IndexError):
        return None, "gst-parse printed no JSON: %r" % r.stdout[-500:]


def manifest_to_gst_view(msg):
    """The manifest in GStreamer's terms (see Gst.view)."""
    hdr = dict(msg["hdr"])
    hdr["n_cs"] = len(hdr["srtp_cs"])
    pls = []
    for pl in msg["payloads"]:
        pl = json.loads(json.dumps(pl))
        if pl["type"] == PT_SP:
            for par in pl["params"]:
                par["len"] = len(par["value"]) // 2
        pls.append(pl)
    return {"hdr": hdr, "payloads": pls}


def run_we_build(args):
    ck = Checks()
    script = os.path.abspath(__file__)
    os.makedirs(args.workdir, exist_ok=True)
    for f in os.listdir(args.workdir):
        if f.endswith(".bin") or f == "manifest.json":
            os.unlink(os.path.join(args.workdir, f))
    r = subprocess.run([args.generator, args.workdir], capture_output=True, timeout=60)
    gen_ok = r.returncode == 0
    ck.run("we-build/make_psk_msgs runs", lambda: [] if gen_ok else [
        "exit %d: %s" % (r.returncode, r.stderr.decode(errors="replace"))])
    try:
        with open(os.path.join(args.workdir, "manifest.json")) as f:
            manifest = json.load(f)["messages"]
    except (OSError, ValueError) as e:
        why = str(e)
        ck.run("we-build/manifest readable", lambda: [why])
        return ck.finish()
    names = [m["name"] for m in manifest]
    ck.run("we-build/manifest lists every expected message",
           lambda: ["no expectation for %s" % n for n in names if n not in EXPECTED_CAPS and n not in EXPECTED_REJECT]
           + ["%s missing from manifest" % n for n in list(EXPECTED_CAPS) + list(EXPECTED_REJECT) if n not in names])

    for msg in manifest:
        name = msg["name"]
        path = os.path.join(args.workdir, msg["file"])
        with open(path, "rb") as f:
            data = f.read()
        res, err = gst_parse(script, path)
        if name in EXPECTED_REJECT:
            ck.run("we-build/%s/gst refuses (%s)" % (name, EXPECTED_REJECT[name]),
                   lambda: [err] if err else ([] if not res["ok"] else ["GStreamer accepted it: %r" % res["view"]]))
            continue
        if err or not res["ok"]:
            ck.run("we-build/%s/gst-parse" % name, lambda: [err or "new_from_data returned NULL", "input: " + h(data)])
            continue
        ck.run("we-build/%s/gst-getters" % name,
               lambda: diff(manifest_to_gst_view(msg), res["view"]) + ([] if msg["length"] == len(data) else
                                                                       ["file is %d bytes, manifest says %d" %
                                                                        (len(data), msg["length"])]))
        # GStreamer's encoder writes exactly the bytes we built: every field
        # and every length survives the trip (and we wrote nothing extra,
        # which its parser would silently ignore).
        ck.run("we-build/%s/gst re-encodes byte-identical" % name,
               lambda: [] if res["reencoded"] == h(data) else
               ["ours: %s" % h(data), "gst:  %s" % res["reencoded"]])

        def check_caps(msg=msg, res=res, name=name):
            cipher, auth = EXPECTED_CAPS[name]
            kemac = [p for p in msg["payloads"] if p["type"] == PT_KEMAC][0]
            want = {"srtp-key": kemac["sub"][0]["key"], "srtp-cipher": cipher, "srtp-auth": auth,
                    "srtcp-cipher": cipher, "srtcp-auth": auth}
            return ([] if res["to_caps"] else ["to_caps returned FALSE"]) + diff(want, res["caps"])
        ck.run("we-build/%s/gst to_caps" % name, check_caps)
    return ck.finish()


# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    a = sub.add_parser("gst-builds")
    a.add_argument("--mikey-tool", required=True)
    b = sub.add_parser("we-build")
    b.add_argument("--generator", required=True)
    b.add_argument("--workdir", required=True)
    c = sub.add_parser("gst-parse")
    c.add_argument("file")
    args = ap.parse_args()
    if args.mode == "gst-parse":
        return gst_parse_child(args.file)
    if args.mode == "gst-builds":
        return run_gst_builds(args)
    return run_we_build(args)


if __name__ == "__main__":
    sys.exit(main())
