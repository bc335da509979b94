#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""element.py - packets/s through `srtpgroupenc ! srtpgroupdec` against `srtpenc ! srtpdec`.

One pipeline per row, `appsrc ! ENC ! DEC ! appsink`, all in one run so the
ratios mean something on any machine:

  * aes-128-icm/hmac-sha1-80 and aes-128-gcm, 160-byte payloads, appsrc
    pushing single buffers and GstBufferLists of 32 packets, for both pairs;
  * 1, 100 and 1,000 SSRCs (packets round-robin over them) for both pairs;
  * with --mikey-tool: the group elements keyed by a MIKEY message, TESLA
    (RFC 4383) off and on, one SSRC;
  * with --raw: bench/libsrtp2_raw's protect+unprotect of the same packet
    size on the libsrtp2 libmikey runs on, as the floor.

Every buffer is built and queued in appsrc (in READY) before the clock
starts. The first packet of every SSRC is a warm-up, outside the time:
making a stream (libsrtp2 context, key derivation, request-key) is set-up,
not per-packet cost. The time runs from the last warm-up packet at the
appsink to EOS (sync=false, no signals; buffers are counted after the
clock stops). Best of --rounds. Never asserts on time; exits 1 only when
packets went missing.

Without the srtpgroup elements (with --plugin-path prepended to
GST_PLUGIN_PATH) it prints the baseline rows and says so, exit 0.
"""

import argparse
import ctypes
import ctypes.util
import os
import random
import struct
import subprocess
import sys
import time

Gst = None
PAYLOAD_LEN = 160
LIST_LEN = 32
RTP_CAPS = ("application/x-rtp,payload=96,clock-rate=8000,media=audio,"
            "encoding-name=PCMU")
# name, cipher, auth, master key + salt length
PROFILES = {
    "aes-128-icm/hmac-sha1-80": ("aes-128-icm", "hmac-sha1-80", 30),
    "aes-128-gcm": ("aes-128-gcm", "null", 28),
}
BASELINE = ("srtpenc", "srtpdec")
GROUP = ("srtpgroupenc", "srtpgroupdec")
# The pipeline's own cost: the same pads and buffers, no SRTP.
FLOOR = ("identity", "identity")
EOS_TIMEOUT = 300  # seconds; a bound against a hang, never a measurement


def gbuf(data):
    buf = Gst.Buffer.new_allocate(None, len(data), None)
    buf.fill(0, data)
    return buf


_lib = {}


def c_lib(name):
    """libgstreamer / libgstapp through ctypes, for the buffer lists."""
    if not _lib:
        gst = ctypes.CDLL(ctypes.util.find_library("gstreamer-1.0") or "libgstreamer-1.0.so.0")
        app = ctypes.CDLL(ctypes.util.find_library("gstapp-1.0") or "libgstapp-1.0.so.0")
        for f, res, args in (
                (gst.gst_buffer_list_new_sized, ctypes.c_void_p, [ctypes.c_uint]),
                (gst.gst_buffer_new_allocate, ctypes.c_void_p,
                 [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]),
                (gst.gst_buffer_fill, ctypes.c_size_t,
                 [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t]),
                (gst.gst_buffer_list_insert, None,
                 [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]),
                (app.gst_app_src_push_buffer_list, ctypes.c_int,
                 [ctypes.c_void_p, ctypes.c_void_p])):
            f.restype, f.argtypes = res, args
        _lib.update(gst=gst, app=app)
    return _lib[name]


def gobject_ptr(obj):
    """The GObject* a gi wrapper holds (PyGObject.obj follows the object
    header), cross-checked with the address gi prints."""
    p = ctypes.c_void_p.from_address(id(obj) + object.__basicsize__).value
    if ("0x%x" % p) not in repr(obj):
        raise RuntimeError("cannot locate the C pointer of %r" % obj)
    return p


def push_lists(appsrc, packets):
    """Queue packets in appsrc as GstBufferLists of LIST_LEN, built in C:
    gi's ownership handling of GstBufferList.insert() frees buffers the
    list still holds. push_buffer_list takes the list (transfer full)."""
    gst, app = c_lib("gst"), c_lib("app")
    src = gobject_ptr(appsrc)
    for i in range(0, len(packets), LIST_LEN):
        chunk = packets[i:i + LIST_LEN]
        lst = gst.gst_buffer_list_new_sized(len(chunk))
        for p in chunk:
            b = gst.gst_buffer_new_allocate(None, len(p), None)
            gst.gst_buffer_fill(b, 0, p, len(p))
            gst.gst_buffer_list_insert(lst, -1, b)
        ret = app.gst_app_src_push_buffer_list(src, lst)
        if ret != 0:
            raise RuntimeError("appsrc refused a buffer list: flow %d" % ret)


def build_packets(n, nssrc, rng):
    ssrcs = [0x10000000 + i * 7919 for i in range(nssrc)]
    seq = {s: rng.randrange(0x10000) for s in ssrcs}
    payload = bytes(rng.getrandbits(8) for _ in range(PAYLOAD_LEN))
    out = []
    for i in range(n):
        s = ssrcs[i % nssrc]
        out.append(struct.pack("!BBHII", 0x80, 96, seq[s] & 0xFFFF, i * 160, s) + payload)
        seq[s] += 1
    return ssrcs, out


def make(factory):
    e = Gst.ElementFactory.make(factory, None)
    if e is None:
        raise RuntimeError("cannot create %s" % factory)
    return e


def run_once(pair, profile, packets, ssrcs, use_lists, key, mikey=None):
    """One run; |mikey| = (message file, psk file, tesla seed or None) keys
    the group elements by MIKEY instead of srtpenc's properties."""
    cipher, auth, _ = PROFILES[profile]
    pipe = Gst.Pipeline.new(None)
    src, sink = make("appsrc"), make("appsink")
    enc, dec = make(pair[0]), make(pair[1])
    caps = RTP_CAPS + (",ssrc=(uint)%d" % ssrcs[0] if len(ssrcs) == 1 else "")
    src.set_property("caps", Gst.Caps.from_string(caps))
    src.set_property("format", Gst.Format.TIME)
    src.set_property("max-bytes", 0)
    for k, v in (("sync", False), ("emit-signals", False), ("wait-on-eos", False),
                 ("enable-last-sample", False)):
        sink.set_property(k, v)
    if pair == FLOOR:
        pass
    elif mikey:
        for e in (enc, dec):
            e.set_property("mikey-psk", "@" + mikey[1])
            e.set_property("mikey", "@" + mikey[0])
        if mikey[2]:
            enc.set_property("tesla-seed", mikey[2])
    else:
        enc.set_property("key", gbuf(key))
        for p in ("rtp-cipher", "rtcp-cipher"):
            enc.set_property(p, cipher)
        for p in ("rtp-auth", "rtcp-auth"):
            enc.set_property(p, auth)
    key_fields = ("srtp-key=(buffer)%s, srtp-cipher=(string)%s, srtp-auth=(string)%s, "
                  "srtcp-cipher=(string)%s, srtcp-auth=(string)%s"
                  % (key.hex(), cipher, auth, cipher, auth))
    # srtpenc puts the key on its src caps; request-key covers the other SSRCs
    if pair != FLOOR:
        dec.connect("request-key", lambda _d, ssrc: Gst.Caps.from_string(
            "application/x-srtp, ssrc=(uint)%d, %s" % (ssrc, key_fields)))
    for e in (src, enc, dec, sink):
        pipe.add(e)
    if pair == FLOOR:
        if not (src.link(enc) and enc.link(dec) and dec.link(sink)):
            raise RuntimeError("cannot link appsrc ! identity ! identity ! appsink")
        esink = esrc = None
    else:
        esink = enc.request_pad_simple("rtp_sink_0")
        esrc = enc.get_static_pad("rtp_src_0")
    if pair == FLOOR:
        pass
    elif (esink is None or esrc is None
            or src.get_static_pad("src").link(esink) != Gst.PadLinkReturn.OK
            or esrc.link(dec.get_static_pad("rtp_sink")) != Gst.PadLinkReturn.OK
            or not dec.link_pads("rtp_src", sink, "sink")):
        raise RuntimeError("cannot link appsrc ! %s ! %s ! appsink" % pair)

    pipe.set_state(Gst.State.READY)
    if use_lists:
        push_lists(src, packets)
    else:
        for p in packets:
            b = gbuf(p)
            src.emit("push-buffer", b)
            del b
    src.emit("end-of-stream")

    # The clock starts when the warm-up packets (one per SSRC) are through.
    warm = {"left": len(ssrcs), "t": None}

    def on_data(_pad, info):
        b = info.get_buffer()
        warm["left"] -= 1 if b is not None else info.get_buffer_list().length()
        if warm["left"] > 0:
            return Gst.PadProbeReturn.OK
        warm["t"] = time.perf_counter()
        return Gst.PadProbeReturn.REMOVE

    sink.get_static_pad("sink").add_probe(
        Gst.PadProbeType.BUFFER | Gst.PadProbeType.BUFFER_LIST, on_data)
    bus = pipe.get_bus()
    t0 = time.perf_counter()
    pipe.set_state(Gst.State.PLAYING)
    msg = bus.timed_pop_filtered(EOS_TIMEOUT * Gst.SECOND,
                                 Gst.MessageType.EOS | Gst.MessageType.ERROR)
    elapsed = time.perf_counter() - (warm["t"] or t0)
    err = None
    if msg is None:
        err = "no EOS within %ds" % EOS_TIMEOUT
    elif msg.type == Gst.MessageType.ERROR:
        err = "%s: %s" % (msg.src.get_name(), msg.parse_error()[0].message)
    got = 0
    while err is None:
        s = sink.emit("try-pull-sample", 0)
        if s is None:
            break
        if s.get_buffer() is not None:
            got += 1
        else:
            got += s.get_buffer_list().length()
    pipe.set_state(Gst.State.NULL)
    # TESLA holds the packets of the last d intervals: their keys are never
    # disclosed before EOS.
    if err is None and got != len(packets) and not (mikey and mikey[2] and got >= len(packets) // 2):
        err = "%d packets pushed, %d reached the appsink" % (len(packets), got)
    return elapsed, err


def mikey_message(tool, workdir, ssrc, tesla):
    """A PSK MIKEY message keying |ssrc| (AES-CM-128/HMAC-SHA1-80), with
    TESLA when |tesla|: 1 ms intervals, keys disclosed 2 intervals later,
    interval 0 starting now. Returns (message file, psk file, seed)."""
    psk = os.path.join(workdir, "psk.hex")
    msg = os.path.join(workdir, "msg.b64")
    with open(psk, "w") as f:
        f.write(os.urandom(16).hex())
    cmd = [tool, "create", "-m", "psk", "--psk", "@" + psk, "--ssrc", str(ssrc),
           "--mki", "01", "-f", "base64", "-o", msg]
    seed = None
    if tesla:
        seed = os.urandom(20).hex()
        ntp = int((time.time() + 2208988800) * (1 << 32))
        cmd += ["--tesla-seed", seed, "--tesla-t0", "0x%016x" % ntp, "--tesla-interval", "1",
                "--tesla-delay", "2", "--tesla-chain", "600000"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return msg, psk, seed


def measure(pair, profile, nssrc, use_lists, n, rounds, rng, mikey_tool=None, tesla=False):
    # TESLA lets a packet out d intervals (2 ms here) after it was sent: a
    # run shorter than a few intervals releases nothing. Enough packets to
    # span many intervals, whatever --iterations says.
    if tesla:
        n = max(n, 20000)
    key = bytes(rng.getrandbits(8) for _ in range(PROFILES[profile][2]))
    # n measured packets after one warm-up packet per SSRC
    ssrcs, packets = build_packets(n + nssrc, nssrc, rng)
    best = None
    for _ in range(rounds):
        mikey = None
        if mikey_tool:
            import tempfile
            workdir = tempfile.mkdtemp(prefix="bench-element-")
            mikey = mikey_message(mikey_tool, workdir, ssrcs[0], tesla)
        elapsed, err = run_once(pair, profile, packets, ssrcs, use_lists, key, mikey)
        if mikey:
            import shutil
            shutil.rmtree(workdir, ignore_errors=True)
        if err:
            return None, err
        best = elapsed if best is None else min(best, elapsed)
    return n / best, None


def raw_floor(raw):
    """packets/s of bench/libsrtp2_raw's protect+unprotect, by profile."""
    out = subprocess.run([raw, "--iterations", "50000", "--rounds", "5"], check=True,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    names = {"AES-CM-128/HMAC-SHA1-80": "aes-128-icm/hmac-sha1-80", "AES-GCM-128": "aes-128-gcm"}
    floor = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 4 and f[0] in names and f[1] == "protect+unprotect":
            floor[names[f[0]]] = float(f[2])
    return floor


def main():
    global Gst
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iterations", type=int, default=20000, help="packets per run")
    ap.add_argument("--rounds", type=int, default=3, help="runs per row (best is kept)")
    ap.add_argument("--plugin-path", action="append", default=[],
                    help="prepended to GST_PLUGIN_PATH before Gst.init")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mikey-tool", help="mikey-tool: adds rows keyed by MIKEY, TESLA off and on")
    ap.add_argument("--raw", help="bench/libsrtp2_raw: adds the raw libsrtp2 floor")
    ap.add_argument("--row", nargs=5, metavar=("ENC:DEC", "PROFILE", "SSRCS", "LISTS", "KEYING"),
                    help="(internal) measure one row in this process")
    args = ap.parse_args()
    if args.iterations < 1 or args.rounds < 1:
        ap.error("--iterations and --rounds must be >= 1")
    paths = [os.path.abspath(p) for p in args.plugin_path]
    if paths:
        old = os.environ.get("GST_PLUGIN_PATH")
        os.environ["GST_PLUGIN_PATH"] = os.pathsep.join(paths + ([old] if old else []))

    import gi
    gi.require_version("Gst", "1.0")
    from gi.repository import Gst as _Gst
    Gst = _Gst
    Gst.init(None)

    if args.row:
        pair = tuple(args.row[0].split(":"))
        keying = args.row[4]
        pps, err = measure(pair, args.row[1], int(args.row[2]), args.row[3] == "1",
                           args.iterations, args.rounds, random.Random(args.seed),
                           args.mikey_tool if keying in ("mikey", "tesla") else None, keying == "tesla")
        print("ERROR %s" % err if err else "RESULT %f" % pps)
        return 1 if err else 0

    pairs = [BASELINE]
    missing = [e for e in GROUP if Gst.ElementFactory.find(e) is None]
    if missing:
        print("NOTE: %s not found (GST_PLUGIN_PATH=%s): baseline rows only"
              % (", ".join(missing), os.environ.get("GST_PLUGIN_PATH", "")))
    else:
        pairs.append(GROUP)
    for e in BASELINE:
        if Gst.ElementFactory.find(e) is None:
            print("NOTE: %s not found (gst-plugins-bad srtp): nothing to measure" % e)
            return 0

    rows = []  # (profile, nssrc, lists, keying); results by (pair, ...)
    for profile in PROFILES:
        for use_lists in (False, True):
            rows.append((profile, 1, use_lists, "props"))
    for nssrc in (100, 1000):
        for use_lists in (False, True):
            rows.append(("aes-128-icm/hmac-sha1-80", nssrc, use_lists, "props"))
    if args.mikey_tool and GROUP in pairs:
        for keying in ("mikey", "tesla"):
            rows.append(("aes-128-icm/hmac-sha1-80", 1, False, keying))
    if GROUP in pairs:
        for use_lists in (False, True):
            rows.append(("aes-128-icm/hmac-sha1-80", 1, use_lists, "floor"))

    results, failed = {}, 0
    print("%d packets of %d-byte payload per run, best of %d; appsrc ! ENC ! DEC ! appsink"
          % (args.iterations, PAYLOAD_LEN, args.rounds))
    print("%-28s %-26s %6s %6s %-6s %12s" % ("elements", "profile", "ssrcs", "push", "keys", "packets/s"))
    for profile, nssrc, use_lists, keying in rows:
        for pair in pairs if keying != "floor" else [FLOOR]:
            if keying not in ("props", "floor") and pair != GROUP:
                continue
            # one child per row: an element crashing is that row's error,
            # not the end of the run (GStreamer 1.22's srtpdec, fed buffer
            # lists by srtpenc, double-unrefs buffers and loses packets;
            # appsrc ! srtpenc ! appsink alone passes them all)
            cmd = [sys.executable, os.path.abspath(__file__), "--row", "%s:%s" % pair,
                   profile, str(nssrc), "1" if use_lists else "0", keying,
                   "--iterations", str(args.iterations), "--rounds", str(args.rounds),
                   "--seed", str(args.seed)] + (["--mikey-tool", args.mikey_tool] if args.mikey_tool else [])
            r = None
            try:
                r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   timeout=EOS_TIMEOUT + 60, universal_newlines=True)
                last = (r.stdout.strip().splitlines() or ["ERROR exit status %d" % r.returncode])[-1]
                if r.returncode != 0 and not last.startswith("ERROR"):
                    last = "ERROR exit status %d" % r.returncode
            except subprocess.TimeoutExpired:
                last = "ERROR timed out"
            name = "%s ! %s" % pair
            push = "list%d" % LIST_LEN if use_lists else "single"
            if not last.startswith("RESULT "):
                crit = r.stderr.count("CRITICAL") if r is not None else 0
                if not (pair == BASELINE and use_lists):
                    failed += 1
                print("%-28s %-26s %6d %6s %-6s  %s%s" % (name, profile, nssrc, push, keying, last,
                                                        " (%d GStreamer criticals)" % crit if crit else ""))
                continue
            pps = float(last.split()[1])
            results[(pair, profile, nssrc, use_lists, keying)] = pps
            print("%-28s %-26s %6d %6s %-6s %12.0f" % (name, profile, nssrc, push, keying, pps))
        sys.stdout.flush()

    def ratio(a, b):
        if a in results and b in results:
            return "%.2f" % (results[a] / results[b])
        return "n/a"

    print("\nratios (packets/s over packets/s; per-packet cost is the inverse):")
    for profile, nssrc, use_lists, keying in rows:
        push = "list%d" % LIST_LEN if use_lists else "single"
        if GROUP in pairs and keying == "props":
            print("  group/baseline  %-26s %5d ssrcs %-6s %s" % (
                profile, nssrc, push,
                ratio((GROUP, profile, nssrc, use_lists, keying), (BASELINE, profile, nssrc, use_lists, keying))))
    for pair in pairs:
        for use_lists in (False, True):
            push = "list%d" % LIST_LEN if use_lists else "single"
            p = "aes-128-icm/hmac-sha1-80"
            for nssrc in (100, 1000):
                print("  %d ssrcs/1 ssrc  %-28s %-6s %s" % (
                    nssrc, "%s ! %s" % pair, push,
                    ratio((pair, p, nssrc, use_lists, "props"), (pair, p, 1, use_lists, "props"))))
        for profile in PROFILES:
            print("  list%d/single   %-28s %-26s %s" % (
                LIST_LEN, "%s ! %s" % pair, profile,
                ratio((pair, profile, 1, True, "props"), (pair, profile, 1, False, "props"))))
    p = "aes-128-icm/hmac-sha1-80"
    if args.mikey_tool and GROUP in pairs:
        print("  tesla/plain     %-28s %-26s %s" % ("srtpgroupenc ! srtpgroupdec", p,
              ratio((GROUP, p, 1, False, "tesla"), (GROUP, p, 1, False, "mikey"))))
    if args.raw and GROUP in pairs:
        floor = raw_floor(args.raw)
        for profile in PROFILES:
            for use_lists in (False, True):
                k = (GROUP, profile, 1, use_lists, "props")
                if profile in floor and k in results:
                    print("  raw libsrtp2/group %-26s %-6s %.2f  (raw protect+unprotect %.0f/s)" % (
                        profile, "list%d" % LIST_LEN if use_lists else "single",
                        floor[profile] / results[k], floor[profile]))
                # Without the pipeline's own cost (identity ! identity):
                # what the elements add over libsrtp2 per packet.
                pf = (FLOOR, "aes-128-icm/hmac-sha1-80", 1, use_lists, "floor")
                if profile in floor and k in results and pf in results:
                    own = 1.0 / results[k] - 1.0 / results[pf]
                    print("  (group - pipeline floor)/raw %-18s %-6s %.2f  (%.0f ns over %.0f ns)" % (
                        profile, "list%d" % LIST_LEN if use_lists else "single",
                        own * floor[profile], own * 1e9, 1e9 / floor[profile]))
    if GROUP not in pairs:
        print("NOTE: group elements not available: no group/baseline ratios")
    print("NOTE: an ERROR in a srtpenc ! srtpdec list row is GStreamer's, not counted; "
          "exit status 1 only for other rows")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
