#!/usr/bin/env bash
# evopar bench: a calibration record first, configurations interleaved after the warm-ups,
# every run's records tagged, a failed run recorded without stopping the bench, bad input
# refused with exit 2 and one line naming the option.
. "$(dirname "$0")/lib.sh"

W="--pop 20 --gens 3 --steps 50"
"$EVOPAR" bench --common="$W" --config "--strategy sequential" --config "thr: --strategy threads --workers 2" \
	--repeat 2 --warmup 1 --out "$T/b.jsonl" 2>"$T/err"
check "bench exits 0" [ $? = 0 ]
check "bench off a terminal: only its summary line on stderr" \
	sh -c '[ "$(wc -l <"$1")" = 1 ] && grep -q "^evopar bench: ok in .*; 6 of 6 runs of 2 configurations, 0 failed; records in " "$1"' _ "$T/err"
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
assert recs[-1]["rounds"] == 2 and recs[-1]["stopped"] == "repeat", recs[-1]
# rounds: the warm-up round, then rep 0 of A and B, then rep 1, each round in its recorded order
rounds = [r for r in recs if r["type"] == "bench_round"]
assert [(r["round"], r["rep"], r["warmup"]) for r in rounds] == [(0, 0, True), (1, 0, False), (2, 1, False)], rounds
assert all(sorted(r["order"]) == [0, 1] for r in rounds), rounds
expect = [(i, r["rep"], r["warmup"]) for r in rounds for i in r["order"]]
order = [(r["config_id"], r["rep"], r["warmup"]) for r in recs if r["type"] == "meta"]
assert order == expect, (order, expect)
assert recs[1]["round_order"] == "shuffled" and recs[1]["order_seed"] == 42, recs[1]
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

# the order: seeded (the same --order-seed, the same orders), shuffled (over 12 rounds of 3
# configurations not every round runs them in the order given), and the A/A control (--aa)
Q="--pop 10 --gens 2 --steps 10 --sample-ms 0"
for k in 1 2; do
	"$EVOPAR" bench --common="$Q" --config "--strategy sequential" --config "--strategy threads --workers 2" \
		--config "--strategy threads --workers 1" --aa --order-seed 7 --repeat 12 --warmup 0 \
		--out "$T/o$k.jsonl" 2>/dev/null
	check "--aa --order-seed: exit 0 ($k)" [ $? = 0 ]
done
jq_ok() { jq -e "$@" >/dev/null; }
orders() { jq -c 'select(.type == "bench_round") | .order' "$1"; }
check "--order-seed: the same seed, the same orders" [ "$(orders "$T/o1.jsonl")" = "$(orders "$T/o2.jsonl")" ]
check "the order is shuffled: some round differs from the order given" \
	sh -c '[ "$(jq -c "select(.type == \"bench_round\") | .order" "$1" | sort -u | wc -l)" -gt 1 ]' sh "$T/o1.jsonl"
check "each round runs every configuration once" \
	jq_ok -s '[.[] | select(.type == "bench_round") | (.order | sort) == [0, 1, 2, 3]] | all and length == 12' "$T/o1.jsonl"
check "--aa: the control is the sequential configuration again, marked" jq_ok -s \
	'.[1].aa == true and (.[1].configs[3] | .config_label == "sequential A/A" and .aa_control == true and .control_of == 0 and .strategy == "sequential")' "$T/o1.jsonl"
check "--aa: the control ran every round" \
	[ "$(jq -c 'select(.type == "bench_run" and .config_id == 3)' "$T/o1.jsonl" | wc -l)" = 12 ]
mkdir -p "$T/aa" && cp "$T/o1.jsonl" "$T/aa/"
"$EVOPAR" report "$T/aa" --figures off >/dev/null 2>&1
check "--aa: the report prints the null band" grep -q '^A/A control (sequential A/A, .*Differences inside \[.*\] are noise at this load' "$T/aa/tables.md"
check "the report gives the paired intervals and their resamples" grep -q 'rounds as pairs.*2000 resamples' "$T/aa/tables.md"
check "the report says the order was shuffled" grep -q 'shuffled afresh (order seed 7' "$T/aa/tables.md"
check "--aa without a sequential configuration: exit 2" \
	sh -c '"$1" bench --config "--strategy threads --workers 2" --aa --out "$2" 2>/dev/null; [ $? = 2 ]' sh "$EVOPAR" "$T/x.jsonl"

# adaptive rounds: --ci-width wide enough stops at once after --repeat; one too narrow to meet adds
# rounds until the time is spent; both say which happened, on stderr and in bench_end
# (a workload of a few ms a generation, so that no load makes a ratio's interval span 20x)
"$EVOPAR" bench --common="--pop 40 --gens 3 --steps 300 --sample-ms 0" --config "--strategy sequential" \
	--config "--strategy threads --workers 2" --repeat 3 --warmup 0 --ci-width 10 --out "$T/w.jsonl" 2>"$T/err"
check "--ci-width: exit 0" [ $? = 0 ]
check "--ci-width met: bench_end says so" jq_ok 'select(.type == "bench_end") | .stopped == "ci-width" and .rounds == 3' "$T/w.jsonl"
check "--ci-width met: stderr says so" grep -q "interval within ±1000.0% after 3 rounds" "$T/err"
"$EVOPAR" bench --common="$Q" --config "--strategy sequential" --config "--strategy threads --workers 2" \
	--repeat 2 --warmup 0 --ci-width 0.000001 --max-time 3 --out "$T/m.jsonl" 2>"$T/err"
check "--max-time: exit 0" [ $? = 0 ]
# (how many rounds fit in 3 s is the machine's to decide: at least --repeat)
check "--max-time: bench_end says time ran out, before the interval was narrow enough" \
	jq_ok 'select(.type == "bench_end") | .stopped == "max-time" and .rounds >= 2 and .widest_config == "threads x2"' "$T/m.jsonl"
check "--max-time: the rounds recorded are the rounds bench_end counts" \
	jq_ok -s '([.[] | select(.type == "bench_round")] | length) == (.[-1].rounds)' "$T/m.jsonl"
check "--max-time: rounds stay whole" jq_ok -s \
	'([.[] | select(.type == "bench_run")] | length) == ([.[] | select(.type == "bench_round")] | length) * 2' "$T/m.jsonl"
check "--max-time: stderr says time ran out" grep -q -- "--max-time 3 s ran out after" "$T/err"
bad_input "--ci-width -1" "--ci-width" --config "--strategy sequential" --ci-width -1
bad_input "--max-time x" "--max-time" --config "--strategy sequential" --max-time x

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
