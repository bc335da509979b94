#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""check_layers.py ARCHIVE LAYERS_TXT - libmikey's call graph goes one way.

Reads the compiled objects of libmikey (the internal static archive, the
same objects the shared library is linked from) with `nm`, and checks, on
what the code really calls or takes the address of rather than on what it
includes:

  1. every reference from a file in layer A to a symbol defined in layer B
     has B at or below A in libmikey/src/layers.txt (nothing calls back up);
  2. the file-level graph has no cycle except the two listed in
     ALLOWED_CYCLES below (the grammar's recursion, the lazy self test);
  3. only crypto/ references OpenSSL, and only srtp/ references libsrtp2.

Prints one line per violation and a summary; exits 1 on any violation.
"""
import re
import subprocess
import sys
from collections import defaultdict

# The two cycles that are the design, not an accident:
# - the MIKEY grammar: a KEMAC holds a payload chain (RFC 3830 §6.2), so the
#   chain walker and the KEMAC parser recurse through each other;
# - the crypto self test: every crypto entry point runs the known-answer
#   test of every algorithm once before its first use (selftest.c), and
#   the test calls those algorithms (libsrtp's crypto kernel does the same).
ALLOWED_CYCLES = [{"codec/payload_chain.c", "codec/kemac.c"}, {"crypto/openssl.c", "crypto/selftest.c"}]

OPENSSL = re.compile(r"^(EVP_|OPENSSL_|RAND_|X509|PEM_|BIO_|ERR_|CRYPTO_|OSSL_|RSA_|BN_|DH_|d2i_|i2d_|ASN1_|"
                     r"GENERAL_NAME|OBJ_|OPENSSL_sk_|EC_|ECDSA_|PKCS|HMAC|SHA1|SHA256|MD5|AES_)")
LIBSRTP = re.compile(r"^srtp_")


def read_layers(path):
    layers = []
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#"):
            layers.append(line.split()[0])
    return {name: rank for rank, name in enumerate(layers)}


def member_file(member, layers):
    """src_codec_msg_memory.c.o -> codec/msg_memory.c"""
    member = member.rsplit("/", 1)[-1]
    m = re.match(r"^src_([a-z]+)_(.+)\.o$", member)
    if not m or m.group(1) not in layers:
        return None
    return m.group(1) + "/" + m.group(2)


def scan(archive, layers):
    out = subprocess.run(["nm", "-A", archive], check=True, capture_output=True, text=True).stdout
    defined, undefined = {}, defaultdict(set)
    unknown = set()
    for line in out.splitlines():
        # archive:member:  U symbol   or   archive:member:0000 T symbol
        m = re.match(r"^[^:]+:([^:]+):\s*(?:[0-9a-fA-F]+)?\s+([A-Za-z])\s+(\S+)$", line)
        if not m:
            continue
        member, kind, sym = m.groups()
        f = member_file(member, layers)
        if f is None:
            unknown.add(member)
            continue
        if kind == "U":
            undefined[f].add(sym)
        elif kind.isupper() or kind in "tdrb":
            if kind.isupper():
                defined[sym] = f
    return defined, undefined, unknown


def sccs(graph):
    """Tarjan's strongly connected components (iterative enough for ~100 nodes)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            out.append(comp)

    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    archive, layers_txt = sys.argv[1:]
    layers = read_layers(layers_txt)
    defined, undefined, unknown = scan(archive, layers)
    bad = []
    if unknown:
        bad.append("objects outside the layers of %s: %s" % (layers_txt, ", ".join(sorted(unknown))))
    if not defined:
        bad.append("no symbols read from %s" % archive)

    graph = defaultdict(set)
    edges = 0
    for f, syms in sorted(undefined.items()):
        layer = f.split("/")[0]
        for s in sorted(syms):
            if s in defined:
                g = defined[s]
                if g == f:
                    continue
                graph[f].add(g)
                edges += 1
                target = g.split("/")[0]
                if layers[target] > layers[layer]:
                    bad.append("%s (%s) calls up into %s (%s): %s" % (f, layer, g, target, s))
            elif OPENSSL.match(s) and layer != "crypto":
                bad.append("%s uses OpenSSL (%s) outside crypto/" % (f, s))
            elif LIBSRTP.match(s) and layer != "srtp":
                bad.append("%s uses libsrtp2 (%s) outside srtp/" % (f, s))
        graph.setdefault(f, set())

    for comp in sccs(graph):
        if len(comp) > 1 and comp not in ALLOWED_CYCLES:
            bad.append("cycle between files: %s" % " <-> ".join(sorted(comp)))

    for b in bad:
        print("layering: " + b)
    files = len(set(defined.values()) | set(undefined))
    print("layering: %d files in %d layers, %d cross-file references, %d violation(s)" %
          (files, len(layers), edges, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
