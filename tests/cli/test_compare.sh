#!/usr/bin/env bash
# evopar compare and make bench-compare: fixtures made here by a small deterministic generator
# (bench records and Google Benchmark JSON), two files of a known difference and two of none,
# the verdicts and --fail-above's exit code read back with jq; bad input exits 2.
. "$(dirname "$0")/lib.sh"
jq_ok() { jq -e "$@" >/dev/null; }

# bench records of one configuration: 9 rounds, total ms per generation BASE + (r*K % 5) / 10
# (two generations a run, generation 0 left out as the reports do)
records() {
	local label=$1 base=$2 k=$3 r v
	for r in $(seq 0 8); do
		v=$(awk -v b="$base" -v r="$r" -v k="$k" 'BEGIN { printf "%.3f", b + (r * k % 5) / 10 }')
		printf '{"config_id":0,"config_label":"%s","rep":%d,"warmup":false,"type":"generation","gen":0,"ms":{"total":99}}\n' "$label" "$r"
		printf '{"config_id":0,"config_label":"%s","rep":%d,"warmup":false,"type":"generation","gen":1,"ms":{"total":%s}}\n' "$label" "$r" "$v"
		printf '{"config_id":0,"config_label":"%s","rep":%d,"warmup":false,"type":"summary","status":"ok"}\n' "$label" "$r"
	done
}
records sequential 10 1 >"$T/a.jsonl"
records sequential 12 1 >"$T/slow.jsonl"     # 20% slower, the same spread
records sequential 10 2 >"$T/same.jsonl"     # the same values in another order
records sequential 8 1 >"$T/fast.jsonl"

"$EVOPAR" compare "$T/a.jsonl" "$T/slow.jsonl" --json >"$T/out" 2>"$T/err"
check "a known difference: exit 0" [ $? = 0 ]
check "a known difference: B slower, ratio 1.2" jq_ok \
	'.configuration == "sequential" and .verdict == "slower" and (.ratio * 100 | round) == 120 and .lo > 1 and .resamples == 2000' "$T/out"
"$EVOPAR" compare "$T/a.jsonl" "$T/same.jsonl" --json >"$T/out"
check "no difference: verdict same, the interval holds 1" jq_ok '.verdict == "same" and .lo <= 1 and .hi >= 1' "$T/out"
"$EVOPAR" compare "$T/a.jsonl" "$T/fast.jsonl" --json >"$T/out"
check "B faster" jq_ok '.verdict == "faster" and .hi < 1' "$T/out"
"$EVOPAR" compare "$T/a.jsonl" "$T/slow.jsonl" >"$T/out"
check "the table: the verdict in words" grep -q '^| sequential | 9 | 9 | .* | B slower |$' "$T/out"
check "the table: says how the interval was drawn" grep -q 'resampled on its own (2000 resamples)' "$T/out"

# --fail-above: exit 1 on a regression beyond PCT only
"$EVOPAR" compare "$T/a.jsonl" "$T/slow.jsonl" --fail-above 5 >/dev/null 2>"$T/err"
check "--fail-above 5 on a 20% regression: exit 1" [ $? = 1 ]
check "--fail-above: says which" grep -q 'sequential is slower in B beyond 5%' "$T/err"
"$EVOPAR" compare "$T/a.jsonl" "$T/slow.jsonl" --fail-above 50 >/dev/null 2>&1
check "--fail-above 50 on a 20% regression: exit 0" [ $? = 0 ]
"$EVOPAR" compare "$T/a.jsonl" "$T/same.jsonl" --fail-above 0 >/dev/null 2>&1
check "--fail-above 0 without a difference: exit 0" [ $? = 0 ]

# a configuration in one file only is listed, not compared
{ cat "$T/a.jsonl"; records "threads x2" 5 1 | sed 's/"config_id":0/"config_id":1/'; } >"$T/two.jsonl"
"$EVOPAR" compare "$T/two.jsonl" "$T/a.jsonl" --json >"$T/out"
check "only in A: listed" jq_ok -s 'map(select(.configuration == "threads x2"))[0].only_in == "A"' "$T/out"

# a real bench file against itself: ratio 1, no difference
"$EVOPAR" bench --config "--strategy sequential --pop 10 --gens 3 --steps 10" --repeat 3 --warmup 0 \
	--sample-ms 0 --out "$T/real.jsonl" 2>/dev/null
"$EVOPAR" compare "$T/real.jsonl" "$T/real.jsonl" --json >"$T/out"
check "a bench file against itself: ratio 1, no difference" jq_ok '.ratio == 1 and .verdict == "same" and .n_a == 3' "$T/out"

# two plain run files, one configuration each: compared whatever their labels; one run a side
# gives no interval, so no verdict either way
"$EVOPAR" run --quiet --pop 10 --gens 3 --steps 10 --out "$T/run1.jsonl"
"$EVOPAR" run --quiet --pop 10 --gens 3 --steps 10 --strategy threads --workers 2 --out "$T/run2.jsonl"
"$EVOPAR" compare "$T/run1.jsonl" "$T/run2.jsonl" --json >"$T/out"
check "plain run files: the two compared, one run a side: no interval, no difference" jq_ok \
	'.configuration == "sequential / threads x2" and .n_a == 1 and .n_b == 1 and .lo == null and .verdict == "same"' "$T/out"

# Google Benchmark JSON: repetitions (run_type iteration) compared, aggregates left out
gbench() {
	local scale=$1 r
	printf '{"context":{"library_build_type":"release"},"benchmarks":['
	for r in 0 1 2 3 4 5 6; do
		printf '{"name":"mutate/dynamic","run_name":"mutate/dynamic","run_type":"iteration","repetitions":7,"repetition_index":%d,"iterations":100,"real_time":%s,"cpu_time":%s,"time_unit":"us"},' \
			"$r" "$(awk -v s="$scale" -v r="$r" 'BEGIN { print s * (100 + r % 3) }')" "$(awk -v r="$r" 'BEGIN { print 90 + r % 3 }')"
	done
	printf '{"name":"mutate/dynamic_median","run_name":"mutate/dynamic","run_type":"aggregate","aggregate_name":"median","real_time":1,"cpu_time":1,"time_unit":"us"}]}\n'
}
gbench 1 >"$T/g1.json"
gbench 1.3 >"$T/g2.json"
"$EVOPAR" compare "$T/g1.json" "$T/g2.json" --json >"$T/out"
check "Google Benchmark: real_time 30% slower" jq_ok \
	'.configuration == "mutate/dynamic" and .n_a == 7 and .unit == "ns" and .verdict == "slower" and (.ratio * 100 | round) == 130' "$T/out"
"$EVOPAR" compare "$T/g1.json" "$T/g2.json" --metric cpu --json >"$T/out"
check "Google Benchmark --metric cpu: no difference" jq_ok '.verdict == "same" and .ratio == 1' "$T/out"
make --no-print-directory -s bench-compare-run A="$T/g1.json" B="$T/g2.json" BENCH_COMPARE_ARGS='--fail-above 10' >"$T/out" 2>&1
check "make bench-compare --fail-above 10: a regression fails" [ $? != 0 ]
check "make bench-compare: the verdict table" grep -q '^| mutate/dynamic | 7 | 7 | .* | B slower |$' "$T/out"
printf '{"benchmarks":[{"name":"x_median","run_name":"x","run_type":"aggregate","aggregate_name":"median","real_time":1,"time_unit":"ns"}]}\n' >"$T/agg.json"
"$EVOPAR" compare "$T/agg.json" "$T/g1.json" >/dev/null 2>"$T/err"
check "aggregates only: exit 2" [ $? = 2 ]
check "aggregates only: says how to keep the repetitions" grep -q 'benchmark_report_aggregates_only' "$T/err"

# bad input: exit 2, one line
code() { "$@" >/dev/null 2>"$T/err"; echo $?; }
check "no files: exit 2" [ "$(code "$EVOPAR" compare)" = 2 ]
check "no files: one line" [ "$(wc -l <"$T/err")" = 1 ]
check "a missing file: exit 2" [ "$(code "$EVOPAR" compare "$T/none.jsonl" "$T/a.jsonl")" = 2 ]
check "a missing file: named" grep -q "none.jsonl" "$T/err"
printf 'not json\n' >"$T/junk.jsonl"
check "not records: exit 2" [ "$(code "$EVOPAR" compare "$T/junk.jsonl" "$T/a.jsonl")" = 2 ]
check "--fail-above x: exit 2" [ "$(code "$EVOPAR" compare "$T/a.jsonl" "$T/a.jsonl" --fail-above x)" = 2 ]
check "--fail-above is named" grep -q -- "--fail-above" "$T/err"
check "--help: exit 0" [ "$(code "$EVOPAR" compare --help)" = 0 ]
finish
