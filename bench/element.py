#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""element.py - packets/s through `srtpgroupenc ! srtpgroupdec` against `srtpenc ! srtpdec`.

One pipeline per row, `appsrc ! ENC ! DEC ! appsink`, all in one run so the
ratios mean something on any machine:

  * aes-128-icm/hmac-sha1-80 and aes-128-gcm, 160-byte payloads, appsrc
    pushing single buffers and GstBufferLists of 32 packets, for both pairs;
  * 1, 100 and 1,000 SSRCs (packets round-robin over them) for both pairs.

Every buffer is built and queued in appsrc (in READY) before the clock
starts; the time is from PLAYING to EOS at the appsink (sync=false, no
signals; its buffers are counted after the clock stops). Best of --rounds.
Never asserts on time; exits 1 only when packets went missing.

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


def run_once(pair, profile, packets, ssrcs, use_lists, key):
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
    enc.set_property("key", gbuf(key))
    for p in ("rtp-cipher", "rtcp-cipher"):
        enc.set_property(p, cipher)
    for p in ("rtp-auth", "rtcp-auth"):
        enc.set_property(p, auth)
    key_fields = ("srtp-key=(buffer)%s, srtp-cipher=(string)%s, srtp-auth=(string)%s, "
                  "srtcp-cipher=(string)%s, srtcp-auth=(string)%s"
                  % (key.hex(), cipher, auth, cipher, auth))
    # srtpenc puts the key on its src caps; request-key covers the other SSRCs
    dec.connect("request-key", lambda _d, ssrc: Gst.Caps.from_string(
        "application/x-srtp, ssrc=(uint)%d, %s" % (ssrc, key_fields)))
    for e in (src, enc, dec, sink):
        pipe.add(e)
    esink = enc.request_pad_simple("rtp_sink_0")
    esrc = enc.get_static_pad("rtp_src_0")
    if (esink is None or esrc is None
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

    bus = pipe.get_bus()
    t0 = time.perf_counter()
    pipe.set_state(Gst.State.PLAYING)
    msg = bus.timed_pop_filtered(EOS_TIMEOUT * Gst.SECOND,
                                 Gst.MessageType.EOS | Gst.MessageType.ERROR)
    elapsed = time.perf_counter() - t0
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
    if err is None and got != len(packets):
        err = "%d packets pushed, %d reached the appsink" % (len(packets), got)
    return elapsed, err


def measure(pair, profile, nssrc, use_lists, n, rounds, rng):
    key = bytes(rng.getrandbits(8) for _ in range(PROFILES[profile][2]))
    ssrcs, packets = build_packets(n, nssrc, rng)
    best = None
    for _ in range(rounds):
        elapsed, err = run_once(pair, profile, packets, ssrcs, use_lists, key)
        if err:
            return None, err
        best = elapsed if best is None else min(best, elapsed)
    return n / best, None


def main():
    global Gst
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iterations", type=int, default=20000, help="packets per run")
    ap.add_argument("--rounds", type=int, default=3, help="runs per row (best is kept)")
    ap.add_argument("--plugin-path", action="append", default=[],
                    help="prepended to GST_PLUGIN_PATH before Gst.init")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--row", nargs=4, metavar=("ENC:DEC", "PROFILE", "SSRCS", "LISTS"),
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
        pps, err = measure(pair, args.row[1], int(args.row[2]), args.row[3] == "1",
                           args.iterations, args.rounds, random.Random(args.seed))
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

    rows = []  # (pair, profile, nssrc, lists) -> packets/s
    for profile in PROFILES:
        for use_lists in (False, True):
            rows.append((profile, 1, use_lists))
    for nssrc in (100, 1000):
        for use_lists in (False, True):
            rows.append(("aes-128-icm/hmac-sha1-80", nssrc, use_lists))

    results, failed = {}, 0
    print("%d packets of %d-byte payload per run, best of %d; appsrc ! ENC ! DEC ! appsink"
          % (args.iterations, PAYLOAD_LEN, args.rounds))
    print("%-28s %-26s %6s %6s %12s" % ("elements", "profile", "ssrcs", "push", "packets/s"))
    for profile, nssrc, use_lists in rows:
        for pair in pairs:
            # one child per row: an element crashing is that row's error,
            # not the end of the run (GStreamer 1.22's srtpdec, fed buffer
            # lists by srtpenc, double-unrefs buffers and loses packets;
            # appsrc ! srtpenc ! appsink alone passes them all)
            cmd = [sys.executable, os.path.abspath(__file__), "--row", "%s:%s" % pair,
                   profile, str(nssrc), "1" if use_lists else "0",
                   "--iterations", str(args.iterations), "--rounds", str(args.rounds),
                   "--seed", str(args.seed)]
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
                print("%-28s %-26s %6d %6s  %s%s" % (name, profile, nssrc, push, last,
                                                   " (%d GStreamer criticals)" % crit if crit else ""))
                continue
            pps = float(last.split()[1])
            results[(pair, profile, nssrc, use_lists)] = pps
            print("%-28s %-26s %6d %6s %12.0f" % (name, profile, nssrc, push, pps))
        sys.stdout.flush()

    def ratio(a, b):
        if a in results and b in results:
            return "%.2f" % (results[a] / results[b])
        return "n/a"

    print("\nratios (packets/s over packets/s):")
    for profile, nssrc, use_lists in rows:
        push = "list%d" % LIST_LEN if use_lists else "single"
        if GROUP in pairs:
            print("  group/baseline  %-26s %5d ssrcs %-6s %s" % (
                profile, nssrc, push,
                ratio((GROUP, profile, nssrc, use_lists), (BASELINE, profile, nssrc, use_lists))))
    for pair in pairs:
        for use_lists in (False, True):
            push = "list%d" % LIST_LEN if use_lists else "single"
            p = "aes-128-icm/hmac-sha1-80"
            for nssrc in (100, 1000):
                print("  %d ssrcs/1 ssrc  %-28s %-6s %s" % (
                    nssrc, "%s ! %s" % pair, push,
                    ratio((pair, p, nssrc, use_lists), (pair, p, 1, use_lists))))
        for profile in PROFILES:
            print("  list%d/single   %-28s %-26s %s" % (
                LIST_LEN, "%s ! %s" % pair, profile,
                ratio((pair, profile, 1, True), (pair, profile, 1, False))))
    if GROUP not in pairs:
        print("NOTE: group elements not available: no group/baseline ratios")
    print("NOTE: an ERROR in a srtpenc ! srtpdec list row is GStreamer's, not counted; "
          "exit status 1 only for other rows")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
