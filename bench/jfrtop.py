#!/usr/bin/env python3
"""Summarizes `jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample FILE`: top frames by thread and overall."""
import re
import sys
from collections import Counter

text = open(sys.argv[1]).read()
top = Counter()
threads = Counter()
frames_aoede = Counter()
total = 0
for ev in re.split(r"\njdk\.(?:ExecutionSample|NativeMethodSample) \{", "\n" + text)[1:]:
    m = re.search(r'sampledThread = "([^"]*)"', ev)
    thread = re.sub(r"\d+", "N", m.group(1)) if m else "?"
    st = re.search(r"stackTrace = \[\n(.*?)\n\s*\]", ev, re.S)
    if not st:
        continue
    lines = [l.strip() for l in st.group(1).split("\n") if l.strip() and l.strip() != "..."]
    if not lines:
        continue
    total += 1
    threads[thread] += 1
    f0 = re.sub(r"\s+line:.*", "", lines[0])
    top[f0] += 1
    for l in lines:
        if "org.aoede" in l:
            frames_aoede[re.sub(r"\s+line:.*", "", l)] += 1
            break
if total == 0:
    print("(no samples)")
    sys.exit(0)
print(f"{total} samples (Java and native-method samples of the appliance's JVM)\n")
print("| thread | share |\n| --- | --: |")
for t, n in threads.most_common(8):
    print(f"| {t} | {100.0 * n / total:.1f}% |")
print("\n| top frame (self) | share |\n| --- | --: |")
for f, n in top.most_common(15):
    print(f"| `{f}` | {100.0 * n / total:.1f}% |")
print("\n| innermost AoEde frame | share |\n| --- | --: |")
for f, n in frames_aoede.most_common(10):
    print(f"| `{f}` | {100.0 * n / total:.1f}% |")
