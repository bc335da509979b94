#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""make_vectors.py - known answers for a group key generation, computed here
with Python's hmac/hashlib from RFC 3830, independently of libmikey.

A generation gives every member the same TGK, CSB ID and RAND; each
sender's SRTP master key and salt are (RFC 3830 §4.1.3, PRF of §4.1.2):
  TEK  = PRF(TGK, 0x2AD01C64 || cs_id || csb_id || RAND)
  salt = PRF(TGK, 0x39A2C14B || cs_id || csb_id || RAND)
Writes group-tgk.txt (generation N) and group-tgk-next.txt (N+1: same CSB
ID and senders, another TGK and RAND, MKI + 1). tests/unit/test_group.c
makes the same generations with mikey_group_gen_new (given values) and
compares every byte. Usage: make_vectors.py OUT_DIR
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from mikey_prf import SALT, TEK, derive  # noqa: E402


SENDERS = [(0x11111111, 0), (0x22222222, 7), (0xDEADBEEF, 65535)]  # (SSRC, ROC)
CSB = 0x5EC0DE01


def write(path, epoch, tgk, rand, mki):
    with open(path, "w") as f:
        f.write("# group key generation, AES-CM-128 / HMAC-SHA1-80, PRF MIKEY-1\n")
        f.write("# made by make_vectors.py (Python hmac, RFC 3830 §4.1.2, §4.1.3)\n")
        f.write("csb_id=%08x\nepoch=%d\ntgk=%s\nrand=%s\nmki=%s\n" % (CSB, epoch, tgk.hex(), rand.hex(), mki.hex()))
        for i, (ssrc, roc) in enumerate(SENDERS):
            cs_id = i + 1
            f.write("cs=%d ssrc=%08x roc=%d key=%s salt=%s\n" % (
                cs_id, ssrc, roc, derive(tgk, TEK, cs_id, CSB, rand, 16).hex(),
                derive(tgk, SALT, cs_id, CSB, rand, 14).hex()))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    write(os.path.join(out, "group-tgk.txt"), 7, bytes(range(0x10, 0x20)), bytes(range(0xA0, 0xB0)),
          bytes([0, 0, 0, 9]))
    write(os.path.join(out, "group-tgk-next.txt"), 8, bytes(range(0x30, 0x40)), bytes(range(0xC0, 0xD0)),
          bytes([0, 0, 0, 10]))


if __name__ == "__main__":
    main()
