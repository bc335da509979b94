#!/usr/bin/env python3
# Independent recomputation of a DH-HMAC (RFC 4650) exchange made by dump.c
# with a counter RNG and a fixed clock: DH values from the RNG bytes with
# Python's pow(), both HMACs with hmac/hashlib and the RFC 3830 §4.1.2 PRF,
# and the TEK/salt of both crypto sessions (§4.1.3). Usage: check.py OUT.txt
import hmac, hashlib
d = {}
keys=[]; salts=[]
import sys
for line in open(sys.argv[1] if len(sys.argv) > 1 else 'out.txt'):
    k, v = line.strip().split('=')
    if k == 'key': keys.append(bytes.fromhex(v))
    elif k == 'salt': salts.append(bytes.fromhex(v))
    else: d[k] = bytes.fromhex(v)
im, rm = d['imsg'], d['rmsg']
p = int("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF", 16)
def rng(c, n):
    out = bytes(((c + i) * 131 + 7) & 0xff for i in range(n)); return out, c + n
# RFC 3830 §4.1.2 PRF with HMAC-SHA-1
def P(s, label, m):
    A = label; out = b''
    for _ in range(m):
        A = hmac.new(s, A, hashlib.sha1).digest()
        out += hmac.new(s, A + label, hashlib.sha1).digest()
    return out
def prf(inkey, label, outlen):
    n = (len(inkey) + 31) // 32
    m = (outlen + 19) // 20
    res = bytes(m * 20)
    for i in range(n):
        s = inkey[32*i:32*(i+1)]
        res = bytes(a ^ b for a, b in zip(res, P(s, label, m)))
    return res[:outlen]
# header: version, data type, next, V|PRF, CSB ID(4), #CS, map type
csb = im[4:8]
assert im[1] == 7 and rm[1] == 8
# initiator RNG: counter from 1; CSB ID 4 bytes, RAND 16, then xi 32 (a 256-bit exponent)
c = 1
b, c = rng(c, 4); assert b == csb, (b.hex(), csb.hex())
rand, c = rng(c, 16)
assert rand in im
x, c = rng(c, 32); xi = int.from_bytes(x, 'big')
dhi = pow(2, xi, p).to_bytes(192, 'big')
assert dhi in im, "DHi = 2^xi mod p from the ctx RNG"
x, _ = rng(1000, 32); xr = int.from_bytes(x, 'big')
dhr = pow(2, xr, p).to_bytes(192, 'big')
assert dhr in rm, "DHr = 2^xr mod p"
assert rm.index(dhr) < rm.index(dhi)
psk = b"0123456789abcdefghij"
auth = prf(psk, bytes.fromhex('2D22AC75') + b'\xff' + csb + rand, 20)
assert hmac.new(auth, im[:-20], hashlib.sha1).digest() == im[-20:], "I_MESSAGE HMAC"
assert hmac.new(auth, rm[:-20], hashlib.sha1).digest() == rm[-20:], "R_MESSAGE HMAC"
tgk = pow(2, xi * xr, p).to_bytes(192, 'big')
for i in range(2):
    lab = lambda const: bytes.fromhex(const) + bytes([i + 1]) + csb + rand
    assert prf(tgk, lab('2AD01C64'), 16) == keys[i], "TEK cs %d" % (i+1)
    assert prf(tgk, lab('39A2C14B'), 14) == salts[i], "salt cs %d" % (i+1)
print("OK: DHi, DHr, both HMACs, TEK and salt of both crypto sessions match an independent Python computation")
print("tek1", keys[0].hex(), "salt1", salts[0].hex())
print("tek2", keys[1].hex(), "salt2", salts[1].hex())
