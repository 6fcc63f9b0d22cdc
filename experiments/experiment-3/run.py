#!/usr/bin/env python3
# Experiment 3's runs: every variant of experiments/experiment-3/grid at one scale, for every
# seed, WARMUP rounds and then REPEAT measured rounds, interleaved (the variants' order turns
# each round, so drift and a busy neighbour hit all alike). Records go under OUT/runs/, one
# line per run in OUT/index.jsonl; report.py turns them into tables, figures and report.md.
# usage: run.py --scale small|medium|production [--out DIR] [--repeat N] [--warmup N]
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_grid(path):
    """The grid file: scales, settings, the common options and the variants, in order."""
    grid = {"scale": {}, "variant": [], "set": {}}
    for line_no, raw in enumerate(open(path), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, _, rest = line.partition(":")
        words = key.split()
        rest = rest.strip()
        if words[0] == "scale":
            grid["scale"][words[1]] = dict(kv.split("=", 1) for kv in rest.split())
        elif words[0] == "variant":
            launcher, _, opts = rest.partition("|")
            grid["variant"].append({"name": words[1], "launcher": launcher.strip(),
                                    "opts": opts.strip()})
        elif len(words) == 1 and rest:
            grid["set"][words[0]] = rest
        else:
            sys.exit("%s:%d: not a grid line: %s" % (path, line_no, raw.rstrip()))
    return grid


def scale_values(grid, name):
    s = grid["scale"][name]
    return {"pop": int(s["pop"]), "gens": int(s["gens"]), "every": int(s["every"]),
            "seeds": [int(x) for x in s["seeds"].split(",")],
            "k": int(grid["set"]["islands"]), "m": int(grid["set"]["migrants"])}


def options(grid, variant, sv, seed):
    fill = dict(sv, seed=seed)
    return (grid["set"]["common"] + " " + variant["opts"]).format(**fill).split()


def mpi_env():
    # as root mpirun wants these; K ranks oversubscribe a small machine, so idle ranks yield
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_mpi_yield_when_idle="1")
    return env


def launch(cmd, out_path, env=None):
    err = open(out_path + ".err", "w")
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env), err


def wait_all(procs, timeout_s):
    """Wait for every (Popen, stderr file); past the timeout they are killed. End times."""
    deadline = time.monotonic() + timeout_s
    ends = []
    for p, err in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        ends.append(time.time())
        err.close()
    return ends


def run_one(args, grid, variant, sv, seed, rep, warmup, base):
    """One run of a variant; returns its index line."""
    opts = options(grid, variant, sv, seed)
    k = sv["k"]
    launcher = variant["launcher"]
    os.makedirs(base, exist_ok=True)
    entry = {"variant": variant["name"], "launcher": launcher, "seed": seed, "rep": rep,
             "warmup": warmup, "options": " ".join(opts), "k": k}
    mig = os.path.join(base, "mig")
    t0, start = time.monotonic(), time.time()
    if launcher == "run":
        out = base + "/run.jsonl"
        extra = ["--migration-dir", mig] if "islands" in opts else []
        procs = [launch([args.evopar, "run", "--quiet"] + opts + extra + ["--out", out], out)]
        files = [out]
    elif launcher == "mpi":
        out = base + "/run.jsonl"
        cmd = ["mpirun", "--oversubscribe", "-np", str(k), args.evopar, "run", "--quiet"]
        procs = [launch(cmd + opts + ["--out", out], out, mpi_env())]
        files = [out]
    elif launcher == "hand":
        files = [base + "/island-%d.jsonl" % i for i in range(k)]
        procs = [launch([args.evopar, "run", "--quiet"] + opts +
                        ["--island-id", str(i), "--migration-dir", mig, "--out", f], f)
                 for i, f in enumerate(files)]
    else:
        sys.exit("grid: unknown launcher %s" % launcher)
    ends = wait_all(procs, float(grid["set"].get("timeout_s", 3600)))
    entry.update(elapsed_s=time.monotonic() - t0, start=start, ends=ends, files=files,
                 exit=[p.returncode for p, _ in procs],
                 migration_dir=mig if os.path.isdir(mig) else None)
    if entry["migration_dir"]:
        entry["migration_files"] = sorted(f for f in os.listdir(mig) if f.endswith(".mig"))
        shutil.rmtree(mig)           # the names are what the criteria need, not the bytes
    return entry


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="small")
    ap.add_argument("--grid", default=os.path.join(HERE, "grid"))
    ap.add_argument("--out", default="results/experiment-3")
    ap.add_argument("--repeat", type=int, default=None)
    ap.add_argument("--warmup", type=int, default=None)
    ap.add_argument("--evopar", default="bin/evopar")
    args = ap.parse_args()
    grid = parse_grid(args.grid)
    if args.scale not in grid["scale"]:
        sys.exit("--scale %s: expected one of %s" % (args.scale, " ".join(grid["scale"])))
    sv = scale_values(grid, args.scale)
    repeat = args.repeat if args.repeat is not None else int(grid["set"]["repeat"])
    warmup = args.warmup if args.warmup is not None else int(grid["set"]["warmup"])
    shutil.rmtree(os.path.join(args.out, "runs"), ignore_errors=True)
    os.makedirs(args.out, exist_ok=True)
    variants = grid["variant"]
    # warm-up rounds run the first seed only; measured rounds every seed
    plan = [(r, True, sv["seeds"][:1]) for r in range(warmup)] + \
           [(r, False, sv["seeds"]) for r in range(repeat)]
    total = sum(len(seeds) * len(variants) for _, _, seeds in plan)
    t_start = time.monotonic()
    done = failed = 0
    with open(os.path.join(args.out, "index.jsonl"), "w") as index:
        index.write(json.dumps({"type": "experiment", "scale": args.scale, "grid": grid,
                                "values": sv, "repeat": repeat, "warmup": warmup,
                                "time": time.time()}) + "\n")
        for round_no, (rep, is_warmup, seeds) in enumerate(plan):
            turn = round_no % len(variants)
            order = variants[turn:] + variants[:turn]
            for seed in seeds:
                for v in order:
                    base = os.path.join(args.out, "runs", v["name"], "%ss%d-r%d" % (
                        "warmup-" if is_warmup else "", seed, rep))
                    e = run_one(args, grid, v, sv, seed, rep, is_warmup, base)
                    index.write(json.dumps(e) + "\n")
                    index.flush()
                    done += 1
                    failed += any(e["exit"])
                    print("experiment-3: %3d/%d %-16s seed %d %s %6.2f s%s" % (
                        done, total, v["name"], seed, "warm-up" if is_warmup else "rep %d" % rep,
                        e["elapsed_s"], "  FAILED %s" % e["exit"] if any(e["exit"]) else ""),
                        flush=True)
        index.write(json.dumps({"type": "end", "elapsed_s": time.monotonic() - t_start,
                                "runs": done, "failed": failed}) + "\n")
    print("experiment-3: %d runs in %.0f s, %d failed" % (done, time.monotonic() - t_start, failed))
    return 3 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
