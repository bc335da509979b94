#!/usr/bin/env python3
"""test_argfuzz.py - bad values for every option of every mikey-tool verb.

Usage: test_argfuzz.py MIKEY_TOOL

The options are read from each verb's --help, so a new option is fuzzed
without touching this file. Each option gets each value of BAD_VALUES on
top of a base command line that would otherwise succeed (so the value is
what the tool has to deal with); flags get "--flag=value"; the input
argument gets the file-like values. Every run must:
- exit 1 or 2 (0 only where the value is a legitimate one: may_pass),
  with a message on stderr when it fails, and at most 4 kB of stderr (bad
  values are quoted short);
- produce no sanitizer report;
- finish within PER_RUN_TIMEOUT seconds, and stay within 512 MB
  (ASAN_OPTIONS hard_rss_limit_mb under ASan, RLIMIT_AS otherwise).
Prints one line per failed check, the run count and time, and last
"N passed, N failed".
"""
import concurrent.futures
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

from tally import check, summary

PER_RUN_TIMEOUT = 15
PSK = "00112233445566778899aabbccddeeff"
NOW = "2023-06-01T12:00:00Z"
SEED20 = "11" * 20


def options_of(tool, verb):
    """(name, metavar or None) of every option in "mikey-tool VERB --help"."""
    p = subprocess.run([tool] + verb + ["--help"], capture_output=True, timeout=PER_RUN_TIMEOUT)
    out = []
    for line in p.stdout.decode("ascii", "replace").splitlines():
        m = re.match(r"^\s+(?:-\w, )?--([\w-]+)(?:=(\S+))?\s", line)
        if m and not m.group(1).startswith("help"):
            out.append((m.group(1), m.group(2)))
    return out


def main():
    if len(sys.argv) != 2:
        print("usage: test_argfuzz.py MIKEY_TOOL", file=sys.stderr)
        return 2
    tool = os.path.abspath(sys.argv[1])
    with open(tool, "rb") as f:
        asan = b"__asan_init" in f.read()
    tmp = tempfile.TemporaryDirectory()
    d = tmp.name
    nul = os.path.join(d, "nul.txt")
    with open(nul, "wb") as f:
        f.write(b"0011\x002233")
    msg = os.path.join(d, "msg.hex")
    p = subprocess.run([tool, "create", "--mode", "psk", "--psk", PSK, "--now", NOW, "--seed", "1", "--out", msg],
                       capture_output=True, timeout=PER_RUN_TIMEOUT)
    if p.returncode != 0:
        print("cannot make the base message: " + p.stderr.decode())
        return 1
    bad_values = ["", "-1", "99999999999999999999999", "18446744073709551616", "4294967296", "0x", "zz", "abc",
                  "@" + nul, nul, "/dev/zero", "@/dev/zero", "/", "@/", "/nonexistent/x", "@/nonexistent/x",
                  "2023-02-30T00:00:00Z", "1,,2", "A" * 100000]
    file_values = ["", nul, "/dev/zero", "/", "/nonexistent/x", "A" * 100000]

    peer = ["--psk", PSK, "--now", NOW]
    packet = "80" + "00" * 11 + "00" * 40
    verbs = {
        ("create",): (["--mode", "psk", "--psk", PSK, "--now", NOW, "--seed", "1", "--out", os.devnull], []),
        ("respond",): (peer + ["--out", os.devnull], [msg]),
        ("verify",): (peer, [msg]),
        ("derive",): (peer, [msg]),
        ("decode",): ([], [msg]),
        ("tesla", "chain"): (["--seed", SEED20, "--n-c", "10"], []),
        ("tesla", "ext"): (["--seed", SEED20, "--n-c", "100", "--t0", "0", "--interval", "10", "--delay", "2",
                            "--now", "0x100000000"], [packet]),
        ("tesla", "check"): (["--n-c", "100", "--t0", "0", "--interval", "10", "--delay", "2", "--now", "1",
                              "--commitment", SEED20], [packet]),
    }
    tesla_group = ["--tesla-t0", "0", "--tesla-interval", "10", "--tesla-delay", "2", "--tesla-chain", "100"]
    # A value may be accepted (exit 0) only where it is a legitimate one:
    # free-form identities, files the tool writes, verify's --state (only
    # read for responses), and values that are well-formed for the
    # option's kind (hex for HEX, a number for numbers and times).
    free_text = {"id", "peer-id"}
    numeric = {"N", "BITS", "MS", "D", "SECONDS", "C", "I", "J", "TIME"}

    def may_pass(verb, name, meta, v):
        if name in free_text:
            return True
        if name == "out" or (name == "state" and verb in (("create",), ("verify",))):
            return True
        if meta in ("HEX", "HEX|@FILE") and re.fullmatch(r"([0-9a-fA-F]{2})+", v):
            return True
        if meta in numeric and re.fullmatch(r"[0-9]+", v):
            return True
        return False

    def input_may_pass(verb, v):
        return verb == ("tesla", "ext") and re.fullmatch(r"([0-9a-fA-F]{2})+", v) is not None

    def without(base, name):
        out, i = [], 0
        while i < len(base):
            if base[i] == "--" + name:
                i += 2
                continue
            out.append(base[i])
            i += 1
        return out

    jobs = []
    for verb, (base, pos) in verbs.items():
        opts = options_of(tool, list(verb))
        check(len(opts) > 0, "%s: no options found in --help" % " ".join(verb))
        for name, meta in opts:
            b = without(base, name)
            if name.startswith("tesla-"):
                b = b + without(tesla_group, name)
            if meta is None:
                # decode and tesla use GLib's own flags, which ignore "=value".
                jobs.append((verb, name, "=zz", list(verb) + b + ["--%s=zz" % name] + pos,
                             verb[0] in ("decode", "tesla")))
                continue
            for v in bad_values:
                jobs.append((verb, name, v, list(verb) + b + ["--" + name, v] + pos, may_pass(verb, name, meta, v)))
        if pos:
            for v in file_values:
                jobs.append((verb, "IN", v, list(verb) + base + [v], input_may_pass(verb, v)))

    env = dict(os.environ)
    asan_opts = env.get("ASAN_OPTIONS", "")
    env["ASAN_OPTIONS"] = (asan_opts + ":" if asan_opts else "") + "hard_rss_limit_mb=512:detect_leaks=1"

    def limit():
        if not asan:
            resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20))

    def one(job):
        verb, name, v, args, may_pass = job
        label = "%s --%s %r" % (" ".join(verb), name, v if len(v) < 40 else v[:20] + "...(%d)" % len(v))
        t = time.monotonic()
        try:
            p = subprocess.run([tool] + args, capture_output=True, timeout=PER_RUN_TIMEOUT, env=env,
                               preexec_fn=limit, cwd=d)
        except subprocess.TimeoutExpired:
            return label, None, "", PER_RUN_TIMEOUT, may_pass
        return label, p.returncode, p.stderr.decode("utf-8", "replace"), time.monotonic() - t, may_pass

    start = time.monotonic()
    slowest = (0.0, "")
    workers = max(2, min(8, (os.cpu_count() or 2) * 2))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        for label, rc, err, dt, may_pass in ex.map(one, jobs):
            slowest = max(slowest, (dt, label))
            if rc is None:
                check(False, "%s: no exit within %ds" % (label, PER_RUN_TIMEOUT))
                continue
            sane = "Sanitizer" not in err and "runtime error" not in err and "rss" not in err.lower()
            # A bad value is quoted short: a 100 kB value is never echoed whole.
            ok = sane and len(err) < 4096 and ((rc in (1, 2) and err.strip() != "") or (rc == 0 and may_pass))
            check(ok, "%s: exit %d, stderr %r" % (label, rc, err[:240]))
    print("%d runs in %.1f s (slowest %.1f s: %s)" % (len(jobs), time.monotonic() - start, slowest[0], slowest[1]))
    return summary()


if __name__ == "__main__":
    sys.exit(main())
