#!/usr/bin/env bash
# make experiment-5's pieces: a cut-down run of experiments/experiment-5/run on this machine
# (the CPU half where there is no GPU, said so in the report), evaluate.tsv's GPU columns from
# records that carry a device object, and the rules of `evopar report --verdict`
# (reports/evaluate_verdict.c) on fixtures for every outcome.
. "$(dirname "$0")/lib.sh"

E=experiments/experiment-5
out="$T/e5"
OUT="$out" POPS="100 300" ONE_POPS="100" GENS=2 REPEAT=1 WARMUP=0 TRIAL_POPS="60" TRIALS=1 \
	TRIAL_GENS=2 CONC_TRIALS=2 EVOPAR="$EVOPAR" "$E/run" small >"$T/run.log" 2>&1
rc=$?
check "run exits 0 (got $rc)" [ "$rc" = 0 ]
check "report.md written" [ -s "$out/report.md" ]
check "report.md: a verdict section" grep -q '^## Verdict' "$out/report.md"
check "evaluate.tsv: a row per evaluator and population" [ "$(tail -n +2 "$out/evaluate.tsv" | wc -l)" -ge 6 ]
check "searches.tsv: the trials and the all-core jobs" grep -q 'cpu jobs' "$out/searches.tsv"
if [ "$(cat "$out/gpu-status")" != ran ]; then
	check "no GPU: the report says the GPU half was not run, and why" \
		grep -q 'The GPU half was not run.*--device cuda' "$out/report.md"
	check "no GPU: the GPU rules say NOT RUN" [ "$(grep -c 'NOT RUN' "$out/intro.md")" -ge 4 ]
	check "no GPU: no GPU configuration was run" [ -z "$(grep -l -- '--device cuda' "$out"/*.configs)" ]
fi
check "the run script runs only evopar (no second runner)" sh -c "! grep -q python '$E/run'"
check "report.md: the verdict from evopar report --verdict" grep -q 'reports/evaluate_verdict.c' "$out/report.md"
check "the rates figure's data, one line per population" [ "$(grep -vc '^#' "$out/rates-dynamic.dat")" = 2 ]
check "one core only up to ONE_POPS" [ -z "$(grep 'one core' "$out/evaluate-dynamic-000300.configs")" ]

# evaluate.tsv's GPU columns: the all-core run's records made into a GPU run's
python3 - "$out/evaluate-dynamic-000100.jsonl" "$T/gpu/bench.jsonl" <<'PY'
import json, os, sys
os.makedirs(os.path.dirname(sys.argv[2]))
with open(sys.argv[1]) as f, open(sys.argv[2], "w") as o:
    for line in f:
        r = json.loads(line)
        if r.get("config_label", "").startswith("all"):
            r["config_label"] = "gpu"
            if r["type"] == "meta":
                r["config"]["device"] = "cuda"
            if r["type"] == "generation":
                r["ms"]["evaluate"] = 10.0
                r["device"] = {"pack_ms": 0.5, "h2d_ms": 0.2, "kernel_ms": 8.0, "d2h_ms": 0.3,
                               "unpack_ms": 0.1, "bytes_h2d": 2 * 1048576, "steps": 4e5,
                               "lane_use": 0.5, "scratch_global": False}
        o.write(json.dumps(r) + "\n")
PY
"$EVOPAR" report "$T/gpu" --figures off >/dev/null
check "evaluate.tsv from device records: the split, the share, the kernel's rate" python3 - "$T/gpu/evaluate.tsv" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
h = rows[0]
g = [dict(zip(h, r)) for r in rows[1:] if r[h.index("device")] == "cuda"][0]
assert float(g["evaluate_ms"]) == 10 and float(g["kernel_ms"]) == 8 and float(g["pack_ms"]) == 0.5, g
assert abs(float(g["transfer_share"]) - 0.1) < 1e-9, g
assert abs(float(g["kernel_steps_per_s"]) - 5e7) < 1, g
assert float(g["mib_h2d"]) == 2 and float(g["lane_use"]) == 0.5 and g["scratch_global"] == "no", g
c = [dict(zip(h, r)) for r in rows[1:] if r[h.index("device")] == "cpu"][0]
assert c["pack_ms"] == "-" and c["scratch_global"] == "-", c
PY

# the rules (evopar report --verdict) on fixtures: each rule's every outcome
fixture() {   # DIR GPU/ALL-RATIOS(3 pops) TRIAL_CPU_WALL TRIAL_GPU_WALL T1_WALL T2_WALL SPREAD
	python3 - "$@" <<'PY'
import os, sys
d, ratios, cw, gw, w1, w2, spread = sys.argv[1], [float(x) for x in sys.argv[2].split(",")], *map(float, sys.argv[3:8])
os.makedirs(d, exist_ok=True)
cols = ["file", "label", "mode", "pop", "episodes", "steps", "device", "strategy", "workers", "cores", "reps", "gens"]
stat = ["evaluate_ms", "steps_per_s", "pack_ms", "h2d_ms", "kernel_ms", "d2h_ms", "unpack_ms",
        "transfer_share", "kernel_steps_per_s", "lane_use", "mib_h2d"]
ranged = {"evaluate_ms", "steps_per_s", "kernel_steps_per_s"}
head = cols + sum(([s, s + "_min", s + "_max"] if s in ranged else [s] for s in stat), []) + ["scratch_global", "failed", "steps_per_s_reps"]
# a row's three rounds: base / spread, base, base x spread, in an order that turns from row to
# row, so that the paired ratio of two rows varies by round (by spread squared at most)
turn = [0]
def rounds(base):
    v = [base / spread, base, base * spread]
    k = turn[0] % 3
    turn[0] += 1
    return ",".join(map(str, v[k:] + v[:k]))
def row(mode, pop, dev, strat, rate, share=0.05):
    v = {"file": "f", "label": "x", "mode": mode, "pop": pop, "episodes": 4, "steps": 1000, "device": dev,
         "strategy": strat, "workers": 1, "cores": 16, "reps": 3, "gens": 2}
    for s in stat:
        base = {"steps_per_s": rate, "kernel_steps_per_s": rate * 2, "evaluate_ms": 1e3 / rate,
                "transfer_share": share}.get(s, 0.1) if (dev == "cuda" or s in ("steps_per_s", "evaluate_ms")) else None
        if s in ranged:
            v[s], v[s + "_min"], v[s + "_max"] = (base, base / spread, base * spread) if base else (None,) * 3
        else:
            v[s] = base
    v["scratch_global"], v["failed"] = ("no" if dev == "cuda" else "-"), 0
    v["steps_per_s_reps"] = rounds(rate)
    return "\t".join("-" if v[k] is None else str(v[k]) for k in head)
with open(os.path.join(d, "evaluate.tsv"), "w") as f:
    f.write("\t".join(head) + "\n")
    for mode in ("dynamic", "static"):
        for pop, r in zip((100, 1000, 10000), ratios):
            f.write(row(mode, pop, "cpu", "sequential", 1e6) + "\n")
            f.write(row(mode, pop, "cpu", "threads", 1e7) + "\n")
            f.write(row(mode, pop, "cuda", "threads", 1e7 * r) + "\n")
sh = ["file", "label", "reps", "wall_s", "wall_s_min", "wall_s_max", "user_s", "user_s_min", "user_s_max", "sys_s", "sys_s_min", "sys_s_max", "wall_s_reps"]
with open(os.path.join(d, "searches.tsv"), "w") as f:
    f.write("\t".join(sh) + "\n")
    for label, w in (("trial cpu 500", cw), ("trial gpu 500", gw), ("gpu jobs 1", w1), ("gpu jobs 2", w2),
                     ("gpu jobs 4", w2), ("cpu jobs 16", w1 * 3)):
        f.write("\t".join(map(str, ["f", label, 3, w, w / spread, w * spread, 1, 1, 1, 0, 0, 0, rounds(w)])) + "\n")
open(os.path.join(d, "gpu-status"), "w").write("ran\n")
PY
	"$EVOPAR" report "$1" --verdict "$1/part.md" --trials 4 --shared-trials 16 --figures off
}
says() { grep -qF -- "$2" "$1/part.md"; }
fixture "$T/f1" 0.5,3,20 10 1 4 2 1.05
check "R1 found: between the last slower and the first faster population" says "$T/f1" "(R1): FOUND** — between 100 and 1000 networks"
check "R2 supported: 10x beyond the spread" says "$T/f1" '(R2): SUPPORTED'
check "R3 refuted: two jobs twice one's throughput" says "$T/f1" '(R3): REFUTED'
check "R4: 100x one core met at 10000" grep -q '^| GPU ≥ 100× one core | .* | met |$' "$T/f1/part.md"
fixture "$T/f2" 0.1,0.5,0.9 2 1 4 4 1.02
check "R1 not reached" says "$T/f2" '(R1): NOT REACHED** — not reached up to 10000'
check "R2 refuted: 2x" says "$T/f2" '(R2): REFUTED'
check "R3 supported: a second job adds nothing" says "$T/f2" '(R3): SUPPORTED'
check "R4: above all cores not met" grep -q '^| GPU above all cores | .* | not met |$' "$T/f2/part.md"
fixture "$T/f3" 2,3,4 5.5 1 4 3.8 1.3
check "R1 below the grid" says "$T/f3" '(R1): BELOW THE GRID**'
check "R2 inconclusive: the interval holds 5x" says "$T/f3" '(R2): INCONCLUSIVE'
check "R2 inconclusive: the rounds that would decide it" grep -q '(R2): INCONCLUSIVE.*(3 rounds; about [0-9]* would decide it at this noise)' "$T/f3/part.md"
check "R3 inconclusive" says "$T/f3" '(R3): INCONCLUSIVE'
check "R3 inconclusive: the rounds that would decide it" grep -q '(R3): INCONCLUSIVE.*would decide it' "$T/f3/part.md"
# a column a rule reads, missing: an error naming it, not a verdict
python3 - "$T/f3/evaluate.tsv" "$T/f4/evaluate.tsv" <<'PY'
import os, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
k = rows[0].index("steps_per_s_min")
os.makedirs(os.path.dirname(sys.argv[2]))
with open(sys.argv[2], "w") as f:
    for r in rows:
        f.write("\t".join(r[:k] + r[k + 1:]) + "\n")
PY
"$EVOPAR" report "$T/f4" --verdict "$T/f4/part.md" --figures off 2>"$T/f4.err"
rc=$?
check "missing column: exits 3 (got $rc)" [ "$rc" = 3 ]
check "missing column: the message names it" grep -q "evaluate.tsv: no column 'steps_per_s_min'" "$T/f4.err"
finish
