# Shared helpers of the command-line tests: a scratch directory, assertions that count,
# and a closing line. Sourced, not run.
set -u
EVOPAR=${EVOPAR:-bin/evopar}
T=$(mktemp -d)
# Every run a test starts names $T in its command line (--out, --migration-dir): whatever
# way the test ends, a time-out included, none of them outlives it.
cleanup() {
	pkill -KILL -f -- "$T" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
passes=0
fails=0

ok() { passes=$((passes + 1)); }
bad() { fails=$((fails + 1)); echo "  FAIL: $*" >&2; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }

# the value of a JSON field in the last record of a file (or stdin)
field() { python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])][-1]; print(r.get(sys.argv[2], ""))' "$1" "$2"; }

finish() {
	echo "$(basename "$0"): $passes passed, $fails failed"
	[ "$fails" = 0 ]
}
