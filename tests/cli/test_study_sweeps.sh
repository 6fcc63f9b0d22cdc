#!/usr/bin/env bash
# make study-startup and the mutation sweep at a cut-down size (no timing asserted): the spin
# task keeps the determinism promise, each report has its section, a row per work size, a
# break-even line per configuration, every claim a verdict word by its rule, the figure's
# data a block per configuration; a bad --sweep is a usage error.
. "$(dirname "$0")/lib.sh"

# the spin task and a grown genome: every within-generation strategy ends as sequential does
for w in "--task spin --spin 500" "--task spin --spin 0 --init-hidden 40"; do
	ref=$("$EVOPAR" run --quiet $w --pop 24 --gens 4 --out - | jq -r 'select(.type == "summary") | .digest')
	check "$w: sequential has a digest" [ -n "$ref" ]
	for s in "--strategy threads --workers 2" "--strategy fork-pool --workers 2 --start spawn" \
		 "--strategy persistent --worker-scope all --workers 3" "--strategy fork-pool --workers 2 --chunk 1"; do
		d=$("$EVOPAR" run --quiet $w $s --pop 24 --gens 4 --out - | jq -r 'select(.type == "summary") | .digest')
		check "$w $s: digest $d = sequential's $ref" [ "$d" = "$ref" ]
	done
done

run_sweep() {
	EVOPAR=$EVOPAR REPEAT=2 WARMUP=0 MIN_GENS=2 MAX_GENS=3 experiments/sweep-run >"$T/$1.log" 2>&1
}

CONFIGS=experiments/study-startup DIR="$T/startup" KNOB=spin VALUES="100 20000" POPS="6 12" \
	COMMON="--mode dynamic --task spin --seed 1" UNIT_NS=2 SWEEP=startup run_sweep startup
rc=$?
check "study-startup cut-down exits 0 (got $rc)" [ "$rc" = 0 ]
md="$T/startup/report.md"
check "startup: the sweep section" grep -q '^## Start, pools, threads and chunks against the work per item' "$md"
check "startup: a table per population" [ "$(grep -c '^\*\*[0-9]* networks\.\*\* Speedup' "$md")" = 2 ]
check "startup: a row per work size and population" [ "$(grep -cE '^\| [0-9.]+ (ns|µs|ms) \|' "$md")" = 4 ]
check "startup: a break-even line per configuration and population" \
	[ "$(grep -cE '^- .* x2, (6|12) networks: (breaks even|faster|never)' "$md")" = 10 ]
for c in C1 C2 C3 C4 C5 C6; do
	check "startup: claim $c has a verdict by its rule" \
		grep -qE "^\| $c \| .*(\*\*(CONFIRMED|REFUTED|INCONCLUSIVE)\*\*|NOT APPLICABLE)" "$md"
done
check "startup: C2, C3, C4 and C5 at every work size (4 each)" sh -c "
	for c in C2 C3 C4 C5; do
		[ \$(grep \"^| \$c |\" '$md' | grep -oE '\*\*(CONFIRMED|REFUTED|INCONCLUSIVE)\*\*' | wc -l) = 4 ] || exit 1
	done"
check "startup: C1 from the calibration's samples" grep -q '^| C1 | .* calibration floors (20 and 200 samples, unpaired)' "$md"
check "startup: the runner prints the claims" grep -q '^| C6 | joblib' "$T/startup.log"
check "startup: sweep.dat, a block per configuration and population" \
	[ "$(grep -c '"speedup" "low" "high"' "$T/startup/sweep.dat")" = 10 ]
check "startup: calibration floors carry their samples" sh -c \
	"jq -se 'map(select(.type == \"calibration\")) | length == 4 and all(.floors.fork_wait.samples_us | length == 200)' '$T'/startup/*.jsonl >/dev/null"

CONFIGS=experiments/study-mutation-sweep DIR="$T/mutation" KNOB=init-hidden VALUES="0 60" POPS=20 \
	COMMON="--mode dynamic --task spin --spin 0 --seed 42" UNIT_NS=300 SWEEP=mutation run_sweep mutation
rc=$?
check "mutation sweep cut-down exits 0 (got $rc)" [ "$rc" = 0 ]
md="$T/mutation/report.md"
check "mutation: the sweep section" grep -q '^## Parallel mutation against the work per network' "$md"
check "mutation: the share of a sequential generation" grep -q '| work per item | its share of a sequential generation |' "$md"
check "mutation: a row per genome size" [ "$(grep -cE '^\| [0-9.]+ (ns|µs|ms) \| [0-9]+% \|' "$md")" = 2 ]
check "mutation: the study's marks" grep -q 'study: mutation 0.16 ms (quoted from the document)' "$md"
check "mutation: a break-even line per configuration" [ "$(grep -cE '^- .* x2, 20 networks: ' "$md")" = 4 ]
check "mutation: no claims table" sh -c "! grep -q 'The document.s claims' '$md'"

"$EVOPAR" report "$T/startup" --sweep nope >/dev/null 2>"$T/err"
rc=$?
check "--sweep nope exits 2 (got $rc)" [ "$rc" = 2 ]
check "--sweep nope names the option and the sweeps" grep -q -- '--sweep nope: not a sweep (one of startup, mutation)' "$T/err"
finish
