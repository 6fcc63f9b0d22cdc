#!/usr/bin/env python3
# What the instruments cost: a sequential production-scale run (pop 500, pole) with the
# sampler and counters on (the defaults) and off (--sample-ms 0 --counters off), in
# interleaved pairs whose order alternates (on off, off on, ...) so drift hits both alike.
# Prints each run, the ratio of medians (on / off) with a bootstrap 95% interval and the
# range of the per-pair ratios, for the summary's wall_s, the whole process's wall time, and
# the run's CPU seconds with and without the sampler's own (steadier on a shared machine).
# usage: experiments/instruments_overhead.py [--pairs N] [--gens G] [--evopar PATH] [--out DIR]
import argparse, json, os, random, statistics, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--pairs", type=int, default=6)
ap.add_argument("--gens", type=int, default=120)
ap.add_argument("--pop", type=int, default=500)
ap.add_argument("--evopar", default="bin/evopar")
ap.add_argument("--out", default=None, help="keep the run records here")
a = ap.parse_args()
out = a.out or tempfile.mkdtemp(prefix="overhead.")
os.makedirs(out, exist_ok=True)
MODES = {"on": [], "off": ["--sample-ms", "0", "--counters", "off"]}
res = {"on": [], "off": []}
proc = {"on": [], "off": []}
cpu = {"on": [], "off": []}
work = {"on": [], "off": []}
for i in range(a.pairs):
    for mode in (("on", "off") if i % 2 == 0 else ("off", "on")):
        path = os.path.join(out, "%s-%d.jsonl" % (mode, i))
        t = time.monotonic()
        subprocess.run([a.evopar, "run", "--quiet", "--pop", str(a.pop), "--gens", str(a.gens),
                        "--seed", "1", "--out", path] + MODES[mode], check=True)
        elapsed = time.monotonic() - t
        s = [json.loads(l) for l in open(path)][-1]
        res[mode].append(s["wall_s"])
        proc[mode].append(elapsed)
        cpu[mode].append(s["cpu_s"])
        work[mode].append(s["cpu_s"] - (s["sampler"]["cpu_s"] if s.get("sampler") else 0.0))
        extra = ""
        if s.get("sampler"):
            extra = "  sampler %d samples, %.3f s cpu (%.2f%% of wall)" % (
                s["sampler"]["samples"], s["sampler"]["cpu_s"], 100 * s["sampler"]["cpu_share"])
        print("pair %d %-3s wall_s %.3f  process %.3f s%s" % (i, mode, s["wall_s"], elapsed, extra),
              flush=True)

def report(name, d):
    on, off = d["on"], d["off"]
    ratio = statistics.median(on) / statistics.median(off)
    pairs = [x / y for x, y in zip(on, off)]
    rng = random.Random(1)
    boot = sorted(statistics.median(rng.choices(on, k=len(on))) /
                  statistics.median(rng.choices(off, k=len(off))) for _ in range(2000))
    cv = lambda x: statistics.stdev(x) / statistics.mean(x) * 100
    print("%s: median on %.3f s (cv %.1f%%), off %.3f s (cv %.1f%%); ratio of medians %.4f "
          "(bootstrap 95%% %.4f-%.4f), per-pair ratios %.4f-%.4f (median %.4f)" % (
              name, statistics.median(on), cv(on), statistics.median(off), cv(off), ratio,
              boot[50], boot[1949], min(pairs), max(pairs), statistics.median(pairs)))

report("summary wall_s", res)
report("whole process", proc)
report("run cpu_s", cpu)
report("run cpu_s less the sampler's", work)
print("records in", out)
