#!/usr/bin/env python3
"""Experiment 5's tables and verdicts, from evopar report's evaluate.tsv and searches.tsv.

usage: verdict.py DIR CORES GPU_STATUS_FILE > part.md

Every rule reads named columns; "beyond the spread" compares the worst repetition of one side
with the best of the other (min-max over repetitions), as experiments 1-4 do. The rules:

  R1 break-even (per mode): at population P the GPU is faster than all CPU cores beyond the
     spread when ratio_lo(P) = gpu.steps_per_s_min / all.steps_per_s_max > 1, slower beyond
     the spread when ratio_hi(P) = gpu.steps_per_s_max / all.steps_per_s_min < 1. The break-even
     population lies in (P_prev, P*], P* the smallest population from which the GPU is faster
     beyond the spread at every larger one; its point estimate is where the median ratio crosses
     1, interpolated on log scales. Not reached: no such P*. Below the grid: P* is its smallest.
  R2 the study's first criterion, 5-10x per trial: speedup = CPU trial time / GPU trial time (a
     `search` trial, sequential backend, the study's population). SUPPORTED when the speedup's
     low end (cpu.wall_min / gpu.wall_max) >= 5; REFUTED when its high end < 5; else INCONCLUSIVE.
  R3 the study's second, one trial at a time per GPU: throughput T(J) = trials / wall at J jobs
     sharing the GPU. SUPPORTED when T(2)'s best is below RISE x T(1)'s worst (a second trial adds
     less than 10% even at best); REFUTED when T(2)'s worst is above RISE x T(1)'s best; else
     INCONCLUSIVE. The job count where throughput stops rising: the first J whose next level is
     not faster beyond the spread.
  R4 the issue's targets at TARGET_POP dynamic networks: GPU >= 100x one core and > all cores
     (low end of the range above the bar: met; high end below it: not met; else unclear), and
     pack + transfers under 10% of the GPU's evaluate phase (median).
"""
import glob
import json
import math
import os
import sys

PER_TRIAL_BAR = 5.0        # R2
RISE = 1.10                # R3
TARGET_POP = 10000         # R4
ONE_CORE_BAR = 100.0
TRANSFER_BAR = 0.10
# FP64 operations of one step written in engine/step.h: RK4 (4 derivatives x 45, the state
# updates 78), the inputs 6, the force 3; the 16 sin/cos calls are not in it (about 20 each)
FP64_OPS_PER_STEP = 267
TRIG_OPS_PER_STEP = 16 * 20


def load(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        rows = []
        for line in f:
            vals = line.rstrip("\n").split("\t")
            row = {}
            for k, v in zip(head, vals):
                try:
                    row[k] = float(v) if v not in ("-", "") else None
                except ValueError:
                    row[k] = v
            rows.append(row)
    return rows


def num(x, digits=3):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if x == 0:
        return "0"
    mag = math.floor(math.log10(abs(x)))
    if mag >= 6 or mag < -3:
        return "%.*e" % (digits - 1, x)
    return "%.*f" % (max(digits - 1 - mag, 0), x)


def rng(med, lo, hi):
    if med is None:
        return "-"
    return "%s [%s–%s]" % (num(med), num(lo), num(hi))


def pick(rows, mode, pop, kind):
    """kind: one (one core), all (every core), gpu"""
    for r in rows:
        if r.get("mode") != mode or r.get("pop") != pop or not r.get("reps"):
            continue
        dev, strat = r.get("device"), r.get("strategy")
        if kind == "gpu" and dev == "cuda":
            return r
        if kind == "one" and dev == "cpu" and strat == "sequential":
            return r
        if kind == "all" and dev == "cpu" and strat != "sequential":
            return r
    return None


def ratio(a, b, col):
    """a's col over b's, with the range: (median, low end, high end), higher is better"""
    if not a or not b or not b.get(col) or a.get(col) is None:
        return None, None, None
    med = a[col] / b[col]
    lo = a[col + "_min"] / b[col + "_max"] if b.get(col + "_max") else None
    hi = a[col + "_max"] / b[col + "_min"] if b.get(col + "_min") else None
    return med, lo, hi


def word(lo, hi, bar):
    if lo is not None and lo >= bar:
        return "met"
    if hi is not None and hi < bar:
        return "not met"
    return "unclear (the range spans the bar)" if lo is not None else "not measured"


def break_even(rows, mode):
    """R1: (text, outcome) for one mode"""
    pops = sorted({r["pop"] for r in rows if r.get("mode") == mode and pick(rows, mode, r["pop"], "gpu")
                   and pick(rows, mode, r["pop"], "all")})
    if not pops:
        return "not measured (no GPU and all-core pair)", "NOT RUN"
    pts = []
    for p in pops:
        med, lo, hi = ratio(pick(rows, mode, p, "gpu"), pick(rows, mode, p, "all"), "steps_per_s")
        pts.append((p, med, lo, hi))
    star = None
    for i in range(len(pts)):
        if all(q[2] is not None and q[2] > 1 for q in pts[i:]):
            star = i
            break
    est = None
    for (p0, m0, _, _), (p1, m1, _, _) in zip(pts, pts[1:]):
        if m0 and m1 and (m0 - 1) * (m1 - 1) <= 0 and m0 != m1:
            f = (0 - math.log(m0)) / (math.log(m1) - math.log(m0))
            est = math.exp(math.log(p0) + f * (math.log(p1) - math.log(p0)))
    if star is None:
        last = pts[-1]
        return ("not reached up to %d networks (GPU ÷ all cores there %s)" %
                (last[0], rng(last[1], last[2], last[3])), "NOT REACHED")
    if star == 0:
        return ("at or below %d networks, the smallest population run: the GPU is faster beyond the "
                "spread at every population" % pts[0][0], "BELOW THE GRID")
    text = "between %d and %d networks" % (pts[star - 1][0], pts[star][0])
    if est:
        text += " (the median ratio crosses 1 near %d)" % round(est)
    return text, "FOUND"


def eval_table(rows, mode, cores):
    out = ["| population | one core ms/gen | all %d cores ms/gen | GPU ms/gen | one core steps/s | "
           "all cores steps/s | GPU steps/s | all cores ÷ one core | GPU ÷ one core | GPU ÷ all cores |" % cores,
           "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for p in sorted({r["pop"] for r in rows if r.get("mode") == mode}):
        o, a, g = (pick(rows, mode, p, k) for k in ("one", "all", "gpu"))
        cell = lambda r, c: rng(r[c], r[c + "_min"], r[c + "_max"]) if r else "-"
        out.append("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            p, cell(o, "evaluate_ms"), cell(a, "evaluate_ms"), cell(g, "evaluate_ms"),
            cell(o, "steps_per_s"), cell(a, "steps_per_s"), cell(g, "steps_per_s"),
            rng(*ratio(a, o, "steps_per_s")), rng(*ratio(g, o, "steps_per_s")),
            rng(*ratio(g, a, "steps_per_s"))))
    return "\n".join(out)


def split_table(rows, mode, peak_gflops):
    out = ["| population | pack ms | host→device ms | kernel ms | device→host ms | unpack ms | "
           "pack + transfers share | MiB over | kernel steps/s | FP64 share of peak | lane use | scratch in global memory |",
           "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for p in sorted({r["pop"] for r in rows if r.get("mode") == mode}):
        g = pick(rows, mode, p, "gpu")
        if not g:
            continue
        share = "-"
        if peak_gflops and g.get("kernel_steps_per_s"):
            share = "%s (%s with sin/cos)" % (
                num(g["kernel_steps_per_s"] * FP64_OPS_PER_STEP / (peak_gflops * 1e9)),
                num(g["kernel_steps_per_s"] * (FP64_OPS_PER_STEP + TRIG_OPS_PER_STEP) / (peak_gflops * 1e9)))
        out.append("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            p, num(g.get("pack_ms")), num(g.get("h2d_ms")), num(g.get("kernel_ms")), num(g.get("d2h_ms")),
            num(g.get("unpack_ms")), num(g.get("transfer_share")), num(g.get("mib_h2d")),
            rng(g.get("kernel_steps_per_s"), g.get("kernel_steps_per_s_min"), g.get("kernel_steps_per_s_max")),
            share, num(g.get("lane_use")), g.get("scratch_global")))
    return "\n".join(out)


def write_rates(rows, mode, path):
    """the figure's data: population, then median, low, high steps/s of one core, all, GPU"""
    with open(path, "w") as f:
        f.write("# population one one_lo one_hi all all_lo all_hi gpu gpu_lo gpu_hi\n")
        for p in sorted({r["pop"] for r in rows if r.get("mode") == mode}):
            cells = []
            for k in ("one", "all", "gpu"):
                r = pick(rows, mode, p, k)
                for c in ("steps_per_s", "steps_per_s_min", "steps_per_s_max"):
                    cells.append("%.6g" % r[c] if r and r.get(c) is not None else "NaN")
            f.write("%d %s\n" % (p, " ".join(cells)))


def limits(rows, mode, info):
    """what holds the kernel back at the largest population the GPU ran: one sentence"""
    gp = [r for r in rows if r.get("mode") == mode and r.get("device") == "cuda" and r.get("reps")]
    if not gp:
        return None
    g = max(gp, key=lambda r: r["pop"])
    losses = []
    if g.get("lane_use") is not None:
        losses.append((1 - g["lane_use"], "lanes idle in warps waiting for their longest episode "
                       "(divergence of episode lengths): %s of lane-steps" % num(1 - g["lane_use"])))
    if g.get("transfer_share") is not None:
        losses.append((g["transfer_share"], "pack and copies: %s of the evaluate phase" % num(g["transfer_share"])))
    if info and info.get("sms"):
        resident = info["sms"] * 2048.0
        threads = g["pop"] * (g.get("episodes") or 1)
        if threads < resident:
            losses.append((1 - threads / resident, "too few threads to fill the GPU (%d of the %d it holds "
                           "at once): each step's latency is exposed" % (threads, resident)))
    if not losses:
        return None
    losses.sort(reverse=True)
    text = "; ".join(t for _, t in losses)
    return ("At %d %s networks: %s. The largest: %s. Scratch in global memory: %s." %
            (g["pop"], mode, text, losses[0][1].split(":")[0], g.get("scratch_global")))


def search_row(rows, label):
    for r in rows:
        if r.get("label") == label and r.get("reps"):
            return r
    return None


def trial_pops(srows):
    return sorted({int(r["label"].split()[-1]) for r in srows if str(r.get("label", "")).startswith("trial ")})


def per_trial(srows, trials):
    """R2 and the per-trial table: (lines, outcome at the study's population)"""
    out = ["| population | CPU s per trial | GPU s per trial | speedup (CPU ÷ GPU) | CPU-seconds per trial, CPU | on the GPU |",
           "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    outcome, detail = "NOT RUN", "no GPU trial"
    for i, p in enumerate(trial_pops(srows)):
        c, g = search_row(srows, "trial cpu %d" % p), search_row(srows, "trial gpu %d" % p)
        per = lambda r: rng(r["wall_s"] / trials, r["wall_s_min"] / trials, r["wall_s_max"] / trials) if r else "-"
        cpu_s = lambda r: num((r["user_s"] + r["sys_s"]) / trials) if r and r.get("user_s") is not None else "-"
        sp = (None, None, None)
        if c and g:
            sp = (c["wall_s"] / g["wall_s"], c["wall_s_min"] / g["wall_s_max"], c["wall_s_max"] / g["wall_s_min"])
        out.append("| %d | %s | %s | %s | %s | %s |" % (p, per(c), per(g), rng(*sp), cpu_s(c), cpu_s(g)))
        if i == 0 and sp[0] is not None:
            outcome = ("SUPPORTED" if sp[1] >= PER_TRIAL_BAR else "REFUTED" if sp[2] < PER_TRIAL_BAR
                       else "INCONCLUSIVE")
            detail = "%s× [%s–%s] at %d networks" % (num(sp[0]), num(sp[1]), num(sp[2]), p)
    return out, outcome, detail


def concurrency(srows, conc_trials, cores):
    """R3 and the table of trials sharing one GPU"""
    gj = sorted((int(r["label"].split()[2]), r) for r in srows
                if str(r.get("label", "")).startswith("gpu jobs ") and r.get("reps"))
    cpu = search_row(srows, "cpu jobs %d" % cores)
    thr = lambda r, c: conc_trials / r[c] if r and r.get(c) else None
    out = ["| jobs sharing the GPU | trials per s [range] | vs 1 job | CPU-seconds per trial |",
           "| ---: | ---: | ---: | ---: |"]
    for j, r in gj:
        base = gj[0][1]
        out.append("| %d | %s | %s | %s |" % (j, rng(thr(r, "wall_s"), thr(r, "wall_s_max"), thr(r, "wall_s_min")),
                                                num(thr(r, "wall_s") / thr(base, "wall_s")),
                                                num((r["user_s"] + r["sys_s"]) / conc_trials)))
    if cpu:
        out.append("| CPU only, %d jobs on %d cores | %s | - | %s |" % (
            cores, cores, rng(thr(cpu, "wall_s"), thr(cpu, "wall_s_max"), thr(cpu, "wall_s_min")),
            num((cpu["user_s"] + cpu["sys_s"]) / conc_trials)))
    by = dict(gj)
    if 1 not in by or 2 not in by:
        return out, "NOT RUN", "no GPU jobs at 1 and 2", None
    t1_lo, t1_hi = thr(by[1], "wall_s_max"), thr(by[1], "wall_s_min")
    t2_lo, t2_hi = thr(by[2], "wall_s_max"), thr(by[2], "wall_s_min")
    outcome = ("SUPPORTED" if t2_hi < RISE * t1_lo else "REFUTED" if t2_lo > RISE * t1_hi else "INCONCLUSIVE")
    stop = gj[-1][0]
    for (j, r), (_, nxt) in zip(gj, gj[1:]):
        if not thr(nxt, "wall_s_max") > thr(r, "wall_s_min"):
            stop = j
            break
    detail = "2 jobs: %s trials/s against 1 job's %s" % (
        rng(thr(by[2], "wall_s"), t2_lo, t2_hi), rng(thr(by[1], "wall_s"), t1_lo, t1_hi))
    return out, outcome, detail, stop


def device_info(d):
    for path in sorted(glob.glob(os.path.join(d, "*.jsonl"))):
        with open(path) as f:
            for line in f:
                if '"type":"device"' in line:
                    rec = json.loads(line)
                    if rec.get("name"):
                        return rec
    return None


def targets(rows):
    """R4 at TARGET_POP dynamic networks: lines of a table"""
    g, o, a = (pick(rows, "dynamic", TARGET_POP, k) for k in ("gpu", "one", "all"))
    if not g:
        return ["| all | NOT RUN (no GPU run at %d dynamic networks) | - |" % TARGET_POP]
    r1, r2 = ratio(g, o, "steps_per_s"), ratio(g, a, "steps_per_s")
    share = g.get("transfer_share")
    return ["| GPU ≥ %d× one core | %s | %s |" % (ONE_CORE_BAR, rng(*r1), word(r1[1], r1[2], ONE_CORE_BAR)),
            "| GPU above all cores | %s | %s |" % (rng(*r2), word(r2[1], r2[2], 1.0)),
            "| pack + transfers < %d%% of the GPU's evaluate | %s | %s |" % (
                TRANSFER_BAR * 100, num(share), "-" if share is None else "met" if share < TRANSFER_BAR else "not met")]


def gpu_status(ran, info, status, cores):
    if ran and info:
        print("**The GPU:** %s (compute capability %d.%d, %d SMs at %s MHz; FP64 peak %s GFLOP/s by %d FP64 "
              "units per SM, an estimate from the architecture; %s GiB; CUDA runtime %d, driver %d)." % (
                  info["name"], info["cc_major"], info["cc_minor"], info["sms"], num(info["clock_mhz"]),
                  num(info["fp64_peak_gflops"]), info["fp64_units_per_sm"], num(info["mem_gib"]),
                  info["cuda_runtime"], info["cuda_driver"]))
    elif not ran:
        print("**The GPU half was not run.** Here `evopar run --device cuda` says: *%s*. Every GPU column "
              "below is `-` and the rules that need a GPU say NOT RUN; only the CPU half (one core against all "
              "%d cores) was measured. `experiments/experiment-5/device-run.sh` runs the whole experiment on "
              "a machine with an NVIDIA GPU; its records and report, where committed, are under "
              "`experiments/records/experiment-5/`." % (status, cores))
    print()


def verdict(rows, r2, r3, cores):
    """the verdict section: R1-R4's outcomes"""
    be = {m: break_even(rows, m) for m in ("dynamic", "static")}
    (r2, r2_detail), (r3, r3_detail, stop) = r2, r3
    print("## Verdict\n")
    print("By the rules in `experiments/experiment-5/verdict.py` (R1-R4), on %d cores.\n" % cores)
    print("- **Study, \"5-10× speedup per trial\" (R2): %s** (%s)." % (r2, r2_detail))
    print("- **Study, \"still only 1 trial at a time per GPU\" (R3): %s** (%s)%s." % (
        r3, r3_detail, "; throughput stops rising at %d job%s" % (stop, "s" if stop > 1 else "") if stop else ""))
    for m in ("dynamic", "static"):
        print("- **Break-even population, %s networks (R1): %s** — %s." % (m, be[m][1], be[m][0]))
    print("\nThe issue's performance targets at %d dynamic networks (R4):\n" % TARGET_POP)
    print("| target | measured [range] | |\n| --- | ---: | --- |")
    print("\n".join(targets(rows)))
    print()


def evaluate_sections(d, rows, ran, info, cores):
    """per network kind: the figure, the table of the three evaluators, the GPU's split"""
    peak = info.get("fp64_peak_gflops") if info else None
    for m in ("dynamic", "static"):
        print("### Evaluate phase, %s networks\n" % m)
        write_rates(rows, m, os.path.join(d, "rates-%s.dat" % m))
        if os.path.exists(os.path.join(d, "rates-%s.png" % m)):
            print("![steps per second against population, %s](rates-%s.png)\n" % (m, m))
        print("Median per generation [min–max over repetitions], generation 0 left out; steps/s: survived "
              "steps (mean fitness × population × episodes × steps) per second of the evaluate phase. The "
              "GPU runs use every core for the other phases (`--strategy threads`).\n")
        print(eval_table(rows, m, cores) + "\n")
        if not ran:
            continue
        print("The GPU's evaluate phase split (medians): pack on the host, copies and kernel timed by CUDA "
              "events. FP64 share of peak: kernel steps/s × %d FP64 operations per step ÷ the peak (the "
              "kernel is built with `--fmad=false`, so unfused operations reach at most half of an "
              "FMA-counted peak); lane use: lane-steps that did work ÷ lane-steps their warp was busy, the "
              "cost of episodes of unequal length in one warp.\n" % FP64_OPS_PER_STEP)
        print(split_table(rows, m, peak) + "\n")
        lim = limits(rows, m, info)
        if lim:
            print("**What limits it.** " + lim + "\n")


def main():
    d, cores, status_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    conc_trials = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    trials = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    status = open(status_file).read().strip() if os.path.exists(status_file) else "not probed"
    rows, srows = load(os.path.join(d, "evaluate.tsv")), load(os.path.join(d, "searches.tsv"))
    ran, info = status == "ran", device_info(d)
    tr_lines, r2, r2_detail = per_trial(srows, trials)
    cc_lines, r3, r3_detail, stop = concurrency(srows, conc_trials, cores)
    gpu_status(ran, info, status, cores)
    verdict(rows, (r2, r2_detail), (r3, r3_detail, stop), cores)
    evaluate_sections(d, rows, ran, info, cores)
    print("### Trials: one `search` trial on one core against one on the GPU\n")
    print("\n".join(tr_lines) + "\n")
    print("### Trials sharing one GPU (`search --backend threads --jobs J --device cuda`)\n")
    print("\n".join(cc_lines) + "\n")


if __name__ == "__main__":
    main()
