#!/usr/bin/env bash
# evopar advise: a foreign workload's costs file (document 000's figures), bad costs files
# refused with exit 2 and one line naming the field, the measured probe's records (a
# prediction for every strategy at 1..cores, a recommendation), and evopar study model at its
# small size: every prediction beside a measurement, the report's errors and verdicts.
. "$(dirname "$0")/lib.sh"

"$EVOPAR" advise --costs experiments/advise/doc-000.json --out "$T/c.jsonl" >"$T/out" 2>"$T/err"
check "costs: exit 0" [ $? = 0 ]
check "costs: the table and a recommendation" grep -q '^recommended: sequential' "$T/out"
check "costs: a prediction per worker count 1..8" jqt -s '[.[] | select(.type == "advise_prediction")] | length == 8' "$T/c.jsonl"
check "costs: document 000 at 8 workers is a slowdown near its 0.40x" \
	jqt -s '.[-1] | .type == "advise_recommendation" and .speedup_at_workers > 0.3 and .speedup_at_workers < 0.5 and .speedup_at_workers_lo <= 0.40 and .speedup_at_workers_hi >= 0.40' "$T/c.jsonl"
"$EVOPAR" advise --costs experiments/advise/doc-000.json >"$T/both" 2>&1
check "costs: the summary line last where both streams go to one file" \
	sh -c 'tail -n 1 "$1" | grep -q "^evopar advise: ok in " && grep -c "^evopar advise:" "$1" | grep -qx 1' sh "$T/both"

good='"item_ms": 1, "items": 10, "bytes_per_item": 0, "rtt_ms": 1, "start_ms": 0, "cores": 2'
bad_costs() {   # name, JSON, the words the one line must hold
	printf '%s\n' "$2" >"$T/bad.json"
	"$EVOPAR" advise --costs "$T/bad.json" --out "$T/bad.jsonl" >/dev/null 2>"$T/err"
	check "$1: exit 2" [ $? = 2 ]
	check "$1: one line" [ "$(wc -l <"$T/err")" = 1 ]
	check "$1: names it" grep -q -- "$3" "$T/err"
	check "$1: nothing written" [ ! -e "$T/bad.jsonl" ]
}
bad_costs "missing workers" "{ $good }" 'field workers: missing'
bad_costs "negative rtt" "{ $good, \"workers\": 2, \"rtt_ms\": -3 }" 'field rtt_ms: negative'
bad_costs "workers below 1" "{ $good, \"workers\": 0 }" 'field workers: too small (0); it must be at least 1'
bad_costs "not a field" "{ $good, \"workers\": 2, \"wrokers\": 2 }" 'field wrokers: not a field'
bad_costs "not JSON" '{ "item_ms": ' 'not JSON'
"$EVOPAR" advise --costs "$T/none.json" 2>"$T/err"
check "a missing costs file: exit 2" [ $? = 2 ]
check "a missing costs file: names the option" grep -q -- '--costs' "$T/err"
"$EVOPAR" advise --costs experiments/advise/doc-000.json --out "$T/x.jsonl" --pop 50 >/dev/null 2>"$T/err"
check "a probe option beside --costs: exit 2, one line naming it, no records" \
	sh -c '[ $0 = 2 ] && [ $(wc -l <"$1") = 1 ] && grep -q -- "--pop: not with --costs" "$1" && [ ! -e "$2" ]' $? "$T/err" "$T/x.jsonl"
"$EVOPAR" advise --cores -1 2>"$T/err"
check "--cores below 0: exit 2" [ $? = 2 ]

# the measured probe, at a size that takes a few seconds
"$EVOPAR" advise --pop 20 --gens 4 --task spin --spin 200 --cores 2 --quiet --out "$T/a.jsonl" >"$T/out" 2>"$T/err"
check "probe: exit 0" [ $? = 0 ]
check "probe: states the model" grep -q '^model: T(s,w) = rest' "$T/out"
check "probe: says why" grep -q '^why: ' "$T/out"
check "probe: sequential and 5 strategies at 1..2 workers" \
	jqt -s '[.[] | select(.type == "advise_prediction")] | length == 11 and all(.predicted_ms > 0 and .predicted_lo_ms <= .predicted_ms and .predicted_ms <= .predicted_hi_ms)' "$T/a.jsonl"
check "probe: the costs it measured" \
	jqt -s '[.[] | select(.type == "advise_probe")][0] | .pipe_round_trip_us > 0 and (.capacity_by_workers | length) >= 1 and .sequential_ms.total > 0' "$T/a.jsonl"
check "probe: every strategy's measured phases and fitted mechanism costs" \
	jqt -s '[.[] | select(.type == "advise_probe")][0].strategies | length == 5 and all((.probe_ms | length) == 5 and (.probe_1_ms | length) == 5 and (.dispatch_us | length) == 4 and all(.ns_per_byte[]; . >= 0) and all(.shared_ms[]; . >= 0))' "$T/a.jsonl"
check "probe: the fitted costs printed" grep -q '^  fitted at 1 and 2 workers, fork-pool: mutate .* ns per byte moved, dispatch .* shared ' "$T/out"
check "probe: a recommendation that is one of the rows" \
	jqt -s '(.[-1].strategy) as $s | .[-1].type == "advise_recommendation" and ([.[] | select(.type == "advise_prediction" and .strategy == $s)] | length) >= 1' "$T/a.jsonl"
check "probe: why speaks of the recommended row, or where sequential wins of a row of 2 workers that loses" \
	jqt -s '.[-1] as $r | $r.why as $y | if $r.strategy == "sequential" then ($y | test("effective workers of 2 \\(") and test("stays sequential$")) else ($y | test("of \($r.workers) \\(\($r.strategy), ")) end' "$T/a.jsonl"

# without --cores, the workers it predicts for are the CPUs this process may use, not the machine's
taskset -c 0 "$EVOPAR" advise --pop 20 --gens 4 --task spin --spin 200 --quiet --out "$T/one.jsonl" >/dev/null 2>"$T/err"
check "probe under a one-CPU affinity mask: predictions for 1 worker only" \
	jqt -s '[.[] | select(.type == "advise_prediction") | .workers] | length == 6 and max == 1' "$T/one.jsonl"

# the study at its small size
"$EVOPAR" study model --scale small --gens 3 --reps 3 --trials 2 --cores 2 --quiet \
	--project experiments/advise/doc-004.json --out "$T/m.jsonl" --report "$T/m.md" 2>"$T/err"
check "study model: exit 0" [ $? = 0 ]
check "study model: every row predicted and measured three times" \
	jqt -s '[.[] | select(.type == "study_model_row")] | length == 31 and all(.predicted_ms > 0 and (.measured_ms | length) == 3)' "$T/m.jsonl"
check "study model: the errors" grep -q 'Within a generation: prediction error.*median' "$T/m.md"
check "study model: the recommendation's rule" grep -q 'Right in [0-9]* of 2 cases' "$T/m.md"
check "study model: the errors beside one run's spread, sequential's row" \
	grep -q '^| sequential | 1 | 2 | [0-9.]*% | [0-9.]*% | [0-9.]*% | [0-9.]*% |$' "$T/m.md"
inside=$(jq -s '[.[] | select(.type == "study_model_row" and .part == "generation" and .config != "sequential" and .predicted_lo_ms <= .measured_median_ms and .measured_median_ms <= .predicted_hi_ms)] | length' "$T/m.jsonl")
check "study model: how many measured medians lie inside the predicted interval, as the records say" \
	grep -q "Within a generation: prediction error.*predicted interval (the table's brackets) in $inside of the 20," "$T/m.md"
gen=$(jq -s '[.[] | select(.type == "study_model_row" and .part == "generation" and .config != "sequential") | .error] | max * 100' "$T/m.jsonl")
said=$(sed -n 's/^evopar study model: ok in [0-9.]* s; within a generation: error median [0-9.]*%, worst \([0-9.]*\)% (.*right in [0-9] of 2 .*records in .*m\.jsonl$/\1/p' "$T/err")
check "study model: a closing line with the worst error the records hold" \
	awk -v a="$gen" -v b="$said" 'BEGIN { exit !(b != "" && a - b < 0.051 && b - a < 0.051) }'
check "study model: the searches" grep -q 'Search backends: prediction error' "$T/m.md"
check "study model: the projection, labelled" grep -q '(model, not measurement)' "$T/m.md"
finish
