#!/usr/bin/env bash
# make experiment-3's pieces: a tiny run of experiments/experiment-3/run (every arm, 3 seeds,
# through evopar bench and evopar report --verdict --rule islands), and the rule of
# reports/islands_verdict.c on fixture tables built to give each of its outcomes, and a
# missing column (an error naming it, never a verdict).
. "$(dirname "$0")/lib.sh"

E=experiments/experiment-3
WORDS='SUPPORTED|NOT SUPPORTED|INCONCLUSIVE'
# the verdict word of a part or report: what follows "**Verdict: " up to "**"
verdict_of() { sed -n 's/^\*\*Verdict: \([A-Z ]*\)\*\*.*/\1/p' "$1"; }
is_rule_word() { echo "$1" | grep -Eqx "$WORDS"; }

out="$T/e3"
OUT="$out" SEEDS="1 2 3" POP=40 GENS=6 EVERY=2 EVOPAR="$EVOPAR" "$E/run" small >"$T/run.log" 2>&1
rc=$?
check "run exits 0 (got $rc)" [ "$rc" = 0 ]
check "the driver runs only evopar (no second runner)" sh -c "! grep -q python '$E/run'"
check "18 runs: 6 arms x 3 seeds, each a row of islands.tsv" [ "$(tail -n +2 "$out/islands.tsv" | wc -l)" = 18 ]
check "every run ok" [ "$(cut -f 4 "$out/islands.tsv" | grep -c '^ok$')" = 18 ]
v=$(verdict_of "$out/report.md")
check "report.md: the verdict is one of the rule's words (got '$v')" is_rule_word "$v"
check "report.md: the same word on the make output" grep -qF "**Verdict: $v**" "$T/run.log"
for c in C1 C2; do
	check "report.md: criterion $c met" grep -q "^| $c | .* | yes |$" "$out/report.md"
done
check "report.md: the pinned arm had one core" grep -q '^| pinned | .* | yes |$' "$out/report.md"
check "report.md: the islands had every core" grep -q '^| equal resources | .* | yes |$' "$out/report.md"
check "single-threads is single, bit for bit" grep -qF '`single` and `single-threads` end with the same digest in 3 of 3 seeds' "$out/report.md"
check "the A/A arm is single, bit for bit" grep -qF '`single` and `single-aa` end with the same digest in 3 of 3 seeds' "$out/report.md"
check "the A/A control's null band beside the rule" grep -q '^| A/A control, the same sequential runs again: the null band' "$out/report.md"
check "pinned islands are the islands, bit for bit" grep -qF '`islands` and `islands-1core` end with the same digest in 3 of 3 seeds' "$out/report.md"
check "the islands are labelled a different computation" grep -q 'different computation' "$out/report.md"
check "the pinned arm runs under taskset" grep -q '^islands-1core s1: taskset -c 0 evopar run ' "$out/configs"
if command -v gnuplot >/dev/null; then
	check "figure islands-fitness.png" [ -s "$out/islands-fitness.png" ]
	check "figure islands-fitness.svg" [ -s "$out/islands-fitness.svg" ]
fi
REPORT_ONLY=1 OUT="$out" EVOPAR="$EVOPAR" "$E/run" >"$T/again.log" 2>&1
check "REPORT_ONLY: the same verdict again from the records" grep -qF "**Verdict: $v**" "$T/again.log"

# fixture: DIR RT RG SA [JITTER [AFFINITY]]: 12 seeds; a seed's load n(s) is shared by its arms,
# so a paired ratio is exactly the factor unless JITTER (1) moves the islands' times apart
fixture() {
	mkdir -p "$1"
	awk -v rt="$2" -v rg="$3" -v sa="$4" -v jit="${5:-0}" -v aff="${6:-1}" 'BEGIN {
		OFS = "\t"
		print "arm", "seed", "rep", "status", "cpu_model", "cores", "affinity_cores", "load_1m",
		      "gens", "islands", "migrate_every", "migrants", "wall_s", "best", "target",
		      "gens_to_target", "s_to_target", "workers", "processes_max", "migrations",
		      "top_share", "origins", "distance", "digest"
		for (s = 1; s <= 12; s++) {
			n = 1 + 0.5 * ((s * 7) % 5)
			j = jit ? (s % 2 ? 0.6 : 1.6) : 1
			g = 10 * n
			row("single", s, 1, 1, 2, 2 * n, g, 1.0 * n, 1, 1, 0, "-", "a" s)
			row("single-threads", s, 2, 2, 2, 1.2 * n, g, 0.6 * n, 2, 1, 0, "-", "a" s)
			row("islands", s, 2, 2, 2, 1.2 * n, g / rg, 0.6 * n / rt * j, 2, 3, 20, 0.6, "b" s)
			row("islands-1core", s, 2, aff, 2, 1.2 * n * sa, g / rg, 0.6 * n / rt * j * sa, 2, 3, 20, 0.6, "b" s)
			row("islands-nomig", s, 2, 2, 0, 1.2 * n, g / rg, 0.6 * n / rt, 2, 3, 0, 0.5, "c" s)
		}
	}
	function row(arm, s, k, aff, m, wall, g, t, w, p, mig, top, dig) {
		print arm, s, 0, "ok", "fixture CPU", 2, aff, 1.5, 20, k, 2, m, wall, 1, 0.9, g, t, w, p,
		      mig, top, 2, 1.1, dig
	}' >"$1/islands.tsv"
	"$EVOPAR" report "$1" --verdict "$1/part.md" --rule islands --figures off 2>"$1/err"
}
# each outcome: the word is one of the rule's AND the one the fixture was built for
expect() {
	local d=$1 want=$2 got
	got=$(verdict_of "$d/part.md")
	check "$d: the verdict is one of the rule's words (got '$got')" is_rule_word "$got"
	check "$d: $want (got '$got')" [ "$got" = "$want" ]
}
fixture "$T/f1" 1.5 1 1.8
expect "$T/f1" SUPPORTED
check "f1: RT above 1 at its factor" grep -q '^- \*\*RT, .*: 1.50× \[1.50–1.50\], 12 pairs; the interval lies above 1\.' "$T/f1/part.md"
check "f1: SA above 1 at its factor" grep -q '^- \*\*SA, .*: 1.80× \[1.80–1.80\], 12 pairs; the interval lies above 1\.' "$T/f1/part.md"
fixture "$T/f2" 1.5 0.7 1.8
expect "$T/f2" "NOT SUPPORTED"
check "f2: worse search alone decides it (RT above 1, RG below)" grep -q '^- \*\*RG, .*: 0.700× .* the interval lies below 1\.' "$T/f2/part.md"
fixture "$T/f3" 0.6 1 1.8
expect "$T/f3" "NOT SUPPORTED"
check "f3: slower to the target on the same cores" grep -q '^- \*\*RT, .*: 0.600× .* the interval lies below 1\.' "$T/f3/part.md"
fixture "$T/f4" 1 1 1.8 1
expect "$T/f4" INCONCLUSIVE
check "f4: RT's interval holds 1, and the seeds it would need are said" \
	grep -q '^- \*\*RT, .*the interval holds 1; \(about [0-9]* seeds would be needed\|no number of seeds\)' "$T/f4/part.md"
fixture "$T/f5" 1.5 1 1.8 0 2
expect "$T/f5" INCONCLUSIVE
check "f5: pinned runs without one core: SA not measured" grep -q "SA, Alba's orthodox weak speedup: not measured" "$T/f5/part.md"
check "f5: the set-up check says not pinned" grep -q '^| pinned | .* | \*\*no\*\* |$' "$T/f5/part.md"
for c in C1 C2 C3; do
	check "f1: criterion $c met" grep -q "^| $c | .* | yes |$" "$T/f1/part.md"
done

# a column the rule reads, missing: an error naming it, and no verdict file
mkdir -p "$T/f6"
awk -F '\t' -v OFS='\t' '{ $16 = ""; sub("\t\t", "\t"); print }' "$T/f1/islands.tsv" >"$T/f6/islands.tsv"
check "f6 fixture lacks gens_to_target" sh -c "! head -1 '$T/f6/islands.tsv' | grep -q gens_to_target"
"$EVOPAR" report "$T/f6" --verdict "$T/f6/part.md" --rule islands --figures off 2>"$T/f6.err"
rc=$?
check "missing column: exits 3 (got $rc)" [ "$rc" = 3 ]
check "missing column: the message names it" grep -q "islands.tsv: no column 'gens_to_target'" "$T/f6.err"
check "missing column: no verdict written" [ ! -e "$T/f6/part.md" ]
"$EVOPAR" report "$T/f7" --verdict "$T/f7.md" --rule islands 2>"$T/f7.err"
check "no such directory: a usage error (exit 2)" [ "$?" = 2 ]
mkdir -p "$T/f8"
"$EVOPAR" report "$T/f8" --verdict "$T/f8.md" --rule islands 2>"$T/f8.err"
rc=$?
check "no table and no bench file: exits 3 (got $rc)" [ "$rc" = 3 ]
check "no table: said so" grep -q 'islands.tsv: missing or empty' "$T/f8.err"
finish
