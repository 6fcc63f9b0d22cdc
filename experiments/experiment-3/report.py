#!/usr/bin/env python3
# Experiment 3's report: reads OUT/index.jsonl and the run records that run.py left, and
# writes OUT/tables.md, the figures (gnuplot: plots/bands.gp, plots/stacked.gp; PNG, SVG and PDF)
# and OUT/report.md with the study's success criteria checked one by one and the verdict by
# the rule in experiments/experiment-3/README.md.
# usage: report.py [--out DIR]
import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ORDER = ["single", "single-threads", "islands", "islands-nomig", "islands-mpi", "islands-by-hand"]
WHAT = {
    "single": "one population of the total size, sequential (the reference)",
    "single-threads": "the same population, each generation spread over 2 threads",
    "islands": "K island processes, migration through files with a barrier",
    "islands-nomig": "K island processes, no migration (--migrants 0)",
    "islands-mpi": "K MPI ranks under mpirun, migrants as MPI messages (barrier)",
    "islands-by-hand": "K separate `evopar run --island-id I`, shared directory, async",
}


# ---- loading ---------------------------------------------------------------------------

def records(path):
    try:
        return [json.loads(line) for line in open(path)]
    except (OSError, ValueError):
        return None


def island_sizes(pop, k):
    return [(i + 1) * pop // k - i * pop // k for i in range(k)]


def one_process(recs):
    """gens (gen, best, mean, ms, shares), summary, migration records, meta of one file."""
    gens = [r for r in recs if r["type"] == "generation"]
    return {"meta": recs[0], "summary": recs[-1], "gens": gens,
            "migrations": [r for r in recs if r["type"] == "migration"]}


def timeline(proc):
    """Seconds from the run's start to the end of each generation: the set-up and the end
    of the run (forks, MPI_Init, the final gather) are charged before generation 0."""
    ms = [g["ms"]["total"] for g in proc["gens"]]
    overhead = max(0.0, proc["summary"]["wall_s"] - sum(ms) / 1e3)
    t, out = overhead, []
    for x in ms:
        t += x / 1e3
        out.append(t)
    return out


def best_so_far(values):
    out, b = [], -math.inf
    for v in values:
        b = max(b, v)
        out.append(b)
    return out


def at_time(times, values, t):
    """The best so far at wall time t (-inf: no generation had ended by then)."""
    best = -math.inf
    for ti, v in zip(times, values):
        if ti > t:
            break
        best = max(best, v)
    return best


def load_run(entry, values):
    """One run as the report needs it, whatever launched it; None if it failed."""
    if any(entry["exit"]):
        return None
    procs = []
    for f in entry["files"]:
        recs = records(f)
        if not recs or recs[-1].get("type") != "summary" or recs[-1].get("status") != "ok":
            return None
        procs.append(one_process(recs))
    pop, gens_n = values["pop"], values["gens"]
    run = dict(entry)
    if len(procs) == 1:
        p = procs[0]
        s = p["summary"]
        run.update(best=[g["best_fitness"] for g in p["gens"]],
                   shares=[g.get("origin_share") for g in p["gens"]],
                   times=timeline(p), wall_s=s["wall_s"], digest=s.get("digest"),
                   final_shares=s.get("origin_share"), distance=s.get("mean_distance"),
                   migrations=p["migrations"], processes_max=s.get("processes_max"),
                   outside_s=s["wall_s"] - sum(g["ms"]["total"] for g in p["gens"]) / 1e3,
                   workers=s.get("workers"), cpu_s=s.get("cpu_s"), meta=p["meta"])
    else:
        # islands started by hand: the population is the union of the islands' records
        sizes = island_sizes(pop, len(procs))
        best = [max(p["gens"][g]["best_fitness"] for p in procs) for g in range(gens_n)]
        shares = [[sum(sizes[i] / pop * procs[i]["gens"][g]["origin_share"][o]
                       for i in range(len(procs))) for o in range(len(procs))]
                  for g in range(gens_n)]
        final = [sum(sizes[i] / pop * procs[i]["summary"]["origin_share"][o]
                     for i in range(len(procs))) for o in range(len(procs))]
        run.update(best=best, shares=shares, times=None, per_island=[
            (timeline(p), [g["best_fitness"] for g in p["gens"]]) for p in procs],
            wall_s=max(p["summary"]["wall_s"] for p in procs), digest=None,
            final_shares=final, distance=None,
            migrations=[m for p in procs for m in p["migrations"]],
            processes_max=None, workers=len(procs),
            outside_s=max(p["summary"]["wall_s"] - sum(g["ms"]["total"] for g in p["gens"]) / 1e3
                          for p in procs),
            cpu_s=sum(p["summary"]["cpu_s"] for p in procs), meta=procs[0]["meta"],
            island_gens=[len(p["gens"]) for p in procs])
    run["bsf"] = best_so_far(run["best"])
    return run


def best_at(run, t):
    if run["times"] is not None:
        return at_time(run["times"], run["best"], t)
    return max(at_time(ts, bs, t) for ts, bs in run["per_island"])


def gens_by(run, t):
    if run["times"] is not None:
        return sum(1 for x in run["times"] if x <= t)
    return statistics.median(sum(1 for x in ts if x <= t) for ts, _ in run["per_island"])


def solve_gen(run, threshold):
    for g, b in enumerate(run["best"]):
        if b >= threshold:
            return g
    return None


def solve_time(run, threshold):
    g = solve_gen(run, threshold)
    if g is None:
        return None
    if run["times"] is not None:
        return run["times"][g]
    # by hand: the first island to reach it, on its own clock
    return min(ts[i] for ts, bs in run["per_island"] for i in range(len(bs)) if bs[i] >= threshold)


# ---- statistics -----------------------------------------------------------------------

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def spread(xs, fmt="%.3f"):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "n/a"
    if min(xs) == max(xs):
        return fmt % xs[0]
    return (fmt + " [" + fmt + "–" + fmt + "]") % (statistics.median(xs), min(xs), max(xs))


def ratio_ci(num, den, n=2000):
    """Ratio of medians and its bootstrap 95% interval (fixed stream: the report repeats)."""
    rng = random.Random(3)
    point = statistics.median(num) / statistics.median(den)
    boot = sorted(statistics.median(rng.choices(num, k=len(num))) /
                  statistics.median(rng.choices(den, k=len(den))) for _ in range(n))
    return point, boot[int(0.025 * n)], boot[int(0.975 * n) - 1]


def fmt_gen(g, gens):
    return "not solved (> %d)" % (gens - 1) if g is None else "%g" % g


# ---- figures ----------------------------------------------------------------------------

def gnuplot(out, script, data, base, names, extra=""):
    """Run plots/SCRIPT on DATA into BASE.png, BASE.svg and BASE.pdf; False (with a note) without gnuplot."""
    args = "plots='%s'; data='%s'; out='%s'; names='%s'; n=%d; %s" % (
        os.path.join(ROOT, "plots"), data, base, " ".join(names), len(names), extra)
    try:
        r = subprocess.run(["gnuplot", "-e", args, os.path.join(ROOT, "plots", script)],
                           stdout=subprocess.DEVNULL, stderr=open(os.path.join(out, "gnuplot.log"), "a"))
    except FileNotFoundError:
        return False
    return r.returncode == 0


def write_bands(path, series):
    """Blocks, one per series, of: x median min max (blank lines between blocks)."""
    with open(path, "w") as f:
        for rows in series:
            for row in rows:
                f.write(" ".join("%.6g" % x for x in row) + "\n")
            f.write("\n\n")


def band_rows(xs, runs, value):
    """Median, min and max over the runs at each x where every run has a value (so the median
    never jumps as runs join: before a run's first generation it has none)."""
    rows = []
    for i, x in enumerate(xs):
        vals = [value(r, i) for r in runs]
        if vals and all(v is not None and v > -math.inf for v in vals):
            rows.append((x, statistics.median(vals), min(vals), max(vals)))
    return rows


def figures(out, by, values, T):
    gens = values["gens"]
    figs = {}
    fit = [v for v in ("single", "islands", "islands-nomig", "islands-by-hand") if by.get(v)]
    write_bands(os.path.join(out, "fitness.dat"), [
        band_rows(range(gens), by[v], lambda r, i: r["best"][i]) for v in fit])
    if gnuplot(out, "bands.gp", os.path.join(out, "fitness.dat"), os.path.join(out, "fitness"), fit,
               "lts='%s'; title='Best fitness of each generation (median over seeds and repetitions; band min–max)'; "
               "xlabel='generation (equal evaluations: pop networks each)'; ylabel='best fitness (share of steps balanced)'; "
               "ymin=0; ymax=1.05" % " ".join(str(ORDER.index(v) + 1) for v in fit)):
        figs["fitness"] = fit
    allv = [v for v in ORDER if by.get(v)]
    tmax = max(r["wall_s"] for v in allv for r in by[v])
    grid = [tmax * i / 200 for i in range(201)]
    write_bands(os.path.join(out, "fitness_time.dat"), [
        band_rows(grid, by[v], lambda r, i: best_at(r, grid[i])) for v in allv])
    if gnuplot(out, "bands.gp", os.path.join(out, "fitness_time.dat"),
               os.path.join(out, "fitness_time"), allv,
               "lts='%s'; title='Best fitness so far against wall time (median; band min–max)'; "
               "xlabel='wall time since the run started (s)'; ylabel='best fitness so far (share of steps balanced)'; "
               "ymin=0; ymax=1.05; vline=%.6g; vlabel='equal wall time T = %.3g s'" % (
                   " ".join(str(ORDER.index(v) + 1) for v in allv), T, T)):
        figs["fitness_time"] = allv
    isl = [v for v in ("islands", "islands-nomig", "islands-by-hand") if by.get(v)]
    write_bands(os.path.join(out, "dominance.dat"), [
        band_rows(range(gens), by[v], lambda r, i: max(r["shares"][i])) for v in isl])
    if gnuplot(out, "bands.gp", os.path.join(out, "dominance.dat"), os.path.join(out, "dominance"), isl,
               "lts='%s'; title='Share of the most common island of origin (median; band min–max)'; "
               "xlabel='generation'; ylabel='largest origin share (1/K: even, 1: one island took over)'; "
               "ymin=0; ymax=1.05; hline=%.6g; hlabel='even: 1/K'" % (
                   " ".join(str(ORDER.index(v) + 1) for v in isl), 1.0 / values["k"])):
        figs["dominance"] = isl
    with open(os.path.join(out, "origins.dat"), "w") as f:
        for v in ("islands", "islands-nomig", "islands-mpi", "islands-by-hand"):
            for r in first_per_seed(by.get(v, [])):
                f.write('"%s s%d" %s\n' % (v, r["seed"], " ".join("%.6g" % x for x in r["final_shares"])))
    if gnuplot(out, "stacked.gp", os.path.join(out, "origins.dat"), os.path.join(out, "origins"),
               ["island-%d" % i for i in range(values["k"])],
               "title='Final population: share of each island of origin (first repetition of each seed)'; "
               "ylabel='share of the final population'; xlabel='variant and seed'"):
        figs["origins"] = True
    return figs


def first_per_seed(runs):
    seen, out = set(), []
    for r in sorted(runs, key=lambda r: (r["seed"], r["rep"])):
        if r["seed"] not in seen:
            seen.add(r["seed"])
            out.append(r)
    return out


# ---- criteria and verdict ---------------------------------------------------------------

def expected_files(values, variant_runs, k):
    gens, every, m = values["gens"], values["every"], values["m"]
    gens_mig = [g for g in range(gens) if m > 0 and (g + 1) % every == 0]
    return sorted("island-%d-gen-%d.mig" % (i, g) for i in range(k) for g in gens_mig)


def criteria(by, entries, values):
    k = values["k"]
    out = []
    isl, hand = by.get("islands", []), by.get("islands-by-hand", [])
    ok1 = bool(isl) and all(r["workers"] == k and (r["processes_max"] or 0) >= k + 1 for r in isl)
    overlap = []
    for e in [e for e in entries if e["variant"] == "islands-by-hand" and not e["warmup"]]:
        overlap.append(not any(e["exit"]) and min(e["ends"]) > e["start"] and
                       e["elapsed_s"] < 0.95 * sum(x - e["start"] for x in e["ends"]))
    ok1h = bool(hand) and all(overlap) and all(g == values["gens"] for r in hand for g in r["island_gens"])
    out.append(("C1", "All islands ran independently",
                "`islands`: every run had %d island processes (summary `workers` %s, sampled processes at most %s, "
                "the main one included); `islands-by-hand`: %d separate `evopar run --island-id` processes, "
                "no coordinator, each ran all %d generations and they ran at the same time (the runs' elapsed "
                "time below the sum of the islands' times) in %d of %d runs" % (
                    k, sorted({r["workers"] for r in isl}), sorted({r["processes_max"] for r in isl}), k,
                    values["gens"], sum(overlap), len(overlap)),
                ok1 and ok1h))
    want = expected_files(values, isl, k)
    files_ok = {}
    for v in ("islands", "islands-by-hand"):
        es = [e for e in entries if e["variant"] == v and not e["warmup"] and not any(e["exit"])]
        files_ok[v] = (sum(e.get("migration_files") == want for e in es), len(es))
    mig_mpi = [len(r["migrations"]) for r in by.get("islands-mpi", [])]
    n_mig = len([g for g in range(values["gens"]) if (g + 1) % values["every"] == 0])
    ok2 = all(a == b and b > 0 for a, b in files_ok.values())
    out.append(("C2", "Periodic migration files appear",
                "every island's file for every migration generation (%d files: %d islands × %d migrations, "
                "`island-I-gen-G.mig`) was in the migration directory in %d of %d `islands` runs and %d of %d "
                "`islands-by-hand` runs; `islands-mpi` sends messages instead of files: %s migration records "
                "per run (%d expected: K × migrations on a ring)" % (
                    len(want), k, n_mig, files_ok["islands"][0], files_ok["islands"][1],
                    files_ok["islands-by-hand"][0], files_ok["islands-by-hand"][1],
                    sorted(set(mig_mpi)), k * n_mig), ok2))
    tops = [max(r["final_shares"]) for r in isl]
    present = [sum(1 for x in r["final_shares"] if x > 0) for r in isl]
    ok3 = bool(tops) and max(tops) < 1.0
    out.append(("C3", "Final population shows genetic diversity (not all from one island)",
                "`islands`: the largest island of origin holds %s of the final population, %s of %d origins "
                "are present (median [min–max] over runs)" % (spread(tops), spread(present, "%g"), k), ok3))
    return out


def verdict(by, T, values, thr_fit):
    """The rule of README.md, step by step; returns (word, lines)."""
    lines = []
    single, isl, thr = by.get("single"), by.get("islands"), by.get("single-threads")
    if not single or not isl or not thr:
        return "NO VERDICT (a variant it needs has no successful run)", lines
    s, lo, hi = ratio_ci([r["wall_s"] for r in single], [r["wall_s"] for r in isl])
    faster = lo > 1
    slower = hi < 1
    lines.append("1. Speed: `islands` takes %.3f s, `single` %.3f s (median wall time): speedup %.2f× "
                 "(bootstrap 95%% %.2f–%.2f): %s." % (
                     med([r["wall_s"] for r in isl]), med([r["wall_s"] for r in single]), s, lo, hi,
                     "faster" if faster else "slower" if slower else "not clearly faster or slower"))
    t, tlo, thi = ratio_ci([r["wall_s"] for r in thr], [r["wall_s"] for r in isl])
    as_fast_as_threads = thi >= 1
    lines.append("2. Against the same population spread over the same cores (`single-threads`, %.3f s): "
                 "`islands`' speedup over it %.2f× (bootstrap 95%% %.2f–%.2f): %s." % (
                     med([r["wall_s"] for r in thr]), t, tlo, thi,
                     "not slower" if as_fast_as_threads else "slower"))
    G = values["gens"]
    gen_to = lambda runs: med([solve_gen(r, thr_fit) if solve_gen(r, thr_fit) is not None else G
                               for r in runs])
    time_to = lambda runs: med([solve_time(r, thr_fit) if solve_time(r, thr_fit) is not None
                                else math.inf for r in runs])
    at_t = lambda runs: med([max(best_at(r, T), 0.0) for r in runs])
    gi, gs = gen_to(isl), gen_to(single)
    if min(gi, gs) < G:
        eq_evals = gi <= gs
        lines.append("3. Equal evaluations: median generations to solve %g (`islands`) vs %g (`single`), "
                     "unsolved counted as %d: %s." % (gi, gs, G, "not worse" if eq_evals else "worse"))
    else:
        qe_i, qe_s = med([r["bsf"][-1] for r in isl]), med([r["bsf"][-1] for r in single])
        eq_evals = qe_i >= qe_s
        lines.append("3. Equal evaluations (neither solves): best fitness so far after %d generations "
                     "%.3f (`islands`) vs %.3f (`single`): %s." % (G, qe_i, qe_s,
                                                                "not worse" if eq_evals else "worse"))
    ti, ts, tt = time_to(isl), time_to(single), time_to(thr)
    if min(ti, ts, tt) < math.inf:
        eq_time = ti <= min(ts, tt)
        lines.append("4. Equal wall time: median time to solve %.3f s (`islands`) vs %.3f s (`single`) and "
                     "%.3f s (`single-threads`), unsolved counted as never: %s (read at T = %.3f s, the "
                     "best fitness so far is %.3f, %.3f and %.3f)." % (
                         ti, ts, tt, "not worse than either" if eq_time else "worse", T,
                         at_t(isl), at_t(single), at_t(thr)))
    else:
        qt_i, qt_s, qt_t = at_t(isl), at_t(single), at_t(thr)
        eq_time = qt_i >= max(qt_s, qt_t)
        lines.append("4. Equal wall time (none solves; T = %.3f s): best fitness so far %.3f (`islands`) vs "
                     "%.3f (`single`) and %.3f (`single-threads`): %s." % (
                         T, qt_i, qt_s, qt_t, "not worse than either" if eq_time else "worse"))
    if faster and as_fast_as_threads and eq_evals and eq_time:
        word = "SUPPORTED"
    elif slower or (not as_fast_as_threads and not eq_time):
        word = "NOT SUPPORTED"
    else:
        word = "INCONCLUSIVE"
    return word, lines


def migration_effect(by, values, thr_fit):
    """What migration itself changed: islands against islands-nomig (not part of the verdict)."""
    a, b = by.get("islands"), by.get("islands-nomig")
    if not a or not b:
        return ""
    g = lambda runs: med([solve_gen(r, thr_fit) if solve_gen(r, thr_fit) is not None else values["gens"]
                          for r in runs])
    return ("Migration's own effect (`islands` against `islands-nomig`, same islands, same seeds): median "
            "generations to solve %g vs %g (unsolved counted as %d); best fitness so far after %d generations "
            "%.3f vs %.3f; largest origin share in the final population %.3f vs %.3f; mean genomic distance "
            "%.3f vs %.3f." % (g(a), g(b), values["gens"], values["gens"],
                               med([r["bsf"][-1] for r in a]), med([r["bsf"][-1] for r in b]),
                               med([max(r["final_shares"]) for r in a]), med([max(r["final_shares"]) for r in b]),
                               med([r["distance"] for r in a]), med([r["distance"] for r in b])))


# ---- the report -------------------------------------------------------------------------

def machine(by):
    r = next(r for v in ORDER for r in by.get(v, []))
    m = r["meta"]
    try:
        mpi = subprocess.run(["mpirun", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        mpi = "mpirun not found"
    blas = m.get("blas", {})
    loads = [r["meta"].get("load_average_1m") for v in ORDER for r in by.get(v, [])]
    busy = med(loads) is not None and med(loads) > (m.get("online_cores") or 1)
    return ("| | |\n| --- | --- |\n| host | %s, %s |\n| CPU | %s, %s online cores |\n| memory | %.1f GiB |\n"
            "| compiler | %s |\n| BLAS | %s |\n| MPI | %s |\n| evopar | %s (%s) |\n"
            "| load average (1 min) as the runs started | %s%s |\n" % (
                m.get("host"), m.get("kernel"), m.get("cpu_model"), m.get("online_cores"),
                m.get("memory_bytes", 0) / 2 ** 30, m.get("compiler"), blas.get("config", "?"), mpi,
                m.get("evopar_version"), m.get("git_commit"), spread(loads, "%.2f"),
                ": **busy**: more runnable work than cores (an islands run's own K + 1 processes included), so the wall times are noisy" if busy else ""))


def tables(by, values, T, thr_fit):
    gens = values["gens"]
    single_wall = [r["wall_s"] for r in by.get("single", [])]
    t = []
    t.append("### Wall time and speedup (equal evaluations: %d networks × %d generations)\n" % (
        values["pop"], gens))
    t.append("| variant | what | runs | wall time (s) | outside generations (s) | command time (s) | CPU s | speedup over `single` (95% CI) |")
    t.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for v in ORDER:
        rs = by.get(v, [])
        if not rs:
            continue
        walls = [r["wall_s"] for r in rs]
        sp = "%.2f× (%.2f–%.2f)" % ratio_ci(single_wall, walls) if single_wall else "n/a"
        t.append("| `%s` | %s | %d | %s | %s | %s | %s | %s |" % (
            v, WHAT[v], len(rs), spread(walls), spread([r["outside_s"] for r in rs]),
            spread([r["elapsed_s"] for r in rs]),
            spread([r["cpu_s"] for r in rs], "%.2f"), sp))
    t.append("\nWall time is the run's own clock (`wall_s`: from before the islands start to the last "
             "record; for `islands-by-hand` the slowest island's); outside generations is the part of it "
             "spent before the first generation and after the last (starting the islands, `MPI_Init`, "
             "the final gather); command time is the whole command as launched (process start, `mpirun` "
             "included); CPU s counts every process of the run. Medians [min–max] over seeds × "
             "repetitions.\n")
    t.append("### Search: equal evaluations and equal wall time (T = %.3f s, the fastest variant's median wall time)\n" % T)
    t.append("| variant | best fitness, last generation | best so far after %d generations | generations to solve (per seed) | solved | best so far at T | generations done by T | time to solve (s) |" % gens)
    t.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for v in ORDER:
        rs = by.get(v, [])
        if not rs:
            continue
        per_seed = ", ".join("s%d: %s" % (r["seed"], fmt_gen(solve_gen(r, thr_fit), gens))
                             for r in first_per_seed(rs))
        solved = sum(solve_gen(r, thr_fit) is not None for r in rs)
        t.append("| `%s` | %s | %s | %s | %d of %d | %s | %s | %s |" % (
            v, spread([r["best"][-1] for r in rs]), spread([r["bsf"][-1] for r in rs]), per_seed,
            solved, len(rs), spread([max(best_at(r, T), 0.0) for r in rs]),
            spread([gens_by(r, T) for r in rs], "%g"), spread([solve_time(r, thr_fit) for r in rs])))
    t.append("\nSolved: the first generation whose best fitness reaches %g (every episode balanced for all "
             "its steps). The best fitness of a generation is noisy (each generation plays new start "
             "states), so the best so far is the steadier measure; at T it is 0 for a run that had not "
             "finished a generation by then.\n" % thr_fit)
    t.append("### Diversity of the final population\n")
    t.append("| variant | largest origin share | origins present (of %d) | mean genomic distance | migration records per run |" % values["k"])
    t.append("| --- | --- | --- | --- | --- |")
    for v in ORDER:
        rs = by.get(v, [])
        if not rs:
            continue
        if rs[0]["final_shares"]:
            top = spread([max(r["final_shares"]) for r in rs])
            pres = spread([sum(1 for x in r["final_shares"] if x > 0) for r in rs], "%g")
        else:
            top = pres = "— (one population)"
        dist = spread([r["distance"] for r in rs]) if rs[0]["distance"] is not None else \
            "n/a (no process holds every island's genomes)"
        t.append("| `%s` | %s | %s | %s | %s |" % (v, top, pres, dist,
                                                    spread([len(r["migrations"]) for r in rs], "%g")))
    t.append("\nGenomic distance: NEAT's compatibility distance (excess + disjoint connection genes over the "
             "larger genome's count, plus the mean weight difference of matching genes), mean over all "
             "pairs of the final population (engine/distance.c). Origin: the island a genome's lineage "
             "started on (a crossover child takes the fitter parent's).\n")
    return "\n".join(t)


def consistency(by):
    """Variants that must evolve the very same population: their digests per seed."""
    lines = []
    for a, b, why in (("single", "single-threads", "within-generation parallelism never changes the result"),
                      ("islands", "islands-mpi", "the MPI form with its barrier is the file form's twin")):
        da = {r["seed"]: r["digest"] for r in by.get(a, [])}
        db = {(r["seed"], r["digest"]) for r in by.get(b, [])}
        if da and db:
            same = all(da.get(s) == d for s, d in db)
            lines.append("- `%s` and `%s` end with %s digest for every seed and repetition (%s)." % (
                a, b, "the same" if same else "DIFFERENT", why))
    return "\n".join(lines)


def study_beside(values, scale):
    k, pop, gens = values["k"], values["pop"], values["gens"]
    return """| | study 001, Experiment 3 | ours (`SCALE=%s`) |
| --- | --- | --- |
| islands | test 1: 5; test 2: 20 | %d (processes, MPI ranks, or processes started by hand) |
| population | test 1: 200, test 2: 250 per island | %d in all, %s per island: the same total as the single population |
| generations | test 1: 50, test 2: 150 | %d |
| migration | every 10 generations the best 5 out, 5 taken at random from the pool in place of the worst | every %d generations the best %d out; taken from island i-1 (ring) in place of the worst |
| transport | a shared directory (`migration_pool/island-I/gen-G/`) | a shared directory (`island-I-gen-G.mig`, written to a temp name and renamed), or MPI messages |
| hyperparameters | different on every island | the same on every island; each island draws its own random streams |
| compared with | nothing stated | one population of the same total size (sequential, and on 2 threads); islands without migration; equal evaluations and equal wall time |
| success criteria | all islands run independently; periodic migration files appear; diversity in the final population | the same three, checked below from the records |
""" % (scale, k, pop, "/".join(str(s) for s in sorted(set(island_sizes(pop, k)))), gens,
       values["every"], values["m"])


def figure_md(figs):
    out = []
    if "fitness" in figs:
        out.append("![best fitness per generation](fitness.png)\n\n*Best fitness of each generation, at equal "
                   "evaluations. `single-threads` evolves exactly `single`'s population and `islands-mpi` "
                   "exactly `islands`' (same digests), so they are left out here.*\n")
    if "fitness_time" in figs:
        out.append("![best fitness against wall time](fitness_time.png)\n\n*Best fitness so far against wall "
                   "time; the dashed line is T, where the equal-wall-time column is read.*\n")
    if "dominance" in figs:
        out.append("![largest origin share](dominance.png)\n\n*How fast one island's lineage takes over: the "
                   "share of the most common origin in each generation.*\n")
    if "origins" in figs:
        out.append("![final origin shares](origins.png)\n\n*Where the final population's genomes started, "
                   "per variant and seed.*\n")
    if not figs:
        out.append("(no figures: gnuplot is missing or failed; see gnuplot.log)\n")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="results/experiment-3")
    args = ap.parse_args()
    lines = [json.loads(l) for l in open(os.path.join(args.out, "index.jsonl"))]
    head = lines[0]
    values, scale = head["values"], head["scale"]
    entries = [l for l in lines if l.get("variant")]
    end = next((l for l in lines if l.get("type") == "end"), {})
    thr_fit = float(head["grid"]["set"].get("solve_threshold", 1.0))
    by, failed = {}, []
    for e in entries:
        if e["warmup"]:
            continue
        r = load_run(e, values)
        if r is None:
            failed.append("%s seed %d rep %d (exit %s)" % (e["variant"], e["seed"], e["rep"], e["exit"]))
        else:
            by.setdefault(e["variant"], []).append(r)
    if not by:
        sys.exit("report.py: no successful run in %s" % args.out)
    T = min(med([r["wall_s"] for r in rs]) for rs in by.values())
    figs = figures(args.out, by, values, T)
    tab = tables(by, values, T, thr_fit)
    crit = criteria(by, entries, values)
    word, steps = verdict(by, T, values, thr_fit)
    with open(os.path.join(args.out, "tables.md"), "w") as f:
        f.write(tab + "\n")
    readme = os.path.join(ROOT, "experiments", "experiment-3", "README.md")
    with open(os.path.join(args.out, "report.md"), "w") as f:
        f.write("# Experiment 3: the island model (`SCALE=%s`)\n\n" % scale)
        f.write("**Hypothesis (study document 001):** independent subpopulations with periodic migration "
                "will scale better.\n\n**Verdict: %s** (rule: `experiments/experiment-3/README.md`; steps "
                "below).\n\n" % word)
        f.write("%d runs (%d seeds × %d repetitions × %d variants after %d warm-up round%s) in %.0f s; "
                "pop %d in all, %d generations, K = %d islands, %d migrants every %d generations.%s\n\n" % (
                    len(entries) - sum(e["warmup"] for e in entries), len(values["seeds"]), head["repeat"],
                    len(head["grid"]["variant"]), head["warmup"], "" if head["warmup"] == 1 else "s",
                    end.get("elapsed_s", 0), values["pop"], values["gens"], values["k"], values["m"],
                    values["every"], ("\n\n**Failed runs (left out):** " + "; ".join(failed)) if failed else ""))
        f.write("## Machine\n\n" + machine(by) + "\n")
        f.write("## The study's plan beside ours\n\n" + study_beside(values, scale) + "\n")
        all_solved = all(solve_gen(r, thr_fit) is not None for rs in by.values() for r in rs)
        f.write("## Results\n\n" + tab + "\n" + consistency(by) + "\n\n")
        if all_solved:
            f.write("Every run of every variant solved the task within the %d generations, so the best "
                    "fitness so far ends at 1 everywhere: search quality is compared by the generations "
                    "and the wall time it took to solve. With %d seeds, a difference of a generation or "
                    "two is within what another seed changes.\n\n" % (values["gens"], len(values["seeds"])))
        f.write("## Figures\n\n" + figure_md(figs) + "\n")
        f.write("## The study's success criteria\n\n| | criterion | evidence | met |\n| --- | --- | --- | --- |\n")
        for cid, what, ev, ok in crit:
            f.write("| %s | %s | %s | %s |\n" % (cid, what, ev, "yes" if ok else "**no**"))
        f.write("\n## Verdict\n\n" + "\n".join(steps) + "\n\n**%s.** %s\n" % (word, rule_text(readme)))
        f.write("\n" + migration_effect(by, values, thr_fit) + "\n")
    print(tab)
    print("\nVerdict: %s" % word)
    for cid, what, _, ok in crit:
        print("%s %s: %s" % (cid, what, "met" if ok else "NOT met"))
    print("report: %s/report.md" % args.out)


def rule_text(readme):
    """The verdict rule as README.md states it, quoted into the report."""
    try:
        text = open(readme).read()
    except OSError:
        return ""
    start = text.find("<!-- rule -->")
    end = text.find("<!-- /rule -->")
    return text[start + len("<!-- rule -->"):end].strip() if 0 <= start < end else ""


if __name__ == "__main__":
    main()
