#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""test_tesla_cli.py - end-to-end tests of "mikey-tool tesla chain|ext|check"
and of "mikey-tool create --tesla-*" (RFC 4442 bootstrap).

Usage: test_tesla_cli.py MIKEY_TOOL SOURCE_ROOT

Expected values come from outside libmikey:
- the key chain and the TESLA extension are recomputed here with Python's
  hmac/hashlib (RFC 4383 §6: K_i = HMAC-SHA1(K_{i+1}, 0x00), K'_i =
  HMAC-SHA1(K_i, 0x01), truncated; §4.1/§4.6: i || K_{i-d} ||
  HMAC-SHA1(K'_i, ROC || packet)); interval i = floor((t - T_0) / T_int)
  with exact rationals;
- the committed vectors tests/vectors/tesla/chain.txt and ext.txt (made by
  make_vectors.py, Python only);
- for create: the commitment in the I-Key and in derive's output must be
  K_0 of the chain recomputed here from the seed.

Prints one line per failed check and, last, exactly "N passed, N failed";
exits non-zero when anything failed.
"""
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import tempfile
from fractions import Fraction

from tally import check, summary

TIMEOUT = 60



def run(args, cwd=None):
    p = subprocess.run([TOOL] + args, capture_output=True, timeout=TIMEOUT, cwd=cwd)
    return p.returncode, p.stdout.decode(), p.stderr.decode("utf-8", "replace")


# ---- TESLA recomputed (RFC 4383 §6, §4.1, §4.6) ----

def chain(seed, n_c, n_p=160, n_f=160):
    keys = [None] * (n_c + 1)
    keys[n_c] = seed
    for i in range(n_c - 1, -1, -1):
        keys[i] = hmac.new(keys[i + 1], b"\x00", hashlib.sha1).digest()[: n_p // 8]
    primes = [hmac.new(k, b"\x01", hashlib.sha1).digest()[: n_f // 8] for k in keys]
    return keys, primes


def interval(t0, t_int_ms, t):
    return int(Fraction(t - t0, 2 ** 32) * 1000 // t_int_ms)


def extension(keys, primes, i, d, n_m, covered):
    mac = hmac.new(primes[i], covered, hashlib.sha1).digest()[: n_m // 8]
    return i.to_bytes(4, "big") + keys[max(i - d, 0)] + mac


def records(path):
    out, cur = [], {}
    for line in open(path):
        line = line.strip()
        if line.startswith("#"):
            continue
        if not line:
            if cur:
                out.append(cur)
            cur = {}
            continue
        k, v = [x.strip() for x in line.split("=", 1)]
        cur[k] = v
    if cur:
        out.append(cur)
    return out


def test_chain():
    seed = bytes(range(20))
    keys, primes = chain(seed, 30)
    rc, out, err = run(["tesla", "chain", "--seed", seed.hex(), "--n-c", "30", "--json"])
    check(rc == 0, "chain --json exit 0: " + err)
    j = json.loads(out)
    check(j["n_c"] == 30 and j["n_p"] == 160 and j["n_f"] == 160, "chain header")
    check([e["i"] for e in j["keys"]] == list(range(31)), "chain lists K_0..K_30")
    check(all(bytes.fromhex(e["k"]) == keys[e["i"]] for e in j["keys"]), "chain K_i = Python F")
    check(all(bytes.fromhex(e["k_prime"]) == primes[e["i"]] for e in j["keys"]), "chain K'_i = Python F'")
    # A window, text output.
    rc, out, err = run(["tesla", "chain", "--seed", seed.hex(), "--n-c", "30", "--from", "7", "--to", "9"])
    check(rc == 0, "chain --from/--to exit 0")
    for i in (7, 8, 9):
        check(re.search(r"^K_%d\s+%s$" % (i, keys[i].hex()), out, re.M) is not None, "text K_%d" % i)
        check(re.search(r"^K'_%d\s+%s$" % (i, primes[i].hex()), out, re.M) is not None, "text K'_%d" % i)
    check("K_6 " not in out and "K_10 " not in out, "chain window bounds")
    # Shorter keys (n_p 128, n_f 96).
    seed16 = bytes(range(100, 116))
    k16, p12 = chain(seed16, 12, 128, 96)
    rc, out, err = run(["tesla", "chain", "--seed", seed16.hex(), "--n-c", "12", "--n-p", "128", "--n-f", "96",
                        "--json"])
    j = json.loads(out) if rc == 0 else {"keys": []}
    check(rc == 0 and len(j["keys"]) == 13, "chain 128/96 exit 0")
    check(all(bytes.fromhex(e["k"]) == k16[e["i"]] and bytes.fromhex(e["k_prime"]) == p12[e["i"]]
              for e in j["keys"]), "chain 128/96 = Python")
    # Committed vectors.
    for rec in records(os.path.join(ROOT, "tests/vectors/tesla/chain.txt")):
        rc, out, err = run(["tesla", "chain", "--seed", rec["seed"], "--n-c", rec["n_c"], "--n-p", rec["n_p"],
                            "--n-f", rec["n_f"], "--json"])
        if not check(rc == 0, "chain vector %s exit 0: %s" % (rec["name"], err)):
            continue
        got = {e["i"]: e for e in json.loads(out)["keys"]}
        for i in range(int(rec["n_c"]) + 1):
            check(got[i]["k"] == rec["K%d" % i], "vector %s K%d" % (rec["name"], i))
            if ("Kp%d" % i) in rec:
                check(got[i]["k_prime"] == rec["Kp%d" % i], "vector %s Kp%d" % (rec["name"], i))
    # Refusals: usage errors, exit 2.
    for args, what in ((["--n-c", "5"], "no seed"), (["--seed", "00" * 19, "--n-c", "5"], "short seed"),
                       (["--seed", seed.hex()], "no n_c"), (["--seed", seed.hex(), "--n-c", "5", "--n-p", "100"],
                                                            "n_p not a multiple of 8"),
                       (["--seed", seed.hex(), "--n-c", "5", "--from", "6"], "from > n_c")):
        rc, out, err = run(["tesla", "chain"] + args)
        check(rc == 2 and "mikey-tool tesla chain" in err, "chain refuses %s (exit %d)" % (what, rc))


def ext_args(rec):
    a = ["tesla", "ext", "--seed", rec["seed"], "--n-c", rec["n_c"], "--n-p", rec["n_p"], "--n-f", rec["n_f"],
         "--n-m", rec["n_m"], "--t0", "0x" + rec["t_0"], "--interval", rec["t_int"], "--delay", rec["d"],
         "--now", "0x" + rec["now"]]
    a += ["--rtcp"] if rec["rtcp"] == "1" else ["--roc", rec["roc"]]
    return a


def test_ext():
    for rec in records(os.path.join(ROOT, "tests/vectors/tesla/ext.txt")):
        rc, out, err = run(ext_args(rec) + ["--json", rec["input"]])
        if not check(rc == 0, "ext vector %s exit 0: %s" % (rec["name"], err)):
            continue
        j = json.loads(out)
        check(j["packet"] == rec["output"], "ext vector %s packet" % rec["name"])
        check(rec["output"] == rec["input"] + j["extension"], "ext vector %s = input || extension" % rec["name"])
        # The same, recomputed here.
        n_p, n_f, n_m, d = int(rec["n_p"]), int(rec["n_f"]), int(rec["n_m"]), int(rec["d"])
        keys, primes = chain(bytes.fromhex(rec["seed"]), int(rec["n_c"]), n_p, n_f)
        i = interval(int(rec["t_0"], 16), int(rec["t_int"]), int(rec["now"], 16))
        pkt = bytes.fromhex(rec["input"])
        covered = pkt[:-4] if rec["rtcp"] == "1" else int(rec["roc"]).to_bytes(4, "big") + pkt
        check(bytes.fromhex(j["extension"]) == extension(keys, primes, i, d, n_m, covered),
              "ext %s = Python i || K_{i-d} || MAC" % rec["name"])
        check(j["i"] == i and j["disclosed_index"] == max(i - d, 0), "ext %s indices" % rec["name"])

    # Text output and refusals.
    rec = records(os.path.join(ROOT, "tests/vectors/tesla/ext.txt"))[0]
    rc, out, err = run(ext_args(rec) + [rec["input"]])
    check(rc == 0 and re.search(r"^packet\s+%s$" % rec["output"], out, re.M) is not None, "ext text packet line")
    before = dict(rec, now=rec["t_0"])  # interval 0: the commitment's
    rc, out, err = run(ext_args(before) + [rec["input"]])
    check(rc == 1 and "interval 0" in err, "ext in interval 0 exit 1 (%d): %s" % (rc, err))
    late = dict(rec, now="%x" % (int(rec["t_0"], 16) + (30 * 100 << 32) // 1000))
    rc, out, err = run(ext_args(late) + [rec["input"]])
    check(rc == 1 and "MIKEY_ERR_STATE" in err, "ext after n_c exit 1")
    rc, out, err = run(ext_args(rec) + ["zz"])
    check(rc == 2, "ext non-hex packet exit 2")
    rc, out, err = run(ext_args(rec))
    check(rc == 2, "ext without packet exit 2")


def test_check():
    seed = bytes.fromhex("000102030405060708090a0b0c0d0e0f10111213")
    n_c, d, t0, t_int = 40, 2, 0xE875470000000000, 100
    keys, primes = chain(seed, n_c)
    pkt = bytes.fromhex("800f1234decafbadcafebabe") + bytes(range(40))
    roc = 3
    i = 5
    sent = t0 + ((i * t_int) << 32) // 1000 + 0x1000  # inside interval 5
    ext = extension(keys, primes, i, d, 80, roc.to_bytes(4, "big") + pkt)
    full = pkt + ext
    # The tool's own ext gives the same bytes.
    rc, out, err = run(["tesla", "ext", "--seed", seed.hex(), "--n-c", str(n_c), "--t0", hex(t0), "--interval",
                        str(t_int), "--delay", str(d), "--now", hex(sent), "--roc", str(roc), "--json", pkt.hex()])
    check(rc == 0 and json.loads(out)["packet"] == full.hex(), "ext = Python for the check packet")

    base = ["tesla", "check", "--n-c", str(n_c), "--t0", hex(t0), "--interval", str(t_int), "--delay", str(d),
            "--commitment", keys[0].hex(), "--roc", str(roc)]

    def chk(extra, packet=full, now=sent + 0x100000):
        b = list(base)
        if "--roc" in extra:  # an option is given once: the override replaces the base's
            k = b.index("--roc")
            del b[k:k + 2]
        rc, out, err = run(b + ["--now", hex(now), "--json"] + extra + [packet.hex()])
        try:
            j = json.loads(out)
        except ValueError:
            j = {}
        return rc, j, err

    rc, j, err = chk([])
    check(rc == 0 and j.get("ok") is True and j.get("key_check") == "verified" and j.get("mac_check") ==
          "not-checked", "check genuine packet: %d %s %s" % (rc, j, err))
    check(j.get("i") == i and j.get("disclosed_index") == i - d and j.get("disclosed_key") == keys[i - d].hex(),
          "check reports i and K_{i-d}")
    rc, j, err = chk(["--key", keys[i].hex()])
    check(rc == 0 and j.get("mac_check") == "verified", "check with K_i: MAC verified (%d %s)" % (rc, j))
    rc, j, err = chk(["--key", keys[i + 1].hex()])
    check(rc == 1 and j.get("reason") == "bad-mac-key", "check with K_{i+1} as --key: rejected (%d %s)" % (rc, j))
    forged = bytearray(full)
    forged[20] ^= 1
    rc, j, err = chk(["--key", keys[i].hex()], bytes(forged))
    check(rc == 1 and j.get("reason") == "forged" and "forged" in err, "altered payload: forged (%d %s)" % (rc, j))
    rc, j, err = chk(["--key", keys[i].hex(), "--roc", str(roc + 1)])
    check(rc == 1 and j.get("reason") == "forged", "wrong ROC: forged (the MAC covers the ROC)")
    # Safety test: at the start of interval i + d the key may be out.
    rc, j, err = chk([], now=t0 + (((i + d) * t_int) << 32) // 1000 + 1)
    check(rc == 1 and j.get("reason") == "unsafe", "arrival in interval i + d: unsafe (%d %s)" % (rc, j))
    # +2: two floored conversions (start of interval, D_t) lose up to 2 ticks
    rc, j, err = chk(["--dt", "100"], now=t0 + (((i + d - 1) * t_int) << 32) // 1000 + 2)
    check(rc == 1 and j.get("reason") == "unsafe", "D_t pushes x to i + d: unsafe")
    rc, j, err = chk([], now=t0 + (((i + d - 1) * t_int) << 32) // 1000 + 2)
    check(rc == 0 and j.get("ok") is True, "the same arrival without D_t: safe")
    rc, j, err = chk([], now=t0 + (((i - 1) * t_int) << 32) // 1000 + 1)
    check(rc == 1 and j.get("reason") == "future", "arrival before interval i: future (%d %s)" % (rc, j))
    # A disclosed key off the chain.
    bad = bytearray(full)
    bad[len(pkt) + 4] ^= 0x80
    rc, j, err = chk([], bytes(bad))
    check(rc == 1 and j.get("reason") == "bad-key", "disclosed key off the chain: bad-key (%d %s)" % (rc, j))
    # K_1 claimed as the commitment at index 0: K_3 does not lead to it.
    rc, out, err = run(base[:10] + ["--commitment", keys[1].hex(), "--roc", str(roc), "--now", hex(sent + 1),
                                    "--json", full.hex()])
    check(rc == 1 and json.loads(out or "{}").get("reason") == "bad-key", "wrong commitment: bad-key")
    # Later commitment: K_3 at index 3 equals the disclosed key.
    rc, j, err = chk(["--commit-index", "3"], now=sent + 1)
    check(rc == 1, "commitment K_0 claimed at index 3: refused")
    rc, out, err = run(base[:10] + ["--commitment", keys[3].hex(), "--commit-index", "3", "--roc", str(roc), "--now",
                                   hex(sent + 1), "--key", keys[i].hex(), "--json", full.hex()])
    j = json.loads(out) if out else {}
    check(rc == 0 and j.get("key_check") == "commitment" and j.get("mac_check") == "verified",
          "commitment K_3 at index 3 (%d %s)" % (rc, j))
    # MKI and tag after the extension.
    rc, j, err = chk(["--trailer", "6"], full + bytes(6))
    check(rc == 0 and j.get("ok") is True, "--trailer cuts MKI and tag")
    rc, j, err = chk([], full[:30])
    check(rc == 1 and j.get("reason") == "malformed", "truncated packet: malformed")
    # Text output.
    rc, out, err = run(base + ["--now", hex(sent + 1), "--key", keys[i].hex(), full.hex()])
    check(rc == 0 and "result: ok" in out and "verified" in out, "check text output")
    # SRTCP from the committed vector.
    rec = [r for r in records(os.path.join(ROOT, "tests/vectors/tesla/ext.txt")) if r["rtcp"] == "1"][0]
    k24, _ = chain(bytes.fromhex(rec["seed"]), int(rec["n_c"]))
    ri = interval(int(rec["t_0"], 16), int(rec["t_int"]), int(rec["now"], 16))
    rc, out, err = run(["tesla", "check", "--rtcp", "--n-c", rec["n_c"], "--t0", "0x" + rec["t_0"], "--interval",
                        rec["t_int"], "--delay", rec["d"], "--commitment", k24[0].hex(), "--now",
                        "0x" + rec["now"], "--key", k24[ri].hex(), "--json", rec["output"]])
    j = json.loads(out) if out else {}
    check(rc == 0 and j.get("mac_check") == "verified", "SRTCP vector checks (%d %s %s)" % (rc, j, err))
    # Usage errors.
    rc, out, err = run(base + ["--now", hex(sent), "--seed", seed.hex(), full.hex()])
    check(rc == 2, "check refuses --seed")
    rc, out, err = run(["tesla", "check", "--n-c", "5", "--now", "0", full.hex()])
    check(rc == 2, "check without --t0/--commitment exit 2")
    rc, out, err = run(["tesla", "nonsense"])
    check(rc == 2, "unknown subcommand exit 2")
    rc, out, err = run(["tesla", "--help"])
    check(rc == 0 and "chain" in out and "check" in out, "tesla --help")


PSK = "000102030405060708090a0b0c0d0e0f10111213"
NOW = "2023-06-01T12:00:00Z"
T0_NTP = 0xE82306C000000000  # 2023-06-01T12:00:00Z


def i_key(decoded):
    m = re.search(r"Type: TESLA I-Key \(2\)\n.*\n\s+Data \(20 bytes\): ([0-9a-f]+)", decoded)
    return m.group(1) if m else None


def test_create(tmp):
    tseed = bytes(range(50, 70))
    keys, _ = chain(tseed, 500)
    topts = ["--tesla-seed", tseed.hex(), "--tesla-t0", NOW, "--tesla-interval", "20", "--tesla-delay", "3",
             "--tesla-chain", "500", "--tesla-mac-len", "96"]
    ipath = os.path.join(tmp, "i.hex")
    state = os.path.join(tmp, "a.st")
    rc, out, err = run(["create", "--mode", "psk", "--psk", PSK, "--now", NOW, "--seed", "5", "--verify",
                        "--state", state, "--out", ipath] + topts)
    if not check(rc == 0, "create --tesla-* exit 0: " + err):
        return
    rc, dec, err = run(["decode", ipath])
    check(rc == 0 and "Prot type: TESLA (1)" in dec, "decode shows the TESLA SP")
    for line in ("Interval duration (in msec): 20 ms", "Key disclosure delay: 3 intervals",
                 "Key chain length (number of intervals): 500 intervals", "Length of TESLA MAC output: 96 bits",
                 "NTP-UTC 0x%016x" % T0_NTP):
        check(line in dec, "decode shows " + line)
    check(i_key(dec) == keys[0].hex(), "decode: I-Key = K_0 recomputed in Python")

    want = {"prf": 0, "n_p": 160, "n_f": 160, "mac": 0, "n_m": 96, "t_0": T0_NTP, "t_int_ms": 20, "d": 3,
            "n_c": 500, "commit_index": 0, "commitment": keys[0].hex()}
    rpath = os.path.join(tmp, "r.hex")
    rc, out, err = run(["respond", "--psk", PSK, "--now", NOW, "--out", rpath, ipath])
    check(rc == 0, "respond exit 0: " + err)
    rc, out, err = run(["derive", "--json", "--psk", PSK, "--now", NOW, ipath])
    j = json.loads(out) if rc == 0 else {"crypto_sessions": [{}]}
    check(rc == 0 and j["crypto_sessions"][0].get("tesla") == want, "derive (responder) TESLA params: %s" %
          j["crypto_sessions"][0].get("tesla"))
    rc, out, err = run(["derive", "--json", "--state", state, "--now", NOW, rpath])
    j2 = json.loads(out) if rc == 0 else {"crypto_sessions": [{}]}
    check(rc == 0 and j2["crypto_sessions"][0].get("tesla") == want, "derive --state TESLA params: " + err)
    check(rc == 0 and j2["crypto_sessions"][0]["master_key"] == j["crypto_sessions"][0]["master_key"],
          "both sides derive the same master key")
    rc, out, err = run(["derive", "--state", state, "--now", NOW, rpath])
    check(rc == 0 and "TESLA (RFC 4442)" in out and keys[0].hex() in out, "derive text shows TESLA")

    # The same offer from --json (members with '_'), byte-identical.
    jpath = os.path.join(tmp, "offer.json")
    with open(jpath, "w") as f:
        json.dump({"mode": "psk", "psk": PSK, "verify": True, "tesla_seed": tseed.hex(), "tesla_t0": NOW,
                   "tesla_interval": 20, "tesla_delay": 3, "tesla_chain": 500, "tesla_mac_len": 96}, f)
    rc, out, err = run(["create", "--json", jpath, "--now", NOW, "--seed", "5"])
    check(rc == 0 and out.strip() == open(ipath).read().strip(), "create --json with tesla_* = command line")

    # No --tesla-seed: drawn, recorded in the state, reruns rebuild it.
    st2 = os.path.join(tmp, "b.st")
    rc, out, err = run(["create", "--mode", "psk", "--psk", PSK, "--now", NOW, "--state", st2, "--tesla-t0", NOW,
                        "--tesla-interval", "20", "--tesla-delay", "2", "--tesla-chain", "50"])
    check(rc == 0, "create without --tesla-seed exit 0: " + err)
    m = re.search(r"^tesla-seed=([0-9a-f]{40})$", open(st2).read(), re.M)
    if check(m is not None, "state records the drawn tesla-seed"):
        k2, _ = chain(bytes.fromhex(m.group(1)), 50)
        rc, out, err = run(["derive", "--json", "--state", st2, "--now", NOW])
        jj = json.loads(out) if rc == 0 else {"crypto_sessions": [{}]}
        check(rc == 0 and jj["crypto_sessions"][0].get("tesla", {}).get("commitment") == k2[0].hex(),
              "derive --state: commitment = K_0 of the recorded seed: " + err)

    # --seed N without --tesla-seed: deterministic, from SHA-256(BE64(N) || "tesla" || BE32(0)).
    outs = []
    for _ in range(2):
        rc, out, err = run(["create", "--mode", "psk", "--psk", PSK, "--now", NOW, "--seed", "9", "--tesla-t0", NOW,
                            "--tesla-interval", "20", "--tesla-delay", "2", "--tesla-chain", "50"])
        outs.append(out)
    check(rc == 0 and outs[0] == outs[1], "--seed without --tesla-seed is reproducible")
    derived = hashlib.sha256((9).to_bytes(8, "big") + b"tesla" + (0).to_bytes(4, "big")).digest()[:20]
    k3, _ = chain(derived, 50)
    p = subprocess.run([TOOL, "decode", "-"], input=outs[0].encode(), capture_output=True, timeout=TIMEOUT)
    check(i_key(p.stdout.decode()) == k3[0].hex(), "--seed: I-Key = K_0 of the documented seed stream")

    # Refusals.
    rc, out, err = run(["create", "--mode", "psk", "--psk", PSK, "--now", NOW, "--tesla-t0", NOW,
                        "--tesla-interval", "20", "--tesla-delay", "2"])
    check(rc == 2 and "--tesla-chain" in err, "create: --tesla-chain missing exit 2")
    rc, out, err = run(["create", "--mode", "psk", "--psk", PSK, "--now", NOW] + topts[:1] + ["00" * 16] + topts[2:])
    check(rc == 2 and "tesla-seed" in err, "create: short --tesla-seed exit 2")
    rc, out, err = run(["create", "--mode", "psk", "--psk", PSK, "--now", NOW] + topts[:-1] + ["84"])
    check(rc == 2, "create: --tesla-mac-len 84 exit 2")


def main():
    global TOOL, ROOT
    if len(sys.argv) != 3:
        print("usage: test_tesla_cli.py MIKEY_TOOL SOURCE_ROOT", file=sys.stderr)
        sys.exit(2)
    TOOL, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    test_chain()
    test_ext()
    test_check()
    with tempfile.TemporaryDirectory() as tmp:
        test_create(tmp)
    sys.exit(summary())


if __name__ == "__main__":
    main()
