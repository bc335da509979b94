# SPDX-License-Identifier: LGPL-2.1-or-later
"""mikey_prf.py - the MIKEY PRF of RFC 3830 §4.1.2 (HMAC-SHA-1 P function)
and the TEK / salt derivation of §4.1.3, in plain Python (hmac, hashlib),
for the independent checks of the known-answer vectors."""
import hashlib
import hmac


def p_sha1(s, label, m):
    """P(s, label, m) = HMAC(s, A_1 || label) || ... || HMAC(s, A_m || label)."""
    a, out = label, b""
    for _ in range(m):
        a = hmac.new(s, a, hashlib.sha1).digest()
        out += hmac.new(s, a + label, hashlib.sha1).digest()
    return out


def prf(inkey, label, outlen):
    """PRF(inkey, label): the XOR of P over 256-bit pieces of inkey."""
    n, m = (len(inkey) + 31) // 32, (outlen + 19) // 20
    res = bytes(m * 20)
    for i in range(n):
        res = bytes(a ^ b for a, b in zip(res, p_sha1(inkey[32 * i:32 * (i + 1)], label, m)))
    return res[:outlen]


def derive(tgk, const, cs_id, csb, rand, n):
    """§4.1.3: PRF(TGK, constant || cs_id || csb_id || RAND); csb is bytes
    (4) or an int."""
    if isinstance(csb, int):
        csb = csb.to_bytes(4, "big")
    return prf(tgk, const.to_bytes(4, "big") + bytes([cs_id]) + csb + rand, n)


TEK, SALT, AUTH = 0x2AD01C64, 0x39A2C14B, 0x1B5C7973
