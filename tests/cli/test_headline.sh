#!/usr/bin/env bash
# The README's headline from records (evopar report --headline, experiments/headline), and the
# report's section on what the instruments cost (make instruments-overhead's bench, small).
. "$(dirname "$0")/lib.sh"

EV=$(cd "$(dirname "$EVOPAR")" && pwd)/$(basename "$EVOPAR")
HEADLINE=$(cd "$(dirname "$0")/../.." && pwd)/experiments/headline
common="--pop 40 --gens 5 --steps 200 --seed 5"

mkdir -p "$T/run"
"$EVOPAR" bench --quiet --common="$common" --config "--strategy sequential" \
	--config "--strategy threads --workers 1" --config "--strategy threads --workers 2" \
	--config "--strategy islands --islands 2" --repeat 2 --warmup 0 --out "$T/run/bench.jsonl" 2>/dev/null
"$EVOPAR" report "$T/run" --headline "$T/headline.md" >/dev/null 2>&1
check "--headline writes its file" [ -s "$T/headline.md" ]
check "the headline names the machine and the commit" \
	grep -q "^What \`make run\` printed on .* online cores.* commit \`" "$T/headline.md"
check "its columns: sequential and 2 or more workers, not 1" \
	grep -qx '| | sequential | threads x2 | islands x2 |' "$T/headline.md"
check "speedups with a paired interval" grep -Eq '^\| speedup \| 1\.00 \| [0-9.]+ \[[0-9.]+–[0-9.]+\] \|' "$T/headline.md"
check "islands labelled a different computation" \
	grep -Eq '^\| work / sequential.s \| 1\.000 \| 1\.000 \| [0-9.]+ different computation \|$' "$T/headline.md"
"$EVOPAR" report "$T/run" --headline "$T/no/such/dir/h.md" >/dev/null 2>&1
check "--headline into a directory that does not exist fails" [ $? != 0 ]

# experiments/headline: copy the records with their README, rewrite README.md between markers
mkdir -p "$T/tree/docs"
cd "$T/tree"
printf 'before\n%s\nold table\n%s\nafter\n' \
	'<!-- headline: begin (make headline writes what follows, from experiments/records/make-run/) -->' \
	'<!-- headline: end -->' >README.md
EVOPAR=$EV "$HEADLINE" copy "$T/run" records "make run RUN_REPEAT=2" >/dev/null
check "copy: the records and their README" sh -c '[ -s records/bench.jsonl ] && grep -q "make run RUN_REPEAT=2" records/README.md'
check "copy: the records' README names the machine" grep -q '^What `make run` printed on ' records/README.md
EVOPAR=$EV "$HEADLINE" rewrite records >/dev/null
check "rewrite: the old table is gone" sh -c '! grep -q "old table" README.md'
check "rewrite: the text around the markers stays" sh -c 'head -n 1 README.md | grep -qx before && tail -n 1 README.md | grep -qx after'
check "rewrite: the table between the markers" grep -qx '| | sequential | threads x2 | islands x2 |' README.md
if command -v gnuplot >/dev/null; then
	check "rewrite: the speedup figure" [ -s docs/make-run-speedup.png ]
fi
printf 'no markers\n' >README.md
EVOPAR=$EV "$HEADLINE" rewrite records >/dev/null 2>&1
check "rewrite without the markers fails" [ $? != 0 ]
check "and leaves README.md alone" grep -qx 'no markers' README.md
cd - >/dev/null

# the instruments on and off: the report's section with the ratio and its paired interval
mkdir -p "$T/oh"
"$EVOPAR" bench --quiet --common="$common" --config "instruments on: --strategy sequential" \
	--config "instruments off: --strategy sequential --sample-ms 0 --counters off" \
	--repeat 3 --warmup 0 --out "$T/oh/bench.jsonl" 2>/dev/null
"$EVOPAR" report "$T/oh" >/dev/null 2>&1
check "overhead: the section" grep -q '^### What the instruments cost' "$T/oh/tables.md"
check "overhead: on / off with its paired interval over 3 rounds" \
	grep -Eq '^\| instruments on \| instruments off \| [0-9.]+ \[[0-9.]+–[0-9.]+\] \| 3 rounds, 2000 resamples \| [0-9.]+ \|$' "$T/oh/tables.md"
check "no such section where the instruments do not differ" sh -c '! grep -q "What the instruments cost" "$1"' _ "$T/run/tables.md"
finish
