#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""srtp_interop.py - SRTP interop of srtpgroupenc/srtpgroupdec with srtpenc/srtpdec.

Every check runs an encoder and a decoder (GStreamer elements through gi,
element names given as ENC:DEC pairs) in two pipelines,

    appsrc ! ENC ! appsink      (collects the SRTP / SRTCP packets)
    appsrc ! DEC ! appsink      (decrypts them, possibly tampered with)

so that the SRTP packets can be looked at and modified in between, and the
decoder is keyed by its own means (the `request-key` signal, or its sink
caps), never by the encoder's caps. One check per pair also links ENC and DEC
directly in one pipeline.

Checks per pair (docs/gst-elements.md: the group elements are drop-ins for
gst-plugins-bad's srtpenc/srtpdec):
  * profiles aes-128-icm/hmac-sha1-80, aes-128-icm/hmac-sha1-32,
    aes-256-icm/hmac-sha1-80, aes-128-gcm, aes-256-gcm, each without and with
    a 4-byte MKI: every payload arrives bit-exact and in order, and the SRTP
    packets have the length RFC 3711 / RFC 7714 give (header + payload + MKI
    + tag) and do not carry the payload in the clear;
  * RTCP (a sender report) through rtcp_sink -> rtcp_src;
  * three SSRCs interleaved through one encoder pad and one decoder;
  * one bit flipped in one SRTP packet: exactly that packet is dropped;
  * the decoder keyed by its sink caps instead of `request-key`;
  * ENC ! DEC linked directly.

A pair whose element cannot be found (with --plugin-path prepended to
GST_PLUGIN_PATH) is a failure, never a skip.

Each check prints `PASS name` or `FAIL name: why`; the last line is exactly
`N passed, N failed`; the exit status is 1 when anything failed.
"""

import argparse
import os
import random
import struct
import sys
import traceback

BASELINE = ("srtpenc", "srtpdec")
GROUP = ("srtpgroupenc", "srtpgroupdec")
ALL_PAIRS = [BASELINE, (BASELINE[0], GROUP[1]), (GROUP[0], BASELINE[1]), GROUP]

# name, rtp/rtcp cipher, auth, master key + salt length, tag length
PROFILES = [
    ("aes-128-icm+hmac-sha1-80", "aes-128-icm", "hmac-sha1-80", 30, 10),
    ("aes-128-icm+hmac-sha1-32", "aes-128-icm", "hmac-sha1-32", 30, 4),
    ("aes-256-icm+hmac-sha1-80", "aes-256-icm", "hmac-sha1-80", 46, 10),
    ("aes-128-gcm", "aes-128-gcm", "null", 28, 16),
    ("aes-256-gcm", "aes-256-gcm", "null", 44, 16),
]
# SRTCP tag length (RFC 3711 §3.4: hmac-sha1-32 is for SRTP only; srtpenc
# uses the same auth for RTCP, so the tag follows the rtcp-auth we set).
MKI = bytes.fromhex("a1b2c3d4")
PAYLOAD_LEN = 160
RTP_CAPS = ("application/x-rtp,payload=96,clock-rate=8000,media=audio,"
            "encoding-name=PCMU")
PIPELINE_TIMEOUT = int(os.environ.get("SRTP_INTEROP_TIMEOUT", "30"))  # seconds to reach EOS; a bound, never a measurement

Gst = None  # imported in main() after GST_PLUGIN_PATH is set


# --------------------------------------------------------------------------
# results


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def fail(self, name, why):
        self.failed += 1
        print("FAIL %s: %s" % (name, why))
        sys.stdout.flush()

    def run(self, name, fn, *args):
        """Run fn(*args) -> None or a string saying what went wrong."""
        try:
            why = fn(*args)
        except Exception:  # a crash in a check is that check's failure
            why = "exception:\n" + traceback.format_exc()
        if why:
            self.fail(name, why)
        else:
            self.passed += 1
            print("PASS %s" % name)
            sys.stdout.flush()

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed or not self.passed else 0


# --------------------------------------------------------------------------
# packets


def rtp_packet(seq, ts, ssrc, payload, pt=96, marker=False):
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt,
                       seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + payload


def rtp_stream(ssrcs, n, rng):
    """n packets round-robin over ssrcs: [(ssrc, packet bytes)]."""
    seqs = {s: rng.randrange(0, 0x10000) for s in ssrcs}
    tss = {s: rng.randrange(0, 1 << 32) for s in ssrcs}
    out = []
    for i in range(n):
        s = ssrcs[i % len(ssrcs)]
        payload = bytes(rng.getrandbits(8) for _ in range(PAYLOAD_LEN))
        out.append((s, rtp_packet(seqs[s], tss[s], s, payload)))
        seqs[s] += 1
        tss[s] += PAYLOAD_LEN
    return out


def rtcp_sr(ssrc, i):
    """A minimal RTCP sender report (RFC 3550 §6.4.1), no report blocks."""
    return struct.pack("!BBHIIIIII", 0x80, 200, 6, ssrc,
                       0x83AA7E80 + i, 0, 8000 * i, i, 160 * i)


def rtp_payload(pkt):
    return pkt[12:]


# --------------------------------------------------------------------------
# GStreamer plumbing


def gbuf(data):
    # a copy into GStreamer's memory: Gst.Buffer.new_wrapped through gi
    # hands Python's bytes over with the wrong ownership
    data = bytes(data)
    buf = Gst.Buffer.new_allocate(None, len(data), None)
    buf.fill(0, data)
    return buf


def buf_bytes(buf):
    return buf.extract_dup(0, buf.get_size())


def srtp_caps_fields(prof, key, mki, idx=""):
    _, cipher, auth, _, _ = prof
    s = "srtp-key%s=(buffer)%s" % (idx, key.hex())
    if mki is not None:
        s += ", mki%s=(buffer)%s" % (idx, mki.hex())
    if not idx:
        s += (", srtp-cipher=(string)%s, srtp-auth=(string)%s, "
              "srtcp-cipher=(string)%s, srtcp-auth=(string)%s"
              % (cipher, auth, cipher, auth))
    return s


def key_caps(prof, key, mki, ssrc=None):
    s = "application/x-srtp, " + srtp_caps_fields(prof, key, mki)
    if ssrc is not None:
        s += ", ssrc=(uint)%d" % ssrc
    return Gst.Caps.from_string(s)


def make(factory, name=None):
    e = Gst.ElementFactory.make(factory, name)
    if e is None:
        raise RuntimeError("cannot create element %s" % factory)
    return e


def make_encoder(name, prof, key, mki):
    enc = make(name)
    _, cipher, auth, _, _ = prof
    enc.set_property("key", gbuf(key))
    enc.set_property("rtp-cipher", cipher)
    enc.set_property("rtp-auth", auth)
    enc.set_property("rtcp-cipher", cipher)
    enc.set_property("rtcp-auth", auth)
    if mki is not None:
        enc.set_property("mki", gbuf(mki))
    return enc


def make_decoder(name, prof, key, mki, requests=None):
    """A decoder answering request-key for any SSRC with this key."""
    dec = make(name)

    def on_request_key(_dec, ssrc):
        if requests is not None:
            requests.append(ssrc)
        return key_caps(prof, key, mki, ssrc)

    if prof is not None:
        dec.connect("request-key", on_request_key)
    return dec


def request_pads(enc, kind, index=0):
    """Request ENC's kind_sink_<index>; return (sink pad, its src pad).

    The name is given explicitly: srtpenc names a pad requested as
    `rtp_sink_%u` "padN" (its src pad is still rtp_src_0).
    """
    before = set(p.get_name() for p in enc.srcpads)
    sink = enc.request_pad_simple("%s_sink_%d" % (kind, index))
    if sink is None:
        raise RuntimeError("%s: no %s_sink_%d request pad"
                           % (enc.get_factory().get_name(), kind, index))
    src_name = "%s_src_%d" % (kind, index)
    src = enc.get_static_pad(src_name)
    if src is None:
        new = [p for p in enc.srcpads if p.get_name() not in before]
        if len(new) != 1:
            raise RuntimeError("%s: requesting %s gave no %s"
                               % (enc.get_factory().get_name(), sink.get_name(), src_name))
        src = new[0]
    return sink, src


def run_element(elem, branches):
    """Push packets through elem.

    branches: [(sink pad, src pad, caps string, [packet bytes])]; each gets
    its own appsrc -> sink pad and src pad -> appsink. Returns
    ([[out bytes] per branch], [error/warning messages]).
    """
    pipe = Gst.Pipeline.new(None)
    pipe.add(elem)
    srcs, sinks = [], []
    for sinkpad, srcpad, caps, _ in branches:
        src = make("appsrc")
        src.set_property("caps", Gst.Caps.from_string(caps))
        src.set_property("format", Gst.Format.TIME)
        src.set_property("max-bytes", 0)
        sink = make("appsink")
        sink.set_property("sync", False)
        sink.set_property("emit-signals", False)
        # appsink holds EOS back until its queue is pulled empty otherwise
        sink.set_property("wait-on-eos", False)
        pipe.add(src)
        pipe.add(sink)
        if src.get_static_pad("src").link(sinkpad) != Gst.PadLinkReturn.OK:
            raise RuntimeError("cannot link appsrc to %s" % sinkpad.get_name())
        if srcpad.link(sink.get_static_pad("sink")) != Gst.PadLinkReturn.OK:
            raise RuntimeError("cannot link %s to appsink" % srcpad.get_name())
        srcs.append(src)
        sinks.append(sink)
    return run_pipeline(pipe, srcs, sinks, [b[3] for b in branches])


def run_pipeline(pipe, srcs, sinks, packet_lists):
    messages = []
    # Everything is queued in appsrc in READY, before any streaming thread
    # runs, and Python drops each buffer at once: the elements then get
    # writable buffers (only references they own), as in a real pipeline.
    if pipe.set_state(Gst.State.READY) == Gst.StateChangeReturn.FAILURE:
        pipe.set_state(Gst.State.NULL)
        raise RuntimeError("pipeline does not go to READY")
    for src, pkts in zip(srcs, packet_lists):
        for i, p in enumerate(pkts):
            b = gbuf(p)
            b.pts = i * 20 * Gst.MSECOND
            b.duration = 20 * Gst.MSECOND
            # the action signal refs the buffer (push_buffer() through gi
            # gets the ownership transfer wrong)
            ret = src.emit("push-buffer", b)
            del b
            if ret != Gst.FlowReturn.OK:
                raise RuntimeError("appsrc refused buffer %d: %s" % (i, ret))
        src.emit("end-of-stream")
    if pipe.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        pipe.set_state(Gst.State.NULL)
        raise RuntimeError("pipeline does not go to PLAYING")
    bus = pipe.get_bus()
    eos = False
    while True:
        msg = bus.timed_pop_filtered(
            PIPELINE_TIMEOUT * Gst.SECOND,
            Gst.MessageType.EOS | Gst.MessageType.ERROR | Gst.MessageType.WARNING)
        if msg is None:
            messages.append("no EOS within %ds" % PIPELINE_TIMEOUT)
            break
        if msg.type == Gst.MessageType.EOS:
            eos = True
            break
        if msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            messages.append("ERROR from %s: %s (%s)" % (msg.src.get_name(), err.message, dbg))
            break
        err, dbg = msg.parse_warning()
        messages.append("warning from %s: %s" % (msg.src.get_name(), err.message))
    outs = []
    for sink in sinks:
        out = []
        while eos:
            s = sink.try_pull_sample(0)
            if s is None:
                break
            b = s.get_buffer()
            if b is not None:
                out.append(buf_bytes(b))
            lst = s.get_buffer_list()
            if lst is not None:
                out.extend(buf_bytes(lst.get(i)) for i in range(lst.length()))
        outs.append(out)
    pipe.set_state(Gst.State.NULL)
    return outs, messages


def errors_only(messages):
    return [m for m in messages if not m.startswith("warning")]


def encrypt(encname, prof, key, mki, rtp=(), rtcp=(), rtp_caps=RTP_CAPS):
    enc = make_encoder(encname, prof, key, mki)
    branches = []
    if rtp:
        s, d = request_pads(enc, "rtp")
        branches.append((s, d, rtp_caps, list(rtp)))
    if rtcp:
        s, d = request_pads(enc, "rtcp")
        branches.append((s, d, "application/x-rtcp", list(rtcp)))
    outs, msgs = run_element(enc, branches)
    if errors_only(msgs):
        raise RuntimeError("%s: %s" % (encname, "; ".join(msgs)))
    return outs


def decrypt(decname, prof, key, mki, srtp=(), srtcp=(), srtp_caps=None,
            requests=None):
    dec = make_decoder(decname, prof, key, mki, requests)
    branches = []
    if srtp:
        branches.append((dec.get_static_pad("rtp_sink"), dec.get_static_pad("rtp_src"),
                         srtp_caps or "application/x-srtp", list(srtp)))
    if srtcp:
        branches.append((dec.get_static_pad("rtcp_sink"), dec.get_static_pad("rtcp_src"),
                         "application/x-srtcp", list(srtcp)))
    outs, msgs = run_element(dec, branches)
    if errors_only(msgs):
        raise RuntimeError("%s: %s" % (decname, "; ".join(msgs)))
    return outs


# --------------------------------------------------------------------------
# checks


def compare(sent, got, what="packets"):
    """sent/got: lists of bytes; None or the first difference."""
    if len(got) != len(sent):
        return "%d %s sent, %d received" % (len(sent), what, len(got))
    for i, (a, b) in enumerate(zip(sent, got)):
        if a != b:
            return "%s %d differs (len %d vs %d, first differing byte %d)" % (
                what, i, len(a), len(b),
                next((j for j in range(min(len(a), len(b))) if a[j] != b[j]),
                     min(len(a), len(b))))
    return None


def is_aead(prof):
    return prof[1].endswith("-gcm")


def check_srtp_shape(rtp, srtp, prof, mki):
    """RFC 3711 §3.1: payload | MKI | tag; RFC 7714 §8.1 (AEAD): payload
    and tag are one ciphertext, the MKI follows it."""
    tag, mkilen = prof[4], len(mki) if mki else 0
    want = 12 + PAYLOAD_LEN + mkilen + tag
    mki_at = 12 + PAYLOAD_LEN + (tag if is_aead(prof) else 0)
    for i, (p, s) in enumerate(zip(rtp, srtp)):
        if len(s) != want:
            return "SRTP packet %d has %d bytes, RFC 3711 says %d" % (i, len(s), want)
        if s[:12] != p[:12]:
            return "SRTP packet %d: RTP header changed" % i
        if s[12:12 + PAYLOAD_LEN] == p[12:]:
            return "SRTP packet %d carries the payload in the clear" % i
        if mki and s[mki_at:mki_at + mkilen] != mki:
            return "SRTP packet %d: MKI not at offset %d" % (i, mki_at)
    return None


class Ctx:
    def __init__(self, enc, dec, packets, seed):
        self.enc, self.dec, self.packets = enc, dec, packets
        self.rng = random.Random(seed)

    def key(self, prof):
        return bytes(self.rng.getrandbits(8) for _ in range(prof[3]))


def check_profile(c, prof, mki):
    key = c.key(prof)
    ssrc = c.rng.randrange(1, 1 << 32)
    rtp = [p for _, p in rtp_stream([ssrc], c.packets, c.rng)]
    caps = RTP_CAPS + ",ssrc=(uint)%d" % ssrc
    srtp, = encrypt(c.enc, prof, key, mki, rtp=rtp, rtp_caps=caps)
    why = compare(rtp, srtp, "SRTP packets") if len(srtp) != len(rtp) else None
    why = why or check_srtp_shape(rtp, srtp, prof, mki)
    if why:
        return why
    requests = []
    got, = decrypt(c.dec, prof, key, mki, srtp=srtp,
                   srtp_caps="application/x-srtp,ssrc=(uint)%d" % ssrc,
                   requests=requests)
    if requests and set(requests) != {ssrc}:
        return "request-key asked for SSRCs %s, sent only %d" % (requests, ssrc)
    return compare(rtp, got)


def check_rtcp(c, prof, mki):
    key = c.key(prof)
    ssrc = c.rng.randrange(1, 1 << 32)
    n = max(3, min(c.packets, 50))
    rtcp = [rtcp_sr(ssrc, i) for i in range(n)]
    srtcp, = encrypt(c.enc, prof, key, mki, rtcp=rtcp)
    if len(srtcp) != n:
        return "%d RTCP packets in, %d SRTCP packets out of %s" % (n, len(srtcp), c.enc)
    want = 28 + 4 + (len(mki) if mki else 0) + prof[4]
    for i, (p, s) in enumerate(zip(rtcp, srtcp)):
        if len(s) != want:
            return "SRTCP packet %d has %d bytes, RFC 3711 says %d" % (i, len(s), want)
        if s[:8] != p[:8]:
            return "SRTCP packet %d: first 8 octets changed" % i
        if s[8:28] == p[8:28]:
            return "SRTCP packet %d carries the sender info in the clear" % i
        # RFC 3711 §3.4: | E+index | MKI | tag |; RFC 7714 §9.1 (AEAD):
        # the tag ends the ciphertext, before E+index
        at = 28 + (prof[4] if is_aead(prof) else 0)
        e_index = struct.unpack("!I", s[at:at + 4])[0]
        if mki and s[at + 4:at + 4 + len(mki)] != mki:
            return "SRTCP packet %d: MKI not at offset %d" % (i, at + 4)
        if not e_index & 0x80000000:
            return "SRTCP packet %d: E flag not set" % i
    got, = decrypt(c.dec, prof, key, mki, srtcp=srtcp)
    return compare(rtcp, got, "RTCP packets")


def check_multi_ssrc(c, prof, mki):
    key = c.key(prof)
    ssrcs = [c.rng.randrange(1, 1 << 32) for _ in range(3)]
    stream = rtp_stream(ssrcs, max(c.packets, 3) * 3, c.rng)
    rtp = [p for _, p in stream]
    srtp, = encrypt(c.enc, prof, key, mki, rtp=rtp)
    why = compare(rtp, srtp, "SRTP packets") if len(srtp) != len(rtp) else None
    why = why or check_srtp_shape(rtp, srtp, prof, mki)
    if why:
        return why
    requests = []
    got, = decrypt(c.dec, prof, key, mki, srtp=srtp, requests=requests)
    if sorted(set(requests)) != sorted(ssrcs):
        return "request-key asked for SSRCs %s, sent %s" % (sorted(set(requests)), sorted(ssrcs))
    return compare(rtp, got)


def check_tamper(c, prof, mki):
    key = c.key(prof)
    ssrc = c.rng.randrange(1, 1 << 32)
    n = max(c.packets, 5)
    rtp = [p for _, p in rtp_stream([ssrc], n, c.rng)]
    srtp, = encrypt(c.enc, prof, key, mki, rtp=rtp)
    if len(srtp) != n:
        return "%d RTP packets in, %d SRTP packets out" % (n, len(srtp))
    victim = n // 2
    pos = 12 + c.rng.randrange(PAYLOAD_LEN)
    bad = bytearray(srtp[victim])
    bad[pos] ^= 1 << c.rng.randrange(8)
    srtp[victim] = bytes(bad)
    got, = decrypt(c.dec, prof, key, mki, srtp=srtp)
    want = rtp[:victim] + rtp[victim + 1:]
    why = compare(want, got)
    if why:
        return "bit flipped at byte %d of packet %d: %s" % (pos, victim, why)
    return None


def check_caps_keyed(c, prof, mki):
    """The decoder keyed by its sink caps, with no request-key handler."""
    key = c.key(prof)
    ssrc = c.rng.randrange(1, 1 << 32)
    rtp = [p for _, p in rtp_stream([ssrc], c.packets, c.rng)]
    srtp, = encrypt(c.enc, prof, key, mki, rtp=rtp)
    caps = "application/x-srtp, ssrc=(uint)%d, %s" % (ssrc, srtp_caps_fields(prof, key, mki))
    dec = make_decoder(c.dec, None, None, None)
    outs, msgs = run_element(dec, [(dec.get_static_pad("rtp_sink"),
                                    dec.get_static_pad("rtp_src"), caps, srtp)])
    if errors_only(msgs):
        return "%s: %s" % (c.dec, "; ".join(msgs))
    return compare(rtp, outs[0])


def check_direct(c, prof, mki):
    """ENC ! DEC in one pipeline (the decoder also answers request-key)."""
    key = c.key(prof)
    ssrc = c.rng.randrange(1, 1 << 32)
    rtp = [p for _, p in rtp_stream([ssrc], c.packets, c.rng)]
    enc = make_encoder(c.enc, prof, key, mki)
    dec = make_decoder(c.dec, prof, key, mki)
    pipe = Gst.Pipeline.new(None)
    src, sink = make("appsrc"), make("appsink")
    src.set_property("caps", Gst.Caps.from_string(RTP_CAPS + ",ssrc=(uint)%d" % ssrc))
    src.set_property("format", Gst.Format.TIME)
    src.set_property("max-bytes", 0)
    sink.set_property("sync", False)
    sink.set_property("wait-on-eos", False)
    for e in (src, enc, dec, sink):
        pipe.add(e)
    esink, esrc = request_pads(enc, "rtp")
    ok = (src.get_static_pad("src").link(esink) == Gst.PadLinkReturn.OK
          and esrc.link(dec.get_static_pad("rtp_sink")) == Gst.PadLinkReturn.OK
          and dec.link_pads("rtp_src", sink, "sink"))
    if not ok:
        pipe.set_state(Gst.State.NULL)
        return "cannot link appsrc ! %s ! %s ! appsink" % (c.enc, c.dec)
    outs, msgs = run_pipeline(pipe, [src], [sink], [rtp])
    if errors_only(msgs):
        return "; ".join(msgs)
    return compare(rtp, outs[0])


# --------------------------------------------------------------------------


def parse_pairs(text):
    if text == "all":
        return list(ALL_PAIRS)
    pairs = []
    for item in text.split(","):
        enc, sep, dec = item.strip().partition(":")
        if not sep or not enc or not dec:
            raise SystemExit("--pairs: %r is not ENC:DEC" % item)
        pairs.append((enc, dec))
    return pairs


def run_pair(checks, enc, dec, packets, seed):
    pair = "%s->%s" % (enc, dec)
    missing = [e for e in (enc, dec) if Gst.ElementFactory.find(e) is None]
    if missing:
        checks.fail(pair, "element %s not found (GST_PLUGIN_PATH=%s); "
                    "is the srtpgroup plugin built?" % (
                        ", ".join(missing), os.environ.get("GST_PLUGIN_PATH", "")))
        return
    c = Ctx(enc, dec, packets, seed)
    base = PROFILES[0]
    for prof in PROFILES:
        for mki in (None, MKI):
            name = "%s %s%s" % (pair, prof[0], " mki" if mki else "")
            checks.run(name, check_profile, c, prof, mki)
    for prof, mki in ((base, None), (PROFILES[3], MKI)):
        checks.run("%s rtcp %s%s" % (pair, prof[0], " mki" if mki else ""),
                   check_rtcp, c, prof, mki)
    checks.run("%s 3-ssrcs %s" % (pair, base[0]), check_multi_ssrc, c, base, None)
    for prof in (base, PROFILES[3]):
        checks.run("%s bit-flip %s" % (pair, prof[0]), check_tamper, c, prof, None)
    checks.run("%s caps-keyed %s mki" % (pair, base[0]), check_caps_keyed, c, base, MKI)
    checks.run("%s direct %s" % (pair, base[0]), check_direct, c, base, None)


def main():
    global Gst
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", default="srtpenc:srtpdec",
                    help="comma list of ENC:DEC, or 'all' (default srtpenc:srtpdec)")
    ap.add_argument("--plugin-path", action="append", default=[],
                    help="prepended to GST_PLUGIN_PATH before Gst.init")
    ap.add_argument("--packets", type=int, default=100, help="RTP packets per check")
    ap.add_argument("--seed", type=int, default=3711)
    args = ap.parse_args()
    if args.packets < 1:
        ap.error("--packets must be >= 1")
    pairs = parse_pairs(args.pairs)

    paths = [os.path.abspath(p) for p in args.plugin_path]
    old = os.environ.get("GST_PLUGIN_PATH")
    if paths:
        os.environ["GST_PLUGIN_PATH"] = os.pathsep.join(paths + ([old] if old else []))

    import gi
    gi.require_version("Gst", "1.0")
    gi.require_version("GstApp", "1.0")
    from gi.repository import Gst as _Gst
    from gi.repository import GstApp  # noqa: F401  (appsrc/appsink methods)
    Gst = _Gst
    Gst.init(None)

    checks = Checks()
    for enc, dec in pairs:
        run_pair(checks, enc, dec, args.packets, args.seed)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
