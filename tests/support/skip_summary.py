#!/usr/bin/env python3
"""What the last ctest run skipped, and why: GoogleTest's skips (a test skipped whole) and the
shell suites' `skip:` lines (support/env.sh: a part skipped, or the whole test with exit 77),
grouped by reason. Run by `make check` after ctest. Usage: skip_summary.py BUILD_DIR"""
import collections
import pathlib
import re
import sys

log = pathlib.Path(sys.argv[1]) / "Testing" / "Temporary" / "LastTest.log"
if not log.exists():
    sys.exit(0)

reasons = collections.defaultdict(list)  # reason -> tests
test = None
lines = log.read_text(errors="replace").splitlines()
for i, line in enumerate(lines):
    m = re.match(r"^\d+/\d+ Test: (.+)$", line)
    if m:
        test = m.group(1).split("  # ")[0]  # less GoogleTest's "  # GetParam() = ..."
        continue
    if test is None:
        continue
    m = re.match(r"^(?:skip|SKIP): (.+)$", line)
    if m:
        reasons[m.group(1)].append(test)
    elif re.match(r"^\S+:\d+: Skipped$", line) and i + 1 < len(lines):
        # GoogleTest: the message follows "file:line: Skipped" (empty if none was given).
        reasons[lines[i + 1].strip() or "(no reason given)"].append(test)

if not reasons:
    print("Nothing was skipped.")
    sys.exit(0)
tests = {t for ts in reasons.values() for t in ts}
print(f"Skipped here ({len(tests)} tests, whole or in part), because this machine cannot:")
for reason, ts in sorted(reasons.items(), key=lambda kv: (-len(kv[1]), kv[0])):
    ts = sorted(set(ts))
    names = ", ".join(ts[:4]) + (f" and {len(ts) - 4} more" if len(ts) > 4 else "")
    print(f"  {reason}\n      in {names}")
