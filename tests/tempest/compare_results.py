#!/usr/bin/python3
"""Compares a Tempest run (subunit2csv output) with the known failures.

    compare_results.py RESULTS_CSV KNOWN_FAILURES REGEX SUMMARY_OUT

KNOWN_FAILURES lists one test per line: the test id without its [tags], then
" # " and the reason it still fails. Lines that start with # are comments.
Exits 1 when a test fails that is not listed, or a listed test that was run
no longer fails (take it off the list), or nothing ran at all.
"""
import csv
import re
import sys

results_csv, known_path, regex, summary_path = sys.argv[1:5]


def bare(test_id):
    # "tempest.api.x.Y.test_z[id-...,smoke]" -> "tempest.api.x.Y.test_z";
    # "setUpClass (tempest.api.x.Y)" -> "tempest.api.x.Y.setUpClass"
    m = re.match(r"^(setUpClass|tearDownClass) \((.*)\)$", test_id)
    if m:
        return m.group(2) + "." + m.group(1)
    return re.sub(r"\[.*\]$", "", test_id)


known = {}
with open(known_path) as f:
    for number, line in enumerate(f, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        test, sep, reason = line.partition(" # ")
        if not sep or not reason.strip():
            sys.exit(f"{known_path}:{number}: '{line}' has no ' # reason'")
        known[test.strip()] = reason.strip()

status = {}
with open(results_csv, errors="replace") as f:
    for row in csv.DictReader(f):
        status[bare(row["test"])] = row["status"]

passed = sorted(t for t, s in status.items() if s in ("success", "xfail"))
failed = sorted(t for t, s in status.items() if s in ("fail", "failure", "uxsuccess"))
skipped = sorted(t for t, s in status.items() if s == "skip")
pattern = re.compile(regex)
new_failures = [t for t in failed if t not in known]
fixed = [t for t in known if t in status and status[t] not in ("fail", "failure", "uxsuccess")]
in_scope_known = [t for t in known if pattern.search(t)]

lines = [f"tempest: {len(passed)} passed, {len(failed)} failed "
         f"({len(failed) - len(new_failures)} known), {len(skipped)} skipped"]
for t in new_failures:
    lines.append(f"NEW FAILURE: {t}")
for t in fixed:
    lines.append(f"NOW PASSES (take it off {known_path.split('/')[-1]}): {t} [{status[t]}]")
if not status:
    lines.append("NOTHING RAN: see run.err in the workspace")
verdict = 0 if status and not new_failures and not fixed else 1
lines.append("tempest: " + ("as expected" if verdict == 0 else "NOT as expected"))
with open(summary_path, "w") as out:
    out.write("\n".join(lines) + "\n")
    out.write("\nskipped:\n" + "\n".join(skipped) + "\n")
sys.exit(verdict)
