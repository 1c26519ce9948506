#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Sums up the JUnit files ctest wrote (--output-junit), one per build: what
# ran, what failed, and every skipped test by name with the reason it gave,
# both whole ctest entries (exit 77) and cmocka cases skipped inside a test
# program (a missing corpus file, say).
#   test-summary.py LABEL=FILE...
import re
import sys
import xml.etree.ElementTree as ET


def reason(out):
    for line in (out or "").splitlines():
        if line.startswith("SKIP:"):
            return line[5:].strip()
    return "no reason given"


def main(args):
    total = {"passed": 0, "failed": 0, "skipped": 0}
    for arg in args:
        label, _, path = arg.partition("=")
        try:
            suite = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as e:
            print(f"{label}: no results ({e})")
            total["failed"] += 1
            continue
        passed, failed, skipped, cases = 0, [], [], []
        for case in suite.iter("testcase"):
            name = case.get("name")
            out = case.findtext("system-out")
            if case.find("skipped") is not None or case.get("status") == "notrun":
                skipped.append(f"{name} ({reason(out)})")
            elif case.find("failure") is not None or case.get("status") == "fail":
                failed.append(name)
            else:
                passed += 1
                # cmocka: "[  SKIPPED ] case" lines, the reason on a SKIP: line.
                inner = sorted(set(re.findall(r"^\[  SKIPPED \] (\w+)$", out or "", re.M)))
                for c in inner:
                    cases.append(f"{name}: {c} ({reason(out)})")
        print(f"{label}: {passed} passed, {len(failed)} failed, {len(skipped)} skipped")
        for f in failed:
            print(f"  failed:  {f}")
        for s in skipped:
            print(f"  skipped: {s}")
        for c in cases:
            print(f"  skipped case of a passing test: {c}")
        total["passed"] += passed
        total["failed"] += len(failed)
        total["skipped"] += len(skipped)
    print(f"all builds: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
    return 1 if total["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
