#!/usr/bin/env bash
# evopar report on a recorded bench file (tests/data/report: sequential, threads x2 and a
# configuration whose every run was killed, 5 repetitions after a warm-up): tables.md must
# match the committed text exactly; report.md, figures and bad input are checked too.
. "$(dirname "$0")/lib.sh"

DATA=$(dirname "$0")/../data/report
mkdir -p "$T/r"
cp "$DATA/bench.jsonl" "$T/r/"

"$EVOPAR" report "$T/r" --figures off 2>"$T/err"
check "report exits 0" [ $? = 0 ]
check "report: its summary line, and a busy-machine warning where the records show one" \
	sh -c '! grep -v "^evopar report: \(ok in .*; report in .*/report.md\|warning: a busy machine: \)" "$1" && grep -q "^evopar report: ok in " "$1"' _ "$T/err"
check "a quiet machine: no busy-machine warning, in report.md or on stderr" \
	sh -c '! grep -q "A busy machine" "$1/report.md" && ! grep -q "busy machine" "$2"' _ "$T/r" "$T/err"
if diff -u "$DATA/tables.md.expected" "$T/r/tables.md" >"$T/diff"; then ok; else
	bad "tables.md differs from tests/data/report/tables.md.expected:"; cat "$T/diff" >&2; fi
check "report.md links tables.md" grep -q '](tables.md)' "$T/r/report.md"
check "report.md lists the calibration floors" grep -q '| pipe_round_trip_cross_core |' "$T/r/report.md"
check "report.md describes the machine" grep -q '^| CPU |' "$T/r/report.md"
check "report.md has the runs table with cpu utilisation" grep -q 'CPU utilisation' "$T/r/report.md"
check "report.md says figures were off" grep -q 'figures off' "$T/r/report.md"

# the figures, where gnuplot is installed (make deps installs it)
if command -v gnuplot >/dev/null 2>&1; then
	"$EVOPAR" report "$T/r" 2>"$T/err"
	check "report with figures exits 0" [ $? = 0 ]
	for fig in speedup phases cpu timeline; do
		check "$fig.png drawn" [ -s "$T/r/$fig.png" ]
		check "$fig.svg drawn" [ -s "$T/r/$fig.svg" ]
		check "report.md shows $fig.png" grep -q "]($fig.png)" "$T/r/report.md"
	done
	check "the same tables with figures" diff -q "$DATA/tables.md.expected" "$T/r/tables.md"
fi

# the study's figures beside ours
printf 'source: a test\ncolumns: seq | par\nmutate 2 4\nmutate+prepare+resample 8 4\n' >"$T/ref"
"$EVOPAR" report "$T/r" --figures off --reference "$T/ref" --title "T" >/dev/null 2>&1
check "--reference: a table beside the study" grep -q '^| study: par | 4 (0.50×) | 4 (2.00×) |' "$T/r/report.md"
check "--title heads report.md" [ "$(head -n 1 "$T/r/report.md")" = "# T" ]

# plain evopar run files group into one configuration per strategy and worker count
mkdir -p "$T/p"
for i in 1 2; do
	"$EVOPAR" run --quiet --pop 20 --gens 3 --steps 50 --out "$T/p/seq$i.jsonl"
	"$EVOPAR" run --quiet --pop 20 --gens 3 --steps 50 --strategy threads --workers 2 --out "$T/p/thr$i.jsonl"
done
"$EVOPAR" report "$T/p" --figures off 2>/dev/null
check "plain runs: a column per strategy" grep -q '^| ms per generation | sequential | threads x2 |$' "$T/p/tables.md"

# paired intervals: a load that moves both arms of a round alike (sequential 10, 20, .. 50 ms,
# the configuration half of its round's) is cancelled by pairing: the interval is [2.00–2.00],
# where resampling each arm on its own would spread it over many times that (the spread of the
# arms marks the cells unstable, ?)
mkdir -p "$T/pair"
{
	printf '{"type":"bench","repeat":5,"warmup":0,"round_order":"shuffled","order_seed":3,"configs":[{"config_id":0,"config_label":"sequential"},{"config_id":1,"config_label":"threads x2"}]}\n'
	for r in 0 1 2 3 4; do
		for c in 0 1; do
			l=sequential; s=sequential; v=$(((r + 1) * 10)); comm=0
			[ $c = 1 ] && { l="threads x2"; s=threads; v=$(((r + 1) * 5)); comm=1; }
			tag="\"config_id\":$c,\"config_label\":\"$l\",\"rep\":$r,\"warmup\":false"
			printf '{%s,"type":"meta","config":{"strategy":"%s","workers":%d,"pop":10}}\n' "$tag" "$s" $((c + 1))
			printf '{%s,"type":"generation","gen":1,"ms":{"mutate":1,"prepare":1,"evaluate":%d,"resample":1,"total":%d},"comm_ms":{"mutate":%d,"prepare":0,"evaluate":0,"resample":0}}\n' "$tag" $((v - 3)) "$v" "$comm"
			printf '{%s,"type":"summary","status":"ok","wall_s":1}\n' "$tag"
		done
	done
} >"$T/pair/bench.jsonl"
"$EVOPAR" report "$T/pair" --figures off >/dev/null 2>&1
check "paired: the round's load cancels, the interval is the point" grep -q '^| speedup (total) | 1.00 ? | 2.00 \[2.00–2.00\] ? |$' "$T/pair/tables.md"
check "paired: the verdict rests on the interval" grep -q '^- threads x2: 2.00 \[2.00–2.00\] ?, faster than sequential' "$T/pair/report.md"
check "the comm_ms share per phase" grep -q '^| mutate | 100.0 \[100.0–100.0\] |$' "$T/pair/tables.md"

# bad input: exit 2, one line naming what is wrong, nothing written
code() { "$@" >/dev/null 2>"$T/err"; echo $?; }
check "no DIR: exit 2" [ "$(code "$EVOPAR" report)" = 2 ]
check "no DIR: one line" [ "$(wc -l <"$T/err")" = 1 ]
check "no DIR: the line names DIR" grep -q DIR "$T/err"
check "a missing DIR: exit 2" [ "$(code "$EVOPAR" report "$T/none")" = 2 ]
check "an unknown option: exit 2" [ "$(code "$EVOPAR" report "$T/r" --bogus)" = 2 ]
check "an unknown option is named" grep -q -- '--bogus' "$T/err"
check "--figures takes on or off" [ "$(code "$EVOPAR" report "$T/r" --figures maybe)" = 2 ]
mkdir -p "$T/empty"
check "no *.jsonl: exit 3" [ "$(code "$EVOPAR" report "$T/empty")" = 3 ]
finish
