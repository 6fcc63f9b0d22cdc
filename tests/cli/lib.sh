# Shared helpers of the command-line tests: a scratch directory, assertions that count,
# and a closing line. Sourced, not run.
set -u
EVOPAR=${EVOPAR:-bin/evopar}
T=$(mktemp -d)
# the pids of every descendant of process $1, each before its own children
descendants() {
	local c
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}
# Whatever way the test ends, a time-out included, nothing it started outlives it: its own
# descendants are killed by pid (never by name or pattern), twice for any forked meanwhile.
cleanup() {
	local pids round
	for round in 1 2; do
		pids=$(descendants $$)
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
passes=0
fails=0

ok() { passes=$((passes + 1)); }
# a failure, with the last lines of $T/err (where the scripts keep a command's stderr) so that
# a failure in CI says why; they may be an earlier command's, and say so
bad() {
	fails=$((fails + 1))
	echo "  FAIL: $*" >&2
	[ -s "$T/err" ] && tail -n 3 "$T/err" | sed 's/^/    last stderr kept: /' >&2
	return 0
}
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }

# a jq test: exit 0 when the filter's last output is true (jq -e), nothing printed
jqt() { jq -e "$@" >/dev/null; }
# the value of a JSON field in the last record of a file
field() { jq -rs --arg k "$2" '.[-1][$k] // ""' "$1"; }

# seconds since the epoch, and whether $2 - $1 < $3 (a run ended in time)
now() { date +%s.%N; }
elapsed_below() { awk -v a="$1" -v b="$2" -v c="$3" 'BEGIN { exit !(b - a < c) }'; }
# no process of the run left: every one of them has the unique marker $1 on its command line
none_left() { ! pgrep -f "$1" >/dev/null; }
# the value of a field of the summary record, for checks on failed runs
summary() { jq -rs --arg k "$2" '.[-1] | if .type == "summary" then .[$k] // "" else error("no summary") end' "$1"; }
# every line is a whole JSON record: meta first, generations 0..N-1 in order, a summary last
records_intact() {
	jq -se '[.[] | select(.type == "generation") | .gen] as $g | .[0].type == "meta" and .[-1].type == "summary"
		and $g == [range($g | length)] and ($g | length) == .[-1].gens_done' "$1" >/dev/null
}

finish() {
	echo "$(basename "$0"): $passes passed, $fails failed"
	[ "$fails" = 0 ]
}
