#!/usr/bin/env bash
# make experiment-3's two scripts on a cut-down small scale (one repetition, no warm-up): every
# variant runs, the report holds a verdict, the three criteria met, the tables and the figures.
. "$(dirname "$0")/lib.sh"

E=experiments/experiment-3
out="$T/e3"
python3 "$E/run.py" --scale small --repeat 1 --warmup 0 --evopar "$EVOPAR" --out "$out" >"$T/run.log" 2>&1
rc=$?
check "run.py exits 0 (got $rc)" [ "$rc" = 0 ]
check "run.py: 12 runs (6 variants x 2 seeds), none failed" grep -q "12 runs in .* 0 failed" "$T/run.log"
python3 "$E/report.py" --out "$out" >"$T/report.log" 2>&1
rc=$?
check "report.py exits 0 (got $rc)" [ "$rc" = 0 ]
check "report.md: a verdict by the rule" grep -Eq '^\*\*Verdict: (SUPPORTED|NOT SUPPORTED|INCONCLUSIVE)\*\*' "$out/report.md"
for c in C1 C2 C3; do
	check "report.md: criterion $c met" grep -q "^| $c | .* | yes |$" "$out/report.md"
done
check "report.md: every variant in the tables" python3 - "$out/tables.md" <<'PY'
import sys
t = open(sys.argv[1]).read()
for v in ("single", "single-threads", "islands", "islands-nomig", "islands-mpi", "islands-by-hand"):
    assert t.count("| `%s` |" % v) == 3, v
PY
check "report.md: the twins agree (digests)" [ "$(grep -c 'end with the same digest' "$out/report.md")" = 2 ]
if command -v gnuplot >/dev/null; then
	for f in fitness fitness_time dominance origins; do
		check "figure $f.png" [ -s "$out/$f.png" ]
		check "figure $f.svg" [ -s "$out/$f.svg" ]
	done
fi
finish
