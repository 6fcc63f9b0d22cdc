# Helpers of the experiments' verdict functions (verdict_N in experiments/experiment-N): they
# read evopar report's searches.tsv by configuration label and column name, and compare and
# format numbers. Sourced by experiments/run-search.

# the value of column COL for label LABEL in TSV ("" when the label is not there or the value
# is missing: searches.tsv leaves a missing value empty)
col() {
	awk -F'\t' -v l="$2" -v c="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$2 == l { print $h[c]; exit }' "$1"
}

# col for a table cell: "-" where the value is missing
txt() { local v; v=$(col "$@"); echo "${v:--}"; }

# is A > B (numbers; "" is never greater nor smaller)
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && b != "" && a + 0 > b + 0) }'; }
lt() { gt "$2" "$1"; }

# an arithmetic expression with three significant digits
calc() { awk "BEGIN { v = $*; printf \"%.3g\", v }"; }

# "1.93 [1.85–1.99]" from LABEL's columns NAME, NAME_min and NAME_max
cell() {
	local m lo hi
	m=$(col "$1" "$2" "$3")
	[ -n "$m" ] || { echo "-"; return; }
	lo=$(col "$1" "$2" "$3_min") hi=$(col "$1" "$2" "$3_max")
	printf '%.3g [%.3g–%.3g]' "$m" "$lo" "$hi"
}

# the cores the searches ran on, from the first row
tsv_cores() { awk -F'\t' 'NR == 2 { print $6; exit }' "$1"; }

# the smaller of two integers
min() { [ "$1" -lt "$2" ] && echo "$1" || echo "$2"; }

# A sentence on the searches marked unstable (?), and on the machine's load, for a verdict.
noise_note() {
	local unstable total load
	unstable=$(awk -F'\t' 'NR > 1 && $(NF - 1) == 1' "$1" | wc -l)
	total=$(awk -F'\t' 'NR > 1' "$1" | wc -l)
	[ "$unstable" -gt 0 ] || return 0
	echo "**Noise.** $unstable of $total searches are marked unstable (\`?\`: a coefficient of variation" \
		"of the wall time over 10%, or fewer than 5 repetitions). Load from other programs on the machine" \
		"(its load average is in the machine section) lands on some repetitions and not others: read the min–max ranges," \
		"not the medians alone, and rerun on a quiet machine before leaning on a close call."
	echo
}
