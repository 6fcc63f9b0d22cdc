#!/usr/bin/env bash
# evopar search --trial-timeout: a trial worker stopped from outside (kill -STOP: alive, never
# answering) fails the search with exit 3 within the timeout plus a few seconds, a failed
# summary naming the backend's worker, its pid and its trial, and no process left behind:
# the stopped one included, which only SIGKILL to the pool's group ends.
. "$(dirname "$0")/lib.sh"

TIMEOUT=2
TRIALS="--quiet --trials 8 --jobs 2 --pop 100 --gens 40"   # a second or so a trial

none_left() { sleep 0.3; ! pgrep -f "$T" >/dev/null; }
gone() { ! kill -0 "$1" 2>/dev/null; }
is_worker() { case $1 in 0 | 1) return 0 ;; esac; return 1; }   # --jobs 2
# the first child of process $1 within 10 s, or nothing
first_child() {
	local c
	for _ in $(seq 200); do
		c=$(pgrep -P "$1" | head -n 1)
		[ -n "$c" ] && { echo "$c"; return 0; }
		sleep 0.05
	done
	return 1
}
# the summary's error names worker W (pid P) of backend B and the trial it was running
names_trial() {
	jqt -s --arg b "$2" --arg w "$3" --arg p "$4" \
		'.[-1].error // "" | test("^" + $b + " worker " + $w + " \\(pid " + $p + "\\) running trial [0-9]+: ")' "$1"
}

for b in persistent fork-pool thread-limited; do
	out="$T/t-$b.jsonl"
	timeout 60 "$EVOPAR" search --backend $b $TRIALS --trial-timeout $TIMEOUT --out "$out" \
		2>"$T/err-$b" &
	main=$!                                       # timeout(1); evopar is its child
	evopar=$(first_child $main)
	victim=$(first_child "${evopar:-0}")
	sleep 0.3                                     # into its first trial
	kill -STOP "${victim:-0}"
	t0=$(now)
	wait $main
	rc=$?
	t1=$(now)
	check "$b: found a trial worker to stop (pid ${victim:-none})" [ -n "$victim" ]
	check "$b, worker stopped: exit 3 (got $rc)" [ "$rc" = 3 ]
	check "$b, worker stopped: ended within --trial-timeout + 5 s" elapsed_below "$t0" "$t1" $((TIMEOUT + 5))
	check "$b, worker stopped: summary status failed" [ "$(summary "$out" status)" = failed ]
	worker=$(summary "$out" worker)
	check "$b, worker stopped: the summary names a worker (got '$worker')" is_worker "$worker"
	check "$b, worker stopped: the summary names pid $victim" [ "$(summary "$out" worker_pid)" = "$victim" ]
	check "$b, worker stopped: the summary names the worker, its pid and its trial" \
		names_trial "$out" "$b" "$worker" "$victim"
	check "$b, worker stopped: one error line says it outran --trial-timeout" \
		grep -q "$b worker $worker (pid $victim) running trial [0-9]*: not done within --trial-timeout $TIMEOUT s" "$T/err-$b"
	check "$b, worker stopped: the stopped worker is gone" gone "${victim:-0}"
	check "$b, worker stopped: no process of the search left" none_left
done

finish
