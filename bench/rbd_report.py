#!/usr/bin/env python3
"""bench/run.sh --rbd: medians of the appliance on an RBD image and of rbd bench on the same image, and ratios."""
import statistics
import sys
from collections import defaultdict

NAMES = {"appliance-rbd": "AoEde (rbd:)", "rbd-bench": "rbd bench"}
runs = defaultdict(list)
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if len(f) < 14 or f[5] == "skip":
        continue
    target, pattern, qd = f[0], f[3], int(f[4])
    runs[(pattern, qd, target)].append(dict(iops=float(f[7]), p50=float(f[9]), p99=float(f[10]), cpu=float(f[11]),
                                            re=int(f[12]), err=int(f[13])))


def med(k, field):
    v = [r[field] for r in runs.get(k, []) if r[field] == r[field]]
    return statistics.median(v) if v else None


def fmt(x, nd=0):
    return "–" if x is None else f"{x:,.{nd}f}"


def ratio(a, b):
    return "–" if a is None or not b else f"{a / b:.2f}x"


cells = sorted({k[:2] for k in runs}, key=lambda c: (c[0] != "randread", c[1]))
print("| pattern | QD | AoEde (rbd:) | rbd bench | AoEde ÷ rbd bench |")
print("| --- | --: | --: | --: | --: |")
for p, q in cells:
    a, b = (med((p, q, t), "iops") for t in ("appliance-rbd", "rbd-bench"))
    print(f"| {p} | {q} | {fmt(a)} | {fmt(b)} | {ratio(a, b)} |")
print("\nIOPS, medians. Per target: p50/p99 latency in µs (the initiator's; rbd bench reports none), the "
      "appliance's CPU µs per request, retransmits and errors over all runs:\n")
print("| pattern | QD | target | IOPS | p50 µs | p99 µs | CPU µs/req | retrans | errors | runs |")
print("| --- | --: | --- | --: | --: | --: | --: | --: | --: | --: |")
for p, q in cells:
    for t in ("appliance-rbd", "rbd-bench"):
        k = (p, q, t)
        if k not in runs:
            continue
        rr = runs[k]
        print(f"| {p} | {q} | {NAMES[t]} | {fmt(med(k, 'iops'))} | {fmt(med(k, 'p50'))} | {fmt(med(k, 'p99'))} | "
              f"{fmt(med(k, 'cpu'), 1)} | {sum(r['re'] for r in rr)} | {sum(r['err'] for r in rr)} | {len(rr)} |")
