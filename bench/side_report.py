#!/usr/bin/env python3
"""bench/run.sh --disk and --rbd: medians of the appliance and of what it is compared with, side by side, and ratios.

Usage: side_report.py disk|rbd RESULTS.tsv
"""
import statistics
import sys
from collections import defaultdict

MODES = {
    # mode: (the appliance's target, [(compared target, its column name)], its name, latency note)
    "disk": ("appliance-direct", [("reflector-aio", "lean AIO reflector"),
                                  ("reflector-aiobatch", "lean AIO reflector, batched submit"),
                                  ("vblade-d", "vblade -d"), ("fio", "fio libaio")], "AoEde (direct = true)",
             "the initiator's, fio's completion latency"),
    "rbd": ("appliance-rbd", [("reflector-rbd", "lean rbd reflector"), ("rbd-bench", "rbd bench")], "AoEde (rbd:)",
            "the initiator's; rbd bench reports none"),
}
mode, path = sys.argv[1], sys.argv[2]
ours, others, our_name, latency_note = MODES[mode]
runs = defaultdict(list)
for line in open(path):
    f = line.rstrip("\n").split("\t")
    if len(f) < 14 or f[5] == "skip":
        continue
    target, pattern, qd = f[0], f[3], int(f[4])
    runs[(pattern, qd, target)].append(dict(iops=float(f[7]), p50=float(f[9]), p99=float(f[10]), cpu=float(f[11]),
                                            re=int(f[12]), err=int(f[13])))

present = {k[2] for k in runs}  # a reflector's column only where it ran
others = [(t, n) for t, n in others if t in present or not t.startswith("reflector")]
names = dict([(ours, our_name)] + others)


def med(k, field):
    v = [r[field] for r in runs.get(k, []) if r[field] == r[field]]
    return statistics.median(v) if v else None


def fmt(x, nd=0):
    return "–" if x is None else f"{x:,.{nd}f}"


def ratio(a, b):
    return "–" if a is None or not b else f"{a / b:.2f}x"


cells = sorted({k[:2] for k in runs}, key=lambda c: (c[0] != "randread", c[1]))
print("| pattern | QD | " + " | ".join(names.values()) + " | "
      + " | ".join(f"AoEde ÷ {n}" for _, n in others) + " |")
print("| --- | --: | " + " | ".join("--:" for _ in range(len(names) + len(others))) + " |")
for p, q in cells:
    a = med((p, q, ours), "iops")
    b = [med((p, q, t), "iops") for t, _ in others]
    print(f"| {p} | {q} | {fmt(a)} | " + " | ".join(fmt(x) for x in b) + " | "
          + " | ".join(ratio(a, x) for x in b) + " |")
print(f"\nIOPS, medians. Per target: p50/p99 latency in µs ({latency_note}), the "
      "target's CPU µs per request, retransmits and errors over all runs:\n")
print("| pattern | QD | target | IOPS | p50 µs | p99 µs | CPU µs/req | retrans | errors | runs |")
print("| --- | --: | --- | --: | --: | --: | --: | --: | --: | --: |")
for p, q in cells:
    for t in names:
        k = (p, q, t)
        if k not in runs:
            continue
        rr = runs[k]
        print(f"| {p} | {q} | {names[t]} | {fmt(med(k, 'iops'))} | {fmt(med(k, 'p50'))} | {fmt(med(k, 'p99'))} | "
              f"{fmt(med(k, 'cpu'), 1)} | {sum(r['re'] for r in rr)} | {sum(r['err'] for r in rr)} | {len(rr)} |")
base, base_name = others[-1]
for t, n in others:
    if t.startswith("reflector"):
        print(f"\nThe bound: the {n} (no checks) ÷ {base_name}, per cell: "
              + ", ".join(f"{p} QD{q} {ratio(med((p, q, t), 'iops'), med((p, q, base), 'iops'))}"
                          for p, q in cells) + ".")
