#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""rekey.py DIR [PACKETS] - a rekey while PLAYING (RFC 3830 §4.5).

One pipeline: audiotestsrc ! rtppcmupay ! srtpgroupenc ! srtpgroupdec !
fakesink, keyed by DIR/rekey-1.b64. Half way, the decoder gets
DIR/rekey-2.b64 (same CSB ID, MKI 02), then the encoder: from its next
packet on the MKI is 02, the ROC goes on, the decoder takes both MKIs for
its grace period. Prints the counts and exits 1 if a packet was lost,
refused, or the MKI did not change.
"""
import sys
import warnings

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

# GValueArray.get_nth is what gi offers for GstStructure arrays here.
warnings.filterwarnings("ignore", category=DeprecationWarning)


def stream(el, ssrc):
    """The stats structure of |ssrc| in |el|'s stats property, or None."""
    ok, arr = el.get_property("stats").get_array("streams")
    for i in range(arr.n_values if ok else 0):
        s = arr.get_nth(i)
        if s.get_value("ssrc") == ssrc:
            return s.copy()  # the array is freed with the stats
    return None


def main():
    d = sys.argv[1]
    packets = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    Gst.init(None)
    psk = "@%s/psk.hex" % d
    p = Gst.parse_launch(
        "audiotestsrc num-buffers=%d samplesperbuffer=160 ! mulawenc ! rtppcmupay ssrc=1111 "
        "! srtpgroupenc name=enc ! srtpgroupdec name=dec ! identity name=count "
        "! fakesink sync=false" % packets)
    enc, dec = p.get_by_name("enc"), p.get_by_name("dec")
    for el in (enc, dec):
        el.set_property("mikey-psk", psk)
        el.set_property("mikey", "@%s/rekey-1.b64" % d)
    seen = {"n": 0, "rekeyed": False}

    def on_buffer(ident, buf):
        seen["n"] += 1
        if seen["n"] == packets // 2 and not seen["rekeyed"]:
            # The receivers first (they keep the old key for the grace
            # period), then the sender switches at its next packet.
            dec.set_property("mikey", "@%s/rekey-2.b64" % d)
            enc.set_property("mikey", "@%s/rekey-2.b64" % d)
            seen["rekeyed"] = True

    p.get_by_name("count").connect("handoff", on_buffer)
    loop = GLib.MainLoop()
    bus = p.get_bus()
    bus.add_signal_watch()
    errors = []

    def on_msg(_bus, msg):
        if msg.type == Gst.MessageType.EOS:
            loop.quit()
        elif msg.type in (Gst.MessageType.ERROR, Gst.MessageType.WARNING):
            err, dbg = msg.parse_error() if msg.type == Gst.MessageType.ERROR else msg.parse_warning()
            errors.append("%s: %s" % (err.message, dbg))
            if msg.type == Gst.MessageType.ERROR:
                loop.quit()

    bus.connect("message", on_msg)
    p.set_state(Gst.State.PLAYING)
    GLib.timeout_add_seconds(30, loop.quit)
    loop.run()
    try:
        s_enc, s_dec = stream(enc, 1111), stream(dec, 1111)
    finally:
        p.set_state(Gst.State.NULL)
    ok = (not errors and seen["rekeyed"] and seen["n"] == packets and s_dec is not None
          and s_dec.get_value("packets") == packets and s_dec.get_value("auth-failures") == 0
          and s_dec.get_value("unknown-mki") == 0 and s_enc.get_value("mki") == "02")
    print("rekey: %d of %d packets decrypted, encoder MKI now %s, decoder keys %s%s" % (
        seen["n"], packets, s_enc.get_value("mki") if s_enc else "?",
        s_dec.get_value("keys") if s_dec else "?", "; " + "; ".join(errors) if errors else ""))
    print("rekey: %s" % ("OK" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
