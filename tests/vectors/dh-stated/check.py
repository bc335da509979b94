#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""check.py VECTOR.txt [...] - recompute a DH vector with stated private
values from its inputs alone, with Python's integers and hmac/hashlib:

  DHi = 2^xi mod p, DHr = 2^xr mod p (OAKLEY 5, RFC 3526): both must be the
  DH values in the messages (DHi in both, DHr in the R_MESSAGE);
  CSB ID and RAND: the counter RNG's first 20 bytes (c = 1);
  TGK = 2^(xi*xr) mod p, and every crypto session's TEK and salt per
  RFC 3830 §4.1.3 with the PRF of §4.1.2;
  DH-HMAC: both messages' HMAC-SHA-1 under auth_key (RFC 4650, RFC 3830
  §4.1.4, docs/interpretations.md §16).
Prints one line per vector and `N passed, N failed`; exits 1 on a mismatch.
"""
import hashlib
import hmac
import sys

P = int("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD"
        "3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24"
        "117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9"
        "ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF", 16)


def P_sha1(s, label, m):
    a, out = label, b""
    for _ in range(m):
        a = hmac.new(s, a, hashlib.sha1).digest()
        out += hmac.new(s, a + label, hashlib.sha1).digest()
    return out


def prf(inkey, label, outlen):
    n, m = (len(inkey) + 31) // 32, (outlen + 19) // 20
    res = bytes(m * 20)
    for i in range(n):
        res = bytes(a ^ b for a, b in zip(res, P_sha1(inkey[32 * i:32 * (i + 1)], label, m)))
    return res[:outlen]


def counter(c, n):
    return bytes(((c + i) * 131 + 7) & 0xff for i in range(n))


def check(path):
    v = {}
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or " = " not in line:
            continue
        k, val = line.rstrip("\n").split(" = ", 1)
        v[k] = val
    xi, xr = int(v["xi"], 16), int(v["xr"], 16)
    im, rm = bytes.fromhex(v["I_MESSAGE"]), bytes.fromhex(v["R_MESSAGE"])
    dhi, dhr = pow(2, xi, P).to_bytes(192, "big"), pow(2, xr, P).to_bytes(192, "big")
    assert dhi in im and dhi in rm, "DHi = 2^xi mod p is in both messages"
    assert dhr in rm, "DHr = 2^xr mod p is in the R_MESSAGE"
    stream = counter(1, 20)
    csb, rand = stream[:4], stream[4:20]
    assert im[4:8] == csb, "CSB ID from the counter RNG"
    assert rand in im, "RAND from the counter RNG"
    if "PSK" in v:
        auth = prf(v["PSK"].encode(), bytes.fromhex("2D22AC75") + b"\xff" + csb + rand, 20)
        assert hmac.new(auth, im[:-20], hashlib.sha1).digest() == im[-20:], "I_MESSAGE HMAC"
        assert hmac.new(auth, rm[:-20], hashlib.sha1).digest() == rm[-20:], "R_MESSAGE HMAC"
    tgk = pow(2, xi * xr, P).to_bytes(192, "big")
    n = 0
    while "CS%d.MasterKey" % (n + 1) in v:
        cs_id = n + 1
        lab = lambda const: bytes.fromhex(const) + bytes([cs_id]) + csb + rand  # noqa: E731
        assert prf(tgk, lab("2AD01C64"), 16).hex() == v["CS%d.MasterKey" % cs_id], "TEK of CS %d" % cs_id
        assert prf(tgk, lab("39A2C14B"), 14).hex() == v["CS%d.MasterSalt" % cs_id], "salt of CS %d" % cs_id
        n += 1
    assert n > 0, "no crypto sessions"
    return "%s: DHi, DHr, TGK and %d crypto sessions%s recomputed" % (v["Name"], n,
                                                                    ", both HMACs" if "PSK" in v else "")


def main():
    passed = failed = 0
    for path in sys.argv[1:]:
        try:
            print("ok: " + check(path))
            passed += 1
        except (AssertionError, KeyError, ValueError) as e:
            print("FAIL: %s: %s" % (path, e))
            failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
