# SPDX-License-Identifier: LGPL-2.1-or-later
"""tally.py - the pass/fail count every tests/tool script keeps: check()
prints a line for each failed check; summary() prints the closing
"N passed, N failed" line scripts/count-results.py reads, and returns the
exit status (1 when anything failed)."""

passed = 0
failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)
    return cond


def summary():
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0
