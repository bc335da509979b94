#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""count-results.py - add up the test counts of every suite into one line.

Reads what `meson test` left in BUILD/meson-logs/testlog.json (one JSON object
per test: name, result, stdout, stderr, command) and BUILD/meson-info/
intro-tests.json (which suite each test belongs to), plus the logs of the
checks that run outside meson (valgrind, bench smoke), and prints a table per
suite and, as its very last line, the grand total as `N passed, N failed`.

How one meson test is counted (in this order):
  1. the last `N passed, N failed` line (python/shell interop tests, fuzz
     targets, wrapper scripts) gives those numbers;
  2. otherwise its Criterion synthesis line(s)
       [====] Synthesis: Tested: T | Passing: P | Failing: F | Crashing: C
     give P passed, F failed (Criterion already counts crashes inside
     Failing: a run with one crash prints Failing: 1 | Crashing: 1);
  3. otherwise the test counts as 1 passed or 1 failed by meson's result.
Then:
  - a test that meson reports as FAIL, TIMEOUT, ERROR, INTERRUPT or
    UNEXPECTEDPASS has at least 1 failed, whatever it printed;
  - a test whose output holds a sanitizer report (`==PID==ERROR: ...Sanitizer`
    or `SUMMARY: ...Sanitizer`) has at least 1 failed: Criterion runs each test
    in a forked worker and ignores LeakSanitizer's exit status there, so a
    leak would otherwise pass unnoticed;
  - a SKIP counts as skipped, neither passed nor failed.

Exit status: 0 when nothing failed and at least one test passed; 1 otherwise.
Standard library only: run it with /usr/bin/python3.
"""

import argparse
import json
import os
import re
import sys

ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CRITERION_RE = re.compile(
    r"Synthesis: Tested: (\d+) \| Passing: (\d+) \| Failing: (\d+) \| Crashing: (\d+)")
# The plain closing line; one word with a colon may stand before it and
# ", N skipped" may follow.
PLAIN_RE = re.compile(
    r"^\s*(?:[\w-]+:\s*)?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$",
    re.MULTILINE)
SANITIZER_RE = re.compile(
    r"(==\d+==ERROR: \w+Sanitizer|^SUMMARY: \w+Sanitizer)", re.MULTILINE)

BAD_RESULTS = {"FAIL", "TIMEOUT", "ERROR", "INTERRUPT", "UNEXPECTEDPASS"}
OK_RESULTS = {"OK", "EXPECTEDFAIL"}


class Row:
    """Counts of one suite."""

    def __init__(self, name):
        self.name = name
        self.tests = 0      # meson tests / logs read
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.notes = []     # names of tests that failed, with why

    def add(self, passed, failed, skipped=0):
        self.passed += passed
        self.failed += failed
        self.skipped += skipped


def clean(text):
    return ANSI_RE.sub("", text or "")


def parse_counts(stdout, stderr):
    """Returns (passed, failed, skipped, how) or None when nothing is found."""
    # A script's own closing line is its verdict, even when it ran Criterion
    # binaries whose synthesis lines are in the same output (the valgrind
    # script does).
    for text in (stdout, stderr):
        plain = PLAIN_RE.findall(text)
        if plain:
            p, f, s = plain[-1]
            return int(p), int(f), int(s or 0), "plain"
    crit = CRITERION_RE.findall(stdout + "\n" + stderr)
    if crit:
        # One synthesis per executable; if a wrapper ran several, add them.
        passed = sum(int(m[1]) for m in crit)
        failed = sum(int(m[2]) for m in crit)
        return passed, failed, 0, "criterion"
    return None


def count_one(row, name, result, stdout, stderr):
    stdout, stderr = clean(stdout), clean(stderr)
    row.tests += 1
    if result == "SKIP":
        row.add(0, 0, 1)
        return
    counts = parse_counts(stdout, stderr)
    if counts is None:
        passed, failed, skipped, how = (1, 0, 0, "exit") if result in OK_RESULTS \
            else (0, 1, 0, "exit")
    else:
        passed, failed, skipped, how = counts
    why = []
    if failed:
        why.append("%d failed (%s)" % (failed, how))
    if result in BAD_RESULTS:
        failed = max(failed, 1)
        why.append("meson result %s" % result)
    if SANITIZER_RE.search(stdout + "\n" + stderr):
        failed = max(failed, 1)
        why.append("sanitizer report in output")
    if passed == 0 and failed == 0 and skipped == 0 and result in OK_RESULTS:
        # A runner that ran nothing but exited 0: tell, but do not count.
        row.notes.append("%s: ran 0 tests" % name)
    row.add(passed, failed, skipped)
    if failed:
        row.notes.append("%s: %s" % (name, "; ".join(why)))


def suite_of(suites, project):
    """First suite name, without the 'project:' prefix meson adds."""
    for s in suites or []:
        if ":" in s:
            proj, _, short = s.partition(":")
            if project is None or proj == project:
                return short
        else:
            return s
    return "(none)"


def read_meson(build, rows, order):
    testlog = os.path.join(build, "meson-logs", "testlog.json")
    intro = os.path.join(build, "meson-info", "intro-tests.json")
    project = None
    suites_by_key = {}
    try:
        with open(os.path.join(build, "meson-info", "intro-projectinfo.json")) as f:
            project = json.load(f).get("descriptive_name")
    except (OSError, ValueError):
        pass
    try:
        with open(intro) as f:
            for t in json.load(f):
                key = (t.get("name"), tuple(t.get("cmd") or [])[:1])
                suites_by_key[key] = t.get("suite")
                suites_by_key.setdefault((t.get("name"), None), t.get("suite"))
    except (OSError, ValueError) as e:
        print("count-results: cannot read %s: %s" % (intro, e), file=sys.stderr)

    if not os.path.exists(testlog):
        row = get_row(rows, order, "meson(%s)" % os.path.basename(build.rstrip("/")))
        row.tests += 1
        row.add(0, 1)
        row.notes.append("no %s: meson test did not run" % testlog)
        return
    found = []
    with open(testlog, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                t = json.loads(line)
            except ValueError:
                row = get_row(rows, order, "meson")
                row.add(0, 1)
                row.notes.append("testlog.json line %d is not JSON" % n)
                continue
            name = t.get("name", "?")
            cmd = tuple(t.get("command") or [])[:1]
            # When a run spans several suites meson logs the pretty name
            # "project:suite1+suite2 / name"; otherwise the bare name.
            if " / " in name:
                prefix, short = name.split(" / ", 1)
                suite = prefix.partition(":")[2].split("+")[0] or "(none)"
            else:
                suites = suites_by_key.get((name, cmd)) or suites_by_key.get((name, None))
                suite = suite_of(suites, project)
            found.append((suite, name, t))
    for suite, name, t in sorted(found, key=lambda x: (x[0], x[1])):
        row = get_row(rows, order, suite)
        count_one(row, name, t.get("result", "ERROR"),
                  t.get("stdout") or "", t.get("stderr") or "")


def read_extra(suite, log, rc, rows, order):
    """A log of a check run outside meson, with its exit status."""
    row = get_row(rows, order, suite)
    try:
        with open(log, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        text = ""
        row.notes.append("cannot read %s: %s" % (log, e))
    result = "OK" if int(rc) == 0 else ("SKIP" if int(rc) == 77 else "FAIL")
    count_one(row, "%s (%s)" % (suite, os.path.basename(log)), result, text, "")


def get_row(rows, order, name):
    if name not in rows:
        rows[name] = Row(name)
        order.append(name)
    return rows[name]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--meson", action="append", default=[], metavar="BUILD_DIR",
                    help="a build dir where `meson test` ran")
    ap.add_argument("--extra", action="append", default=[], nargs=3,
                    metavar=("SUITE", "LOG", "RC"),
                    help="output LOG of a check outside meson that exited RC")
    ap.add_argument("--build-failed", action="append", default=[], metavar="WHAT",
                    help="a build step that failed (counts as 1 failed)")
    ap.add_argument("--note", action="append", default=[],
                    help="a line to print under the table")
    args = ap.parse_args()

    rows, order = {}, []
    for what in args.build_failed:
        row = get_row(rows, order, "build")
        row.tests += 1
        row.add(0, 1)
        row.notes.append("%s failed" % what)
    for build in args.meson:
        read_meson(build, rows, order)
    for suite, log, rc in args.extra:
        read_extra(suite, log, rc, rows, order)

    total = Row("total")
    print("")
    print("%-14s %6s %8s %8s %8s" % ("suite", "runs", "passed", "failed", "skipped"))
    print("-" * 48)
    for name in order:
        r = rows[name]
        print("%-14s %6d %8d %8d %8d" % (name, r.tests, r.passed, r.failed, r.skipped))
        total.tests += r.tests
        total.add(r.passed, r.failed, r.skipped)
    print("-" * 48)
    print("%-14s %6d %8d %8d %8d" % ("total", total.tests, total.passed,
                                      total.failed, total.skipped))
    notes = [n for name in order for n in ("%s: %s" % (name, x) for x in rows[name].notes)]
    notes += args.note
    if notes:
        print("")
        for n in notes:
            print("  " + n)
    if total.passed + total.failed == 0:
        print("")
        print("count-results: no test ran")
    print("")
    sys.stdout.flush()
    # The very last line: the grand total, nothing after it.
    print("%d passed, %d failed" % (total.passed, total.failed))
    return 0 if total.failed == 0 and total.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
