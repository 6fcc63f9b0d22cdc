#!/usr/bin/env bash
# evopar bench: a calibration record first, configurations interleaved after the warm-ups,
# every run's records tagged, a failed run recorded without stopping the bench, bad input
# refused with exit 2 and one line naming the option.
. "$(dirname "$0")/lib.sh"

W="--pop 20 --gens 3 --steps 50"
"$EVOPAR" bench --common="$W" --config "--strategy sequential" --config "thr: --strategy threads --workers 2" \
	--repeat 2 --warmup 1 --out "$T/b.jsonl" 2>"$T/err"
check "bench exits 0" [ $? = 0 ]
check "bench is silent off a terminal" [ ! -s "$T/err" ]
python3 - "$T/b.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert recs[0]["type"] == "calibration", recs[0]["type"]
floors = recs[0]["floors"]
for k in ("fork_wait", "spawn_true_wait", "thread_create_join", "pipe_round_trip",
          "pipe_round_trip_same_core", "pipe_round_trip_cross_core"):
    f = floors[k]
    assert "skipped" in f or f["min_us"] <= f["median_us"] <= f["max_us"], k
    assert "skipped" in f or f["reps"] >= 20, k
assert recs[1]["type"] == "bench" and len(recs[1]["configs"]) == 2
assert recs[1]["configs"][0]["config_label"] == "sequential"
assert recs[1]["configs"][1]["config_label"] == "thr"
assert recs[-1]["type"] == "bench_end" and recs[-1]["runs"] == 6
# interleaved: warm-up round, then rep 0 of A and B, then rep 1 of A and B
order = [(r["config_id"], r["rep"], r["warmup"]) for r in recs if r["type"] == "meta"]
assert order == [(0, 0, True), (1, 0, True), (0, 0, False), (1, 0, False), (0, 1, False), (1, 1, False)], order
runs = [r for r in recs if r["type"] == "bench_run"]
assert len(runs) == 6 and all(r["status"] == "ok" for r in runs)
gens = [r for r in recs if r["type"] == "generation"]
assert len(gens) == 6 * 3 and all("config_label" in g and "rep" in g for g in gens)
assert sum(r["type"] == "summary" for r in recs) == 6
PY
check "records: calibration, bench, interleaved tagged runs, bench_end" [ $? = 0 ]

# a configuration whose runs fail is recorded; the others still run; exit 3, file complete
"$EVOPAR" bench --common="$W" --config "--strategy sequential" \
	--config "--strategy fork-pool --workers 2 --inject-fault kill:0:mutate:1" \
	--repeat 1 --warmup 0 --out "$T/f.jsonl" 2>"$T/err"
check "a failed run: exit 3" [ $? = 3 ]
check "a failed run: said on stderr" grep -q "1 of 2 runs failed" "$T/err"
check "a failed run: its bench_run says how" jqt -s 'map(select(.type == "bench_run")) as $r
	| ($r | map(select(.config_id == 0))[-1].status) == "ok" and ($r | map(select(.config_id == 1))[-1]
	| .status == "failed" and .exit == 3 and (.error | contains("worker 0")))' "$T/f.jsonl"

# configurations from a file, with a common line and comments
printf '# a comment\ncommon: %s\n\none: --strategy sequential\n--strategy threads --workers 2\n' "$W" >"$T/cfgs"
"$EVOPAR" bench --configs "$T/cfgs" --repeat 1 --warmup 0 --out "$T/c.jsonl" 2>/dev/null
check "--configs FILE: exit 0" [ $? = 0 ]
check "--configs FILE: labels given and derived" jqt -s '.[1].configs | map(.config_label) == ["one", "threads x2"]
	and (.[0].args | startswith("--pop 20"))' "$T/c.jsonl"

# bad input: exit 2, one line that names the option, nothing written
bad_input() {
	local what=$1 name=$2; shift 2
	"$EVOPAR" bench --out "$T/x.jsonl" "$@" >/dev/null 2>"$T/err"
	local rc=$?
	check "$what: exit 2" [ $rc = 2 ]
	check "$what: one line" [ "$(wc -l <"$T/err")" = 1 ]
	check "$what: names $name" grep -q -- "$name" "$T/err"
	check "$what: nothing written" [ ! -e "$T/x.jsonl" ]
}
bad_input "no configuration" "--config"
bad_input "a bad run option" "--pop" --config "--pop x"
bad_input "an unknown run option" "--nope" --config "--nope 3"
bad_input "--out inside a configuration" "--out" --config "--out y"
bad_input "--repeat 0" "--repeat" --config "--strategy sequential" --repeat 0
bad_input "--warmup -1" "--warmup" --config "--strategy sequential" --warmup -1
bad_input "an unknown bench option" "--bogus" --config "--strategy sequential" --bogus
bad_input "a missing --configs file" "--configs" --configs "$T/none"
bad_input "an open quote" "--config 1" --config "--pop '3"
printf 'ok: --strategy sequential\nbad: --workers 0\n' >"$T/badcfg"
bad_input "a bad line in --configs" "line 2" --configs "$T/badcfg"

# a bench killed outright leaves its temp directory locked-free: the next bench tidies it
mkdir -p "$T/tmp"
TMPDIR="$T/tmp" "$EVOPAR" bench --config "--strategy sequential --gens 100000" --repeat 1 --warmup 0 \
	--out "$T/k.jsonl" 2>/dev/null &
kb=$!
for _ in $(seq 100); do ls "$T"/tmp/evopar-bench.* >/dev/null 2>&1 && break; sleep 0.1; done
killed=$(ls -d "$T"/tmp/evopar-bench.* 2>/dev/null)
check "killed bench: it had made its temp directory" [ -n "$killed" ]
kill -KILL $kb; wait $kb 2>/dev/null
check "killed bench: the directory outlives it" [ -d "${killed:-/nonexistent}" ]
TMPDIR="$T/tmp" "$EVOPAR" bench --common="$W" --config "--strategy sequential" --repeat 1 --warmup 0 \
	--out "$T/k2.jsonl" 2>/dev/null
check "the next bench runs" [ $? = 0 ]
check "the next bench removed the killed one's directory" [ ! -e "${killed:-/nonexistent}" ]
check "the next bench left no directory of its own" [ -z "$(ls -A "$T/tmp")" ]
finish
