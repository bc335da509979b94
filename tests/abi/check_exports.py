#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""check_exports.py LIBRARY INCLUDE_DIR - libmikey exports its API and nothing else.

Checks, on the built (or installed) shared library and the public headers:

  1. every symbol in the library's dynamic symbol table is a function
     declared with MIKEY_API in a public header (no internal helper, no
     unprefixed name, no data symbol leaks out);
  2. every MIKEY_API function is exported (none is declared but missing);
  3. every exported name starts with `mikey_`;
  4. every MIKEY_API declaration is documented: a comment right above it
     (or above the group of declarations it belongs to) that names it;
  5. mikey/mikey.h, which says it includes everything, includes every
     public header.

Prints one line per problem and a summary; exits 1 on any problem.
"""
import os
import re
import subprocess
import sys

# Symbols the toolchain adds to every shared object.
TOOLCHAIN = {"_init", "_fini", "__bss_start", "_edata", "_end"}
DECL = re.compile(r"^MIKEY_API\b[^(]*?\b(\w+)\s*\(")


def exported(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True, capture_output=True,
                         text=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            syms[parts[2].split("@")[0]] = parts[1]
    return {s: k for s, k in syms.items() if s not in TOOLCHAIN}


def comment_above(lines, i):
    """The text of the comment that documents the declaration at line i:
    walk up over the declaration's group (other declarations, their
    continuation lines, blank-free) to the nearest comment block."""
    j = i - 1
    # Walk up over the other declarations of the same group (they may end
    # in a short trailing comment of their own) to the comment above them.
    while j >= 0 and lines[j].strip() and (lines[j].startswith("MIKEY_API") or lines[j][0] in " \t") \
            and not lines[j].lstrip().startswith(("/*", "*")):
        j -= 1
    if j < 0 or not lines[j].rstrip().endswith("*/"):
        # a one-line trailing comment on the declaration itself
        m = re.search(r"/\*(.*)\*/", lines[i])
        return m.group(1) if m else ""
    end = j
    while j >= 0 and "/*" not in lines[j]:
        j -= 1
    return "\n".join(lines[max(j, 0):end + 1])


def declared(include_dir):
    decls, problems = {}, []
    headers = sorted(f for f in os.listdir(include_dir) if f.endswith(".h"))
    for h in headers:
        path = os.path.join(include_dir, h)
        lines = open(path, encoding="utf-8").read().split("\n")
        for i, line in enumerate(lines):
            m = DECL.match(line)
            if not m:
                continue
            name = m.group(1)
            decls[name] = "%s:%d" % (h, i + 1)
            doc = comment_above(lines, i)
            # The comment names the function, or its group by prefix
            # ("mikey_ctx_set_...") or pattern ("mikey_*_name"), or sits
            # on the declaration itself.
            stem = name.rsplit("_", 1)[0]
            globs = [re.escape(g).replace(r"\*", r"\w+") for g in re.findall(r"mikey_[\w*]*\*[\w*]*", doc)]
            named = name in doc or stem + "_" in doc or any(re.fullmatch(g, name) for g in globs)
            if not doc or not (named or "/*" in line):
                problems.append("%s:%d: %s has no comment that names it" % (h, i + 1, name))
    return headers, decls, problems


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    lib, include_dir = sys.argv[1:]
    exp = exported(lib)
    headers, decls, problems = declared(include_dir)
    for s in sorted(exp):
        if not s.startswith("mikey_"):
            problems.append("%s exports %s, which lacks the mikey_ prefix" % (os.path.basename(lib), s))
        elif s not in decls:
            problems.append("%s exports %s, which no public header declares with MIKEY_API" %
                            (os.path.basename(lib), s))
        elif exp[s] not in "TtWi":
            problems.append("%s exports %s as a %s symbol, not a function" % (os.path.basename(lib), s, exp[s]))
    for s in sorted(set(decls) - set(exp)):
        problems.append("%s (%s) is declared MIKEY_API but not exported" % (s, decls[s]))
    umbrella = open(os.path.join(include_dir, "mikey.h"), encoding="utf-8").read()
    for h in headers:
        if h != "mikey.h" and '#include "mikey/%s"' % h not in umbrella:
            problems.append("mikey/mikey.h does not include mikey/%s" % h)
    for p in problems:
        print("exports: " + p)
    print("exports: %d exported, %d declared with MIKEY_API in %d headers, %d problem(s)" %
          (len(exp), len(decls), len(headers), len(problems)))
    ok = not problems and exp
    print("%d passed, %d failed" % (1 if ok else 0, 0 if ok else 1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
