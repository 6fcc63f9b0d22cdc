#!/usr/bin/env bash
# The verdict rules of experiments 1, 2 and 4 (`evopar report DIR --verdict experiment-N`) on
# fixture searches.tsv files built to give each outcome: SUPPORTED, REFUTED or NOT SUPPORTED,
# INCONCLUSIVE (an interval holding the boundary, and cells marked ?, with the repetitions
# that would decide), and a missing column (exit 2 naming it, never a verdict).
. "$(dirname "$0")/lib.sh"

COLS="file label backend jobs blas_threads cores reps unstable failed wall_s_reps rss_mib rss_mib_reps
cpu_util cpu_util_min cpu_util_max parallelism parallelism_min parallelism_max max_in_flight
threads_per_process flagged kind"
SEQ="10,10.6,9.7,10.3,10.1"   # the sequential search's wall per round: rounds differ in load

# walls of a search: the sequential round's wall / speedup x factor[r] (1 unless given)
walls() {
	awk -v w="$SEQ" -v sp="$1" -v f="${2:-1,1,1,1,1}" 'BEGIN {
		n = split(w, a, ","); split(f, b, ",")
		for (i = 1; i <= n; i++) printf "%s%.4f", (i > 1 ? "," : ""), a[i] / sp * b[i] }'
}

# one row: LABEL BACKEND JOBS BLAS WALLS [REPS UNSTABLE FAILED]; the other cells fixed
row() {
	local reps=${6:-5} rss="" r w
	w=$(echo "$5" | cut -d, -f "1-$reps")
	for r in $(seq "$reps"); do rss="$rss${rss:+,}$((50 + 20 * $3 + r))"; done
	printf 'bench.jsonl\t%s\t%s\t%s\t%s\t2\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\tno\t-\n' \
		"$1" "$2" "$3" "$4" "$reps" "${7:-0}" "${8:-0}" "$w" $((50 + 20 * $3)) "$rss" \
		"$(awk -v j="$3" 'BEGIN { print 0.95 * (j < 2 ? j : 2) }')" \
		"$(awk -v j="$3" 'BEGIN { print 0.9 * (j < 2 ? j : 2) }')" "$(awk -v j="$3" 'BEGIN { print (j < 2 ? j : 2) }')" \
		"$(awk -v j="$3" 'BEGIN { print 0.95 * (j < 2 ? j : 2) }')" \
		"$(awk -v j="$3" 'BEGIN { print 0.9 * (j < 2 ? j : 2) }')" "$(awk -v j="$3" 'BEGIN { print (j < 2 ? j : 2) }')" \
		"$(( $3 < 2 ? $3 : 2 ))" $((1 + $4))
}

# DIR from rows on stdin, under the heading
fixture() {
	mkdir -p "$T/$1"
	{ echo $COLS | tr ' ' '\t'; cat; } >"$T/$1/searches.tsv"
}

# the verdict of experiment N on DIR: its output in $T/out, its status in $T/rc
verdict() {
	"$EVOPAR" report "$T/$2" --verdict "experiment-$1" >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
}
says() { grep -q "$1" "$T/out"; }
status_is() { [ "$(cat "$T/rc")" = "$1" ]; }

NOISE=1.04,0.97,1.03,0.99,1.01   # a difference well inside the rounds' spread

# --- experiment 1: mpi against fork-pool at 2 jobs --------------------------------------
exp1() {   # DIR MPI-SPEEDUP FORK-POOL-SPEEDUP [FORK-POOL FACTORS] [REPS UNSTABLE]
	{
		row sequential sequential 1 0 "$SEQ"
		for b in threads persistent; do for j in 1 2 4; do row "$b x$j" "$b" "$j" 0 "$(walls 1.7)"; done; done
		for j in 1 4; do row "mpi x$j" mpi "$j" 0 "$(walls 1.5)"; row "fork-pool x$j" fork-pool "$j" 0 "$(walls 1.5)"; done
		row "mpi x2" mpi 2 0 "$(walls "$2")" "${5:-5}" "${6:-0}"
		row "fork-pool x2" fork-pool 2 0 "$(walls "$3" "${4:-}")" "${5:-5}" "${6:-0}"
	} | fixture "$1"
}
exp1 e1-sup 1.9 1.5
verdict 1 e1-sup
check "exp 1: mpi faster beyond the interval: exit 0" status_is 0
check "exp 1: SUPPORTED" says 'Hypothesis (a dynamic scheduler.*): SUPPORTED\*\*'
check "exp 1: the interval is paired" says 'paired.* bootstrap 95% interval'
check "exp 1: the scaling criterion met for mpi" says '^| mpi | 1.90 \[1.90–1.90\] | met |'
check "exp 1: memory grows linearly" says '^| fork-pool | 70.0 | 90.0 | 130 | 20.0 | 1.00 \[1.00–1.00\] | yes |'
exp1 e1-ref 1.4 1.8
verdict 1 e1-ref
check "exp 1: fork-pool faster: REFUTED" says 'Hypothesis (a dynamic scheduler.*): REFUTED\*\*'
check "exp 1: mpi's scaling not met" says '^| mpi | 1.40 \[1.40–1.40\] | not met |'
exp1 e1-inc 1.7 1.7 "$NOISE"
verdict 1 e1-inc
check "exp 1: within the spread: INCONCLUSIVE" says 'Hypothesis (a dynamic scheduler.*): INCONCLUSIVE\*\*'
check "exp 1: says how many more repetitions" says 'needs [0-9]* more repetition'
exp1 e1-marked 1.9 1.5 "" 3 1
verdict 1 e1-marked
check "exp 1: a clear difference in ? cells: INCONCLUSIVE" says 'Hypothesis (a dynamic scheduler.*): INCONCLUSIVE\*\*'
check "exp 1: ? cells with 3 repetitions need 2 more" says 'a cell is marked `?`: .* ? (above 1: mpi faster); needs 2 more repetitions'

# --- experiment 2: process pools, against threads --------------------------------------
exp2() {   # DIR POOL-SPEEDUP THREADS-SPEEDUP [POOL FACTORS] [FAILED]
	{
		row sequential sequential 1 0 "$SEQ"
		for b in fork-pool persistent; do for j in 2 4; do
			row "$b x$j" "$b" "$j" 0 "$(walls "$2" "${4:-}")" 5 0 "${5:-0}"
		done; done
		row "threads x2" threads 2 0 "$(walls "$3")"
		row "threads x4" threads 4 0 "$(walls "$3")"
	} | fixture "$1"
}
exp2 e2-sup 1.8 1.4
verdict 2 e2-sup
check "exp 2: pools faster than threads, none fell back: SUPPORTED" says 'Optuna.*n_jobs): SUPPORTED\*\*'
check "exp 2: the verdict holds the pool-versus-threads comparison" says '^| persistent x2 against threads x2 | 1.29 \[1.29–1.29\] | the pool faster |'
exp2 e2-not 1.8 1.95
verdict 2 e2-not
check "exp 2: threads faster than both pools: NOT SUPPORTED" says 'Optuna.*n_jobs): NOT SUPPORTED\*\*'
exp2 e2-hang 1.8 1.4 "" 1
verdict 2 e2-hang
check "exp 2: a failed run: NOT SUPPORTED" says 'Optuna.*n_jobs): NOT SUPPORTED\*\* — 4 process-pool searches: 4 with failed runs'
exp2 e2-inc 1.6 1.6 "$NOISE"
verdict 2 e2-inc
check "exp 2: pools and threads within the spread: INCONCLUSIVE" says 'Optuna.*n_jobs): INCONCLUSIVE\*\*'
check "exp 2: says how many more repetitions" says 'need up to [0-9]* more repetitions'
check "exp 2: no sentence on another experiment's outcome" sh -c "! grep -qi 'experiment 4' '$T/out'"

# --- experiment 4: oversubscribed searches against their limited twins -----------------
exp4() {   # DIR OVERSUBSCRIBED-FACTOR [FACTORS]
	{
		row sequential sequential 1 1 "$SEQ"
		row "threads x2 blas=1" threads 2 1 "$(walls 1.8)"
		row "persistent x2 blas=1" persistent 2 1 "$(walls 1.8)"
		row "thread-limited x2" thread-limited 2 1 "$(walls 1.8)"
		row "threads x2 blas=2" threads 2 2 "$(walls "$(awk -v f="$2" 'BEGIN { print 1.8 / f }')" "${3:-}")"
		row "persistent x2 blas=2" persistent 2 2 "$(walls "$(awk -v f="$2" 'BEGIN { print 1.8 / f }')" "${3:-}")"
	} | fixture "$1"
}
exp4 e4-sup 1.3
verdict 4 e4-sup
check "exp 4: oversubscribed slower than limited: SUPPORTED" says 'fall back): SUPPORTED\*\*'
check "exp 4: three pairs (persistent also beside thread-limited)" says 'of 3 oversubscribed searches'
check "exp 4: a pair's row" says '^| threads x2 blas=2 | 4 on 2 | 3 | threads x2 blas=1 | 2 | 1.30 \[1.30–1.30\] | yes | no |'
exp4 e4-ref 0.8
verdict 4 e4-ref
check "exp 4: oversubscribed faster: REFUTED" says 'fall back): REFUTED\*\*'
exp4 e4-inc 1 "$NOISE"
verdict 4 e4-inc
check "exp 4: within the spread: INCONCLUSIVE" says 'fall back): INCONCLUSIVE\*\*'
check "exp 4: says how many more repetitions" says 'need up to [0-9]* more repetitions'

# --- a column missing, columns reordered, no table, an unknown name --------------------
for n in 1 2 4; do
	mkdir -p "$T/miss$n"
	cut -f 1-9,11- "$T/e$n-sup/searches.tsv" >"$T/miss$n/searches.tsv"   # no wall_s_reps
	verdict "$n" "miss$n"
	check "exp $n: a missing column is exit 2" status_is 2
	check "exp $n: the error names the column" grep -q "no column 'wall_s_reps'" "$T/err"
	check "exp $n: no verdict without the column" sh -c "! grep -q 'Hypothesis' '$T/out'"
done
mkdir -p "$T/moved"
awk -F'\t' -v OFS='\t' '{ t = $2; $2 = $10; $10 = t; print }' "$T/e1-sup/searches.tsv" >"$T/moved/searches.tsv"
verdict 1 moved
check "columns are read by name, not position" says 'Hypothesis (a dynamic scheduler.*): SUPPORTED\*\*'
mkdir -p "$T/empty"
verdict 1 empty
check "no searches.tsv is exit 2" status_is 2
check "no searches.tsv is named" grep -q 'searches.tsv' "$T/err"
sed 's/\t-\t/\t\t/g' "$T/e4-sup/searches.tsv" >"$T/moved/searches.tsv"
verdict 4 moved
check "empty cells read as missing values, as '-'" says 'fall back): SUPPORTED\*\*'

finish
