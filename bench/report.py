#!/usr/bin/env python3
"""Turns bench/run.sh's results.tsv into markdown: medians per cell, ratios, initiator headroom."""
import statistics
import sys
from collections import defaultdict

ORDER = ["appliance-afpacket", "appliance-pcap", "vblade", "reflector-one", "reflector-batch"]
PATTERNS = ["randread", "randwrite", "seqread", "seqwrite"]

runs = defaultdict(list)
skipped = {}
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if len(f) < 7:
        continue
    target, mtu, sectors, pattern, qd = f[0], int(f[1]), int(f[2]), f[3], int(f[4])
    key = (mtu, sectors, pattern, qd, target)
    if f[5] == "skip":
        skipped[key] = f[6]
        continue
    ios, iops, mbps, p50, p99, cpu, re, err = f[6:14]
    sysp = f[14] if len(f) > 14 else "nan"
    runs[key].append(dict(iops=float(iops), mbps=float(mbps), p50=float(p50), p99=float(p99),
                          cpu=float(cpu), re=int(re), err=int(err), sys=float(sysp)))


def med(key, field):
    v = [r[field] for r in runs.get(key, []) if r[field] == r[field]]
    return statistics.median(v) if v else None


def fmt(x, nd=0):
    if x is None:
        return "–"
    return f"{x:,.{nd}f}"


def ratio(a, b, nd=2):
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.{nd}f}"


cells = sorted({k[:4] for k in list(runs) + list(skipped)},
               key=lambda c: (c[0], PATTERNS.index(c[2]) if c[2] in PATTERNS else 9, c[3]))
targets = [t for t in ORDER if any(k[4] == t for k in list(runs) + list(skipped))]

print("## Results (medians)\n")
print("| MTU (sectors) | pattern | QD | target | IOPS | MB/s | p50 µs | p99 µs | CPU µs/req | of it sys | retrans | runs |")
print("| --- | --- | --: | --- | --: | --: | --: | --: | --: | --: | --: | --: |")
for c in cells:
    for t in targets:
        k = c + (t,)
        if k in skipped:
            print(f"| {c[0]} ({c[1]}) | {c[2]} | {c[3]} | {t} | skipped ({skipped[k]}) | | | | | | | |")
            continue
        if k not in runs:
            continue
        rr = runs[k]
        print(f"| {c[0]} ({c[1]}) | {c[2]} | {c[3]} | {t} | {fmt(med(k, 'iops'))} | {fmt(med(k, 'mbps'), 1)} | "
              f"{fmt(med(k, 'p50'))} | {fmt(med(k, 'p99'))} | {fmt(med(k, 'cpu'), 1)} | {fmt(med(k, 'sys')) + '%' if med(k, 'sys') is not None else '–'} | "
              f"{sum(r['re'] for r in rr)} | {len(rr)} |")

A = "appliance-afpacket"
print("\n## Ratios (appliance in its default configuration (afpacket, no transport key) vs the others; IOPS unless named)\n")
print("| MTU | pattern | QD | ÷ vblade | ÷ reflector-one | ÷ reflector-batch | CPU/req ÷ vblade | p99 ÷ vblade | pcap ÷ vblade |")
print("| --- | --- | --: | --: | --: | --: | --: | --: | --: |")
for c in cells:
    a = c + (A,)
    v = c + ("vblade",)
    print(f"| {c[0]} | {c[2]} | {c[3]} | {ratio(med(a, 'iops'), med(v, 'iops'))} | "
          f"{ratio(med(a, 'iops'), med(c + ('reflector-one',), 'iops'))} | "
          f"{ratio(med(a, 'iops'), med(c + ('reflector-batch',), 'iops'))} | "
          f"{ratio(med(a, 'cpu'), med(v, 'cpu'))} | {ratio(med(a, 'p99'), med(v, 'p99'))} | "
          f"{ratio(med(c + ('appliance-pcap',), 'iops'), med(v, 'iops'))} |")

print("\n## Is the initiator the bottleneck?\n")
for mtu in sorted({c[0] for c in cells}):
    best = {}
    for t in targets:
        vals = [(med(k, "iops"), k) for k in runs if k[0] == mtu and k[4] == t]
        vals = [x for x in vals if x[0] is not None]
        if vals:
            best[t] = max(vals)
    if not best:
        continue
    parts = [f"{t} {fmt(v[0])}/s ({v[1][2]} QD{v[1][3]})" for t, v in best.items()]
    print(f"- MTU {mtu}: highest frames/s the initiator completed per target: " + "; ".join(parts) + ".")
    if "reflector-batch" in best:
        rb = best["reflector-batch"][0]
        others = {t: v[0] for t, v in best.items() if t != "reflector-batch"}
        if others:
            top = max(others, key=others.get)
            print(f"  Against the batched reflector the initiator reaches {fmt(rb)} frames/s, "
                  f"{rb / others[top]:.2f}× the best other target ({top}, {fmt(others[top])}/s)"
                  + (": the initiator has headroom over the targets." if rb > others[top] * 1.05
                     else ": close to the targets — at this cell the initiator (or the shared CPUs) may be the limit."))
errors = sum(r["err"] for rr in runs.values() for r in rr)
if errors:
    print(f"\nRequests that failed after all retries: {errors}.")

# The performance goals of the project, checked row by row. The ceiling is what a target
# that does no storage at all (the batched reflector) reaches against vblade on the same machine:
# with initiator and target sharing the CPUs, no target can beat it by much.
V = "vblade"
goals = []
for c in cells:
    a, v, rb = c + (A,), c + (V,), c + ("reflector-batch",)
    if med(a, "iops") is None or med(v, "iops") is None:
        continue
    mtu, _, pattern, qd = c
    if mtu == 1500 and pattern.startswith("rand") and qd == 16:
        r = med(a, "iops") / med(v, "iops")
        ceil = (f"; ceiling here (batched reflector ÷ vblade) {ratio(med(rb, 'iops'), med(v, 'iops'))}x"
                if med(rb, "iops") else "")
        goals.append((f"IOPS ≥ 2× vblade, {pattern} QD16 MTU 1500", r >= 2.0, f"{r:.2f}x{ceil}"))
    if mtu == 9000 and pattern.startswith("seq") and qd == 16:
        r = med(a, "mbps") / med(v, "mbps")
        goals.append((f"MB/s ≥ 1.5× vblade, {pattern} QD16 MTU 9000", r >= 1.5, f"{r:.2f}x"))
    if med(a, "cpu") is not None and med(v, "cpu") is not None:
        r = med(a, "cpu") / med(v, "cpu")
        goals.append((f"CPU µs/request < vblade, {pattern} QD{qd} MTU {mtu}", r < 1.0,
                      f"{med(a, 'cpu'):.1f} vs {med(v, 'cpu'):.1f} µs ({r:.2f}x)"))
    if qd == 1 and med(a, "p99") is not None and med(v, "p99") is not None:
        goals.append((f"p99 ≤ vblade, {pattern} QD1 MTU {mtu}", med(a, "p99") <= med(v, "p99"),
                      f"{med(a, 'p99'):.0f} vs {med(v, 'p99'):.0f} µs"))
if goals:
    print("\n## Goals (issue 5)\n")
    print(f"Met {sum(1 for g in goals if g[1])} of {len(goals)}.\n")
    print("| goal | met | measured |")
    print("| --- | --- | --- |")
    for name, ok, text in goals:
        print(f"| {name} | {'yes' if ok else '**no**'} | {text} |")
