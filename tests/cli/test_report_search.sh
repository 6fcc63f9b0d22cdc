#!/usr/bin/env bash
# evopar report on recorded evopar search files (tests/data/report-search: a sequential, a
# threads, a fork-pool and an mpi search of one workload): the sequential-fallback verdicts
# must match the committed text exactly; searches.tsv, the trial timelines, a search run
# under evopar bench and meta's oversubscription test are checked too. No timing is asserted.
. "$(dirname "$0")/lib.sh"

DATA=$(dirname "$0")/../data/report-search
mkdir -p "$T/s"
cp "$DATA"/*.jsonl "$T/s/"

"$EVOPAR" report "$T/s" --figures off 2>"$T/err"
check "report exits 0" [ $? = 0 ]
check "report: its summary line, and a busy-machine warning where the records show one" \
	sh -c '! grep -v "^evopar report: \(ok in .*; report in .*/report.md\|warning: a busy machine: \)" "$1" && grep -q "^evopar report: ok in " "$1"' _ "$T/err"
check "report.md's busy-machine warning is also on stderr" \
	sh -c 'grep -q "A busy machine" "$1/report.md" && grep -q "^evopar report: warning: a busy machine: in evopar search files the sequential runs (sequential) got a median of" "$2"' _ "$T/s" "$T/err"
sed -n '/^### Sequential fallback/,/^### /p' "$T/s/report.md" | grep '^- \*\*' >"$T/verdicts"
if diff -u "$DATA/verdicts.expected" "$T/verdicts" >"$T/diff"; then ok; else
	bad "the fallback verdicts differ from tests/data/report-search/verdicts.expected:"; cat "$T/diff" >&2; fi
check "report.md states the rules" grep -q '^Rules\. J = --jobs' "$T/s/report.md"
check "tables.md has the search table" grep -q '^| search | jobs | BLAS threads | jobs × BLAS |' "$T/s/tables.md"
check "plain search files: one group" [ "$(grep -c '^## evopar search files' "$T/s/tables.md")" = 1 ]
check "searches.tsv: a header and a row per file" [ "$(wc -l <"$T/s/searches.tsv")" = 5 ]
check "searches.tsv: the sequential search is the reference (flagged left empty)" \
	[ "$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i } $2 == "sequential" { print "[" $h["flagged"] "]" }' "$T/s/searches.tsv")" = "[]" ]

# a trial timeline per search, where gnuplot is installed
have() { ls "$@" >/dev/null 2>&1; }
if command -v gnuplot >/dev/null 2>&1; then
	"$EVOPAR" report "$T/s" 2>"$T/err"
	check "report with figures exits 0" [ $? = 0 ]
	for f in "$DATA"/*.jsonl; do
		name=$(basename "$f" .jsonl)
		check "a trial timeline PNG for $name" have "$T/s"/trials-*-"$name".png
		check "a trial timeline SVG for $name" have "$T/s"/trials-*-"$name".svg
	done
	check "report.md shows the trial timelines" grep -q '](trials-01-fork-pool.png)' "$T/s/report.md"
	check "a threads figure" [ -s "$T/s/threads.png" ]
	check "the same verdicts with figures" sh -c "sed -n '/^### Sequential fallback/,/^### /p' '$T/s/report.md' |
		grep '^- \*\*' | diff -q '$DATA/verdicts.expected' -"
fi

# evopar bench runs evopar search children and records what it saw of their process trees
mkdir -p "$T/b"
"$EVOPAR" bench --common "--trials 2 --pop 12 --gens 2 --seeds 1" --config "seq: search --backend sequential" \
	--config "thr: search --backend threads --jobs 2" --repeat 1 --warmup 0 --quiet \
	--out "$T/b/bench.jsonl" 2>"$T/err"
check "bench of searches exits 0" [ -s "$T/b/bench.jsonl" ]
check "bench_run records the tree" grep -q '"tree":{"threads_max":' "$T/b/bench.jsonl"
check "bench_run records context switches" grep -q '"involuntary_ctx_switches":' "$T/b/bench.jsonl"
"$EVOPAR" report "$T/b" --figures off 2>"$T/err"
check "report of a bench of searches exits 0" [ $? = 0 ]
check "its search table has both searches" [ "$(grep -c '^| \(seq\|thr\) |' "$T/b/tables.md")" = 2 ]
code() { "$@" >/dev/null 2>"$T/err"; echo $?; }
check "a bad search configuration: exit 2" \
	[ "$(code "$EVOPAR" bench --config "search --backend nope" --out "$T/x.jsonl")" = 2 ]
check "a bad search configuration is named" grep -q -- '--backend' "$T/err"

# meta says whether jobs x BLAS threads exceed the online cores
cores=$(getconf _NPROCESSORS_ONLN)
"$EVOPAR" search --trials 1 --pop 8 --gens 1 --seeds 1 --backend threads --jobs 4 --blas-threads 2 \
	--quiet --out "$T/m.jsonl"
want=false; [ $((4 * 2)) -gt "$cores" ] && want=true
check "meta: oversubscription test" grep -q "\"jobs_x_blas_threads\":8,\"online_cores\":$cores,\"exceeds_cores\":$want" "$T/m.jsonl"
"$EVOPAR" search --trials 1 --pop 8 --gens 1 --seeds 1 --backend thread-limited --jobs 1 --quiet --out "$T/m.jsonl"
check "meta: thread-limited counts one BLAS thread" grep -q '"jobs":1,"blas_threads":1,' "$T/m.jsonl"
finish
