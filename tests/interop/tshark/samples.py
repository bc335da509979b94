#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Keep samples/ equal to the corpus it was copied from.

samples/ holds a few representative messages of the corpus
(tests/corpus/gen_corpus.c) as .bin and .b64, and one SDP offer carrying a
MIKEY message in an a=key-mgmt attribute (RFC 4567 §3.1).

  samples.py --corpus-dir DIR --samples-dir samples/ --update
      rewrites samples/ from the corpus;
  samples.py --corpus-dir DIR --samples-dir samples/ [--mikey-tool EXE]
      checks that every sample still equals its corpus message and, with
      --mikey-tool, that the tool decodes every sample file (.bin, .b64,
      .sdp) to the same JSON. Last line "N passed, N failed"; exit 1 on any
      failure.
"""

import argparse
import base64
import json
import os
import subprocess
import sys

# Sample name -> corpus name (without the NNN- prefix).
SAMPLES = [
    "psk-i-message", "psk-i-message-null", "psk-r-message", "pk-i-message",
    "dh-i-message", "dhhmac-i-message", "error-message", "rsar-i-msg",
    "rsar-r-msg", "sakke-i-message", "ticket-transfer", "hdr-generic-id",
    "kemac-multi-key", "sp-tesla", "ext-key-id",
]
SDP_SAMPLE = "psk-offer.sdp"
SDP_SOURCE = "psk-i-message-null"


def sdp_offer(msg):
    # RFC 4566 §5: CRLF line ends. RFC 4567 §3.1: session-level key-mgmt.
    lines = [
        "v=0",
        "o=alice 2890844526 2890844526 IN IP4 127.0.0.1",
        "s=MIKEY PSK offer (sample)",
        "c=IN IP4 127.0.0.1",
        "t=0 0",
        "a=key-mgmt:mikey " + base64.b64encode(msg).decode(),
        "m=audio 49170 RTP/SAVP 0",
        "a=rtpmap:0 PCMU/8000",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def b64_file(msg):
    return (base64.b64encode(msg).decode() + "\n").encode()


def corpus_map(corpus):
    out = {}
    for n in os.listdir(corpus):
        if n.endswith(".bin") and n[3:4] == "-":
            out[n[4:-4]] = os.path.join(corpus, n)
    return out


def read(path):
    with open(path, "rb") as fh:
        return fh.read()


def expected_files(corpus):
    cm = corpus_map(corpus)
    files = {}
    for s in SAMPLES:
        msg = read(cm[s])
        files[s + ".bin"] = msg
        files[s + ".b64"] = b64_file(msg)
    files[SDP_SAMPLE] = sdp_offer(read(cm[SDP_SOURCE]))
    return files


def decode(tool, path, fmt):
    r = subprocess.run([tool, "decode", "--json", "--format", fmt, path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    return r.returncode, r.stdout.decode(errors="replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gen-corpus", help="regenerate --corpus-dir with this gen_corpus first")
    ap.add_argument("--corpus-dir", required=True)
    ap.add_argument("--samples-dir", required=True)
    ap.add_argument("--mikey-tool")
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()

    if args.gen_corpus:
        os.makedirs(args.corpus_dir, exist_ok=True)
        for n in os.listdir(args.corpus_dir):
            os.unlink(os.path.join(args.corpus_dir, n))
        subprocess.run([args.gen_corpus, args.corpus_dir], check=True, timeout=120)
    files = expected_files(args.corpus_dir)

    if args.update:
        os.makedirs(args.samples_dir, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(args.samples_dir, name), "wb") as fh:
                fh.write(data)
        print("wrote %d files to %s" % (len(files), args.samples_dir))
        return 0

    passed = failed = 0
    for s in SAMPLES + [SDP_SAMPLE[:-4]]:
        errors = []
        names = [s + ".bin", s + ".b64"] if s in SAMPLES else [SDP_SAMPLE]
        for name in names:
            path = os.path.join(args.samples_dir, name)
            if not os.path.isfile(path):
                errors.append("%s missing" % name)
            elif read(path) != files[name]:
                errors.append("%s differs from the corpus (run samples.py --update)" % name)
        if args.mikey_tool and not errors:
            outs = []
            for name in names:
                fmt = {"bin": "bin", "b64": "base64", "sdp": "sdp"}[name.rsplit(".", 1)[1]]
                rc, out = decode(args.mikey_tool, os.path.join(args.samples_dir, name), fmt)
                if rc != 0:
                    errors.append("mikey-tool decode --format %s %s: exit %d: %s" % (fmt, name, rc, out[:200]))
                else:
                    outs.append(json.loads(out))
            if s not in SAMPLES and outs:
                # The SDP carries the corpus message SDP_SOURCE.
                rc, out = decode(args.mikey_tool, os.path.join(args.samples_dir, SDP_SOURCE + ".bin"), "bin")
                outs.append(json.loads(out) if rc == 0 else None)
            if len(outs) == 2 and outs[0] != outs[1]:
                errors.append("the decodes of %s disagree" % " and ".join(names + ([SDP_SOURCE + ".bin"]
                                                                                   if s not in SAMPLES else [])))
        if errors:
            failed += 1
            print("FAIL %s: %s" % (s, "; ".join(errors)))
        else:
            passed += 1
            print("PASS %s" % s)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
