#!/usr/bin/env bash
# The fault matrix: every process strategy (fork-pool, persistent over pipes and over shared
# memory, islands) and every process search backend (fork-pool, persistent, thread-limited),
# each faced with a worker SIGKILLed, a worker SIGSTOPped, and the main process sent SIGTERM,
# SIGINT and SIGKILL. For each case: the exit code (3, 130, 137), the end within the timeout
# + 5 s, no process of the run left (by pid and start time, recorded before the fault), no
# shared memory segment and no temp directory left, and the records whole (a killed run's
# --out absent). Cases run a few at a time, each in its own directory and $TMPDIR.
. "$(dirname "$0")/lib.sh"

TIMEOUT=2
# a search's trial must end within its timeout: short trials, and a timeout that a loaded
# machine's slowest trial stays well under (a STOPped worker still fails it)
SEARCH_TIMEOUT=6
PARALLEL=${FAULT_MATRIX_JOBS:-3}
RUN="run --quiet --gens 1000000 --workers 2 --worker-timeout $TIMEOUT"
# fork-pool's workers live for one phase: a long evaluate phase (the population soon
# balances the pole for all 1000 steps) is where a signal strikes them at work
FORK_RUN="$RUN --pop 100 --steps 1000"
RUN="$RUN --pop 60 --steps 200"
SEARCH="search --quiet --trials 1000000 --jobs 2 --pop 30 --gens 5 --steps 100 --trial-timeout $SEARCH_TIMEOUT"
# name | options | 1 if its workers live for one phase only (a signal may miss the work)
targets=(
	"fork-pool|$FORK_RUN --strategy fork-pool|1"
	"persistent-pipe|$RUN --strategy persistent --transport pipe|0"
	"persistent-shm|$RUN --strategy persistent --transport shm --worker-scope all|0"
	"islands|$RUN --strategy islands --islands 2 --migrate-every 2|0"
	"search-fork-pool|$SEARCH --backend fork-pool|0"
	"search-persistent|$SEARCH --backend persistent|0"
	"search-thread-limited|$SEARCH --backend thread-limited|0"
)
faults=(worker-KILL worker-STOP main-TERM main-INT main-KILL)

children() { cat /proc/"$1"/task/*/children 2>/dev/null; }
# "pid:start-time" of process $1 (nothing once it is gone), so a reused pid is not taken for it
ident() {
	local pid=$1 s
	s=$(cat /proc/"$pid"/stat 2>/dev/null) || return 0
	# shellcheck disable=SC2086
	set -- ${s##*) }
	echo "$pid:${20}"
}
# of the "pid:start" entries in $1, those still there (a zombie counts: nobody reaped it)
still_there() {
	local e
	for e in $1; do
		[ "$(ident "${e%%:*}")" = "$e" ] && echo "${e%%:*}"
	done
}
record() { local p; for p in "$1" $(descendants "$1"); do ident "$p"; done; }

# Signal the first worker of process $1 with $2 (recorded in $seen first): 0 and its
# "pid:start" in $victim, or 1 when none was there to signal.
strike_worker() {
	local snap p
	snap=$(record "$1")                           # main first, then a child of it
	seen="$seen $snap"
	p=$(echo "$snap" | sed -n 2p | cut -d: -f1)
	[ -n "$p" ] && kill -"$2" "$p" 2>/dev/null || return 1
	victim=$(echo "$snap" | sed -n 2p)
}

# Strike run $1 with fault $2 and set t0. A worker of one phase (ephemeral $3 = 1) may have
# replied just before the signal came: then the run goes on (fork-pool ends a stopped
# worker that owes nothing after --worker-timeout, and takes a killed one's end as its
# exit). That is a miss, and the strike is made again, t0 with it, until the run ends.
strike() {
	local main=$1 fault=$2 ephemeral=$3 sig=${2#*-} until=$(($(date +%s) + 30))
	if [ "${fault%-*}" = main ]; then
		seen="$seen $(record "$main")"
		kill -"$sig" "$main"
		t0=$(now)
		victim="$main:"
		return
	fi
	while kill -0 "$main" 2>/dev/null && [ "$(date +%s)" -lt $until ]; do
		if ! strike_worker "$main" "$sig"; then
			sleep 0.02
			continue
		fi
		t0=$(now)
		[ "$ephemeral" = 1 ] || return
		if [ "$sig" = STOP ]; then              # a miss: the stopped one ends, the run not
			while kill -0 "$main" 2>/dev/null && [ "$(ident "${victim%%:*}")" = "$victim" ] &&
				[ "$(date +%s)" -lt $until ]; do
				sleep 0.05
			done
		else                                    # a miss: the run is there a second later
			for _ in $(seq 20); do
				kill -0 "$main" 2>/dev/null || return
				sleep 0.05
			done
		fi
	done
}

# One case, in the background: its findings go to files in its directory $1.
run_case() {
	local dir=$1 opts=$2 ephemeral=$3 fault=$4 main t0="" t1 victim="" seen="" watchdog p e left=""
	mkdir -p "$dir/tmp"
	# shellcheck disable=SC2086
	TMPDIR="$dir/tmp" "$EVOPAR" $opts --out "$dir/out.jsonl" 2>"$dir/err" &
	main=$!
	for _ in $(seq 200); do                       # a worker up, and into its work
		[ -n "$(children $main)" ] && break
		sleep 0.05
	done
	sleep 0.3
	strike $main "$fault" "$ephemeral"
	t0=${t0:-$(now)}
	watchdog=$(($(date +%s) + SEARCH_TIMEOUT + 20))
	{
		while kill -0 $main; do
			[ "$(date +%s)" -ge $watchdog ] && kill -KILL $main && echo watchdog >"$dir/killed"
			sleep 0.05
		done
		wait $main
		echo $? >"$dir/rc"
	} 2>/dev/null
	t1=$(now)
	echo "$t0 $t1" >"$dir/times"
	echo "${victim%%:*}" >"$dir/victim"
	for _ in $(seq 40); do                        # the dying get a moment to be reaped
		left=$(still_there "$seen")
		[ -z "$left" ] && break
		sleep 0.05
	done
	echo "$left" >"$dir/left"
	echo "$seen" | tr ' ' '\n' | grep . | cut -d: -f1 | sort -u >"$dir/pids"
	while read -r p; do                           # chan.c names a segment evopar-PID-N
		for e in /dev/shm/evopar-"$p"-*; do
			[ -e "$e" ] && echo "$e"
		done
	done <"$dir/pids" >"$dir/shm"
	ls -A "$dir/tmp" >"$dir/tmp-at-end"
	# a killed islands run's private directory goes at the start of the next islands run
	if [ "$fault" = main-KILL ]; then
		TMPDIR="$dir/tmp" "$EVOPAR" run --quiet --strategy islands --pop 8 --gens 1 \
			--out "$dir/next.jsonl" 2>/dev/null
	fi
	ls -A "$dir/tmp" >"$dir/tmp-after"
}

# $2 - $1 < $3 (lib.sh's elapsed_below, without a python start for each of 35 cases)
within() { awk -v a="$1" -v b="$2" -v c="$3" 'BEGIN { exit !(b - a < c) }'; }

# every line a JSON record, meta first, a summary last with status $2
records_whole() {
	jqt -s --arg status "$2" '.[0].type == "meta" and .[-1].type == "summary" and .[-1].status == $status' "$1"
}

start=$(now)
n=0
for t in "${targets[@]}"; do
	IFS='|' read -r name opts ephemeral <<<"$t"
	for f in "${faults[@]}"; do
		run_case "$T/$name.$f" "$opts" "$ephemeral" "$f" 2>/dev/null &   # (bash's "Killed")
		n=$((n + 1))
		[ $((n % PARALLEL)) = 0 ] && wait -n
	done
done
wait
end=$(now)

for t in "${targets[@]}"; do
	IFS='|' read -r name _ _ <<<"$t"
	for f in "${faults[@]}"; do
		d="$T/$name.$f"
		c="$name, $f"
		rc=$(cat "$d/rc" 2>/dev/null)
		case $f in
		worker-*) want=3 ;;
		main-KILL) want=137 ;;
		*) want=130 ;;
		esac
		read -r t0 t1 <"$d/times"
		check "$c: the fault struck a process (pid $(cat "$d/victim"))" [ -n "$(cat "$d/victim")" ]
		check "$c: exit $want (got $rc: $(head -c 200 "$d/err"))" [ "$rc" = $want ]
		took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
		case $name in search-*) limit=$SEARCH_TIMEOUT ;; *) limit=$TIMEOUT ;; esac
		check "$c: ended within the timeout + 5 s (took $took s)" within "$t0" "$t1" $((limit + 5))
		check "$c: no process left (of $(wc -l <"$d/pids"); left: $(cat "$d/left"))" [ -z "$(cat "$d/left")" ]
		check "$c: no shared memory segment left ($(cat "$d/shm"))" [ ! -s "$d/shm" ]
		if [ "$f" = main-KILL ]; then
			check "$c: no temp directory left once the next islands run started" [ ! -s "$d/tmp-after" ]
			check "$c: no --out under its final name" [ ! -e "$d/out.jsonl" ]
			# (the --out temp file beside it is the harness's: see the fault-1 fix of issue 17)
		else
			check "$c: no temp directory left ($(cat "$d/tmp-at-end"))" [ ! -s "$d/tmp-at-end" ]
			case $f in worker-*) status=failed ;; *) status=interrupted ;; esac
			check "$c: --out whole: meta first, summary '$status' last, every line JSON" \
				records_whole "$d/out.jsonl" $status
		fi
	done
done
echo "fault matrix: ${#targets[@]} targets x ${#faults[@]} faults in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s"
finish
