#!/usr/bin/env bash
# evopar search: every backend (mpi under mpirun -np 2 and -np 3) runs the same trials with the
# same params and values as sequential; bad input exits 2 with one line; a worker or rank
# killed from outside fails the search with exit 3 and a summary naming it; a search killed
# with -9 resumes from its temp file without rerunning what it recorded; SIGINT interrupts.
. "$(dirname "$0")/lib.sh"

# as root, mpirun refuses to start without these; -np 3 is oversubscribed on two cores,
# where idle ranks must yield their core (DESIGN.md, "Open MPI here")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPI2=(mpirun -np 2)
MPI3=(mpirun -np 3 --oversubscribe -x OMPI_MCA_mpi_yield_when_idle=1)

TINY="--quiet --pop 30 --gens 3 --steps 100"
SHORT="--quiet --pop 50 --gens 12 --steps 300"     # ~0.1 s a trial: long enough to kill
LONG="--quiet --pop 100 --gens 40"                 # a second or so a trial

# CMD: the command line that starts a search with backend $1; "mpiN" is mpi under -np N
# (an array, not a function, so that timeout(1) can run it and $! is the process itself)
cmd_for() {
	case $1 in
	mpi2) CMD=("${MPI2[@]}" "$EVOPAR" search --backend mpi) ;;
	mpi3) CMD=("${MPI3[@]}" "$EVOPAR" search --backend mpi) ;;
	*) CMD=("$EVOPAR" search --backend "$1") ;;
	esac
}
BACKENDS="sequential threads fork-pool persistent thread-limited mpi2 mpi3"

none_left() { sleep 0.3; ! pgrep -f "$T" >/dev/null; }
# wait until a file matching the glob holds at least N trial records (or 20 s pass)
wait_trials() {
	for _ in $(seq 400); do
		[ "$(cat $1 2>/dev/null | grep -c '"type":"trial"')" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# --- every backend runs sequential's trials ------------------------------------------
"$EVOPAR" search --backend sequential --trials 7 $TINY --out "$T/ref.jsonl"
check "sequential: exit 0" [ $? = 0 ]
same_trials() {
	python3 - "$T/ref.jsonl" "$1" <<'PY'
import json, sys
def trials(path):
    recs = [json.loads(l) for l in open(path)]
    assert recs[0]["type"] == "meta" and recs[-1]["type"] == "summary", path
    assert recs[-1]["status"] == "ok", recs[-1]
    return sorted((r["id"], json.dumps(r["params"], sort_keys=True), r["value"])
                  for r in recs if r["type"] == "trial")
a, b = trials(sys.argv[1]), trials(sys.argv[2])
assert [t[0] for t in a] == list(range(7)), a
assert a == b, (a, b)
PY
}
for b in $BACKENDS; do
	for jobs in 2 3; do
		cmd_for $b
		timeout 60 "${CMD[@]}" --trials 7 --jobs $jobs $TINY --out "$T/d-$b-$jobs.jsonl" 2>"$T/err"
		rc=$?
		check "$b --jobs $jobs: exit 0 (got $rc: $(head -c 300 "$T/err"))" [ "$rc" = 0 ]
		check "$b --jobs $jobs: sequential's ids, params and values" same_trials "$T/d-$b-$jobs.jsonl"
		case $b in mpi*) break ;; esac   # mpirun's -np decides, not --jobs
	done
done
check "thread-limited: the summary says BLAS was pinned to 1 thread" \
	[ "$(field "$T/d-thread-limited-2.jsonl" worker_blas_threads)" = 1 ]
check "mpi -np 3: 2 ranks ran trials" [ "$(field "$T/d-mpi3-2.jsonl" jobs)" = 2 ]
check "mpi -np 3: trials ran on ranks 1 and 2 only" jqt -s '[.[] | select(.type == "trial") | .worker] | unique
	| length > 0 and all(. == 1 or . == 2)' "$T/d-mpi3-2.jsonl"

# --- bad input: exit 2, one line, nothing written ---------------------------------------
printf 'p-add-node float 0.5 0.1\n' >"$T/bad.space"
cases=(
	"--backend nope|--backend: expected one of: sequential"
	"--jobs 0|--jobs: expected an integer from 1"
	"--space $T/bad.space|LOW <= HIGH"
	"--space $T/missing.space|No such file"
	"--backend mpi|mpirun -np K"
)
for c in "${cases[@]}"; do
	args=${c%%|*}
	want=${c#*|}
	# shellcheck disable=SC2086
	"$EVOPAR" search $args $TINY --trials 2 --out "$T/bad.jsonl" 2>"$T/err"
	rc=$?
	check "'$args' exits 2 (got $rc)" [ "$rc" = 2 ]
	check "'$args' says: $want" grep -qF -- "$want" "$T/err"
	check "'$args' prints one line" [ "$(wc -l <"$T/err")" = 1 ]
	check "'$args' writes nothing" [ -z "$(ls "$T" | grep bad.jsonl)" ]
done

# --- a worker killed from outside: exit 3, a failed summary naming it -------------------
killed_summary() {
	jqt -s --argjson pid "$2" '.[-1] as $s | .[0].type == "meta" and $s.type == "summary" and $s.status == "failed"
		and $s.worker_pid == $pid and $s.trials_done == (map(select(.type == "trial")) | length)' "$1"
}
for b in fork-pool persistent thread-limited; do
	timeout 60 "$EVOPAR" search --backend $b --trials 40 --jobs 2 $LONG --out "$T/k-$b.jsonl" 2>"$T/err" &
	main=$!
	sleep 0.5
	evopar=$(pgrep -P $main | head -n 1)            # $main is timeout(1)
	victim=$(pgrep -P "${evopar:-0}" | head -n 1)
	kill -KILL "${victim:-0}"
	wait $main
	rc=$?
	check "$b, worker killed: exit 3 (got $rc)" [ "$rc" = 3 ]
	check "$b, worker killed: the summary names pid $victim" killed_summary "$T/k-$b.jsonl" "$victim"
	check "$b, worker killed: one error line names it" grep -q "$b worker [0-9] (pid $victim) .*signal 9" "$T/err"
	check "$b, worker killed: no process left" none_left
done

# A dead rank: mpirun sees it and ends the job (SIGTERM to the others, SIGKILL a second
# later); rank 0 writes its failed summary naming the rank in that second and exits 3, while
# mpirun reports the dead rank's own end (137 = 128 + SIGKILL).
timeout 60 "${MPI3[@]}" "$EVOPAR" search --backend mpi --trials 40 $LONG --out "$T/k-mpi.jsonl" 2>"$T/err" &
main=$!
wait_trials "$T/k-mpi.jsonl.tmp.*" 1
victim=$(for f in "$T"/k-mpi.jsonl.tmp.*; do
	jq -r 'select(.type == "trial") | .pid' "$f" 2>/dev/null | head -n 1; break; done)
kill -KILL "${victim:-0}"
wait $main
rc=$?
check "mpi, rank killed: mpirun fails (got $rc)" [ "$rc" != 0 ]
check "mpi, rank killed: mpirun fails, not by the test\'s time limit (got $rc)" [ "$rc" != 124 ]
check "mpi, rank killed: rank 0's summary names pid $victim" killed_summary "$T/k-mpi.jsonl" "$victim"
check "mpi, rank killed: rank 0's error line names the rank" grep -q "mpi rank [12] (pid $victim" "$T/err"
check "mpi, rank killed: no process left" none_left

# --- kill -9 the main process mid-search, then --resume its temp file ---------------------
"$EVOPAR" search --backend sequential --trials 10 $SHORT --out "$T/ref10.jsonl"
resumed() {
	python3 - "$T/ref10.jsonl" "$1" "$2" <<'PY'
import json, sys
def trials(path):
    return {r["id"]: r for r in map(json.loads, open(path)) if r.get("type") == "trial"}
ref, got, kept = trials(sys.argv[1]), trials(sys.argv[2]), trials(sys.argv[3])
assert sorted(got) == list(range(10)), sorted(got)
assert all((got[i]["params"], got[i]["value"]) == (ref[i]["params"], ref[i]["value"]) for i in ref)
# the kept trials are copied, not run again: same pid and start as in the killed search
assert all(got[i]["pid"] == kept[i]["pid"] and got[i]["start_s"] == kept[i]["start_s"]
           for i in kept), "a recorded trial ran again"
assert 0 < len(kept) < 10, len(kept)
PY
}
for b in $BACKENDS; do
	rm -f "$T"/r.jsonl*
	cmd_for $b
	"${CMD[@]}" --trials 10 --jobs 2 $SHORT --out "$T/r.jsonl" 2>/dev/null &
	main=$!
	wait_trials "$T/r.jsonl.tmp.*" 3
	case $b in
	mpi*)   # rank 0: the one of mpirun's children that holds the temp file open
		for p in $(pgrep -P $main); do
			ls -l /proc/$p/fd 2>/dev/null | grep -q r.jsonl.tmp && kill -KILL $p
		done ;;
	*) kill -KILL $main ;;
	esac
	wait $main 2>/dev/null
	tmp=$(ls "$T"/r.jsonl.tmp.* | head -n 1)
	cp "$tmp" "$T/kept.jsonl"
	check "$b, killed: no process left" none_left
	timeout 60 "${CMD[@]}" --trials 10 --jobs 2 $SHORT --resume "$tmp" --out "$T/r2-$b.jsonl" 2>"$T/err"
	rc=$?
	check "$b, resumed: exit 0 (got $rc)" [ "$rc" = 0 ]
	check "$b, resumed: all 10 trials, the kept ones not run again" resumed "$T/r2-$b.jsonl" "$T/kept.jsonl"
done

# --- SIGINT: status interrupted, exit 130, nothing left --------------------------------
for b in fork-pool persistent thread-limited threads; do
	"$EVOPAR" search --backend $b --trials 40 --jobs 2 $SHORT --out "$T/i-$b.jsonl" &
	main=$!
	sleep 0.5
	kill -INT $main
	wait $main
	rc=$?
	check "$b, SIGINT: exit 130 (got $rc)" [ "$rc" = 130 ]
	check "$b, SIGINT: status interrupted" [ "$(field "$T/i-$b.jsonl" status)" = interrupted ]
	check "$b, SIGINT: no process left" none_left
done
# under mpirun the user signals mpirun, which sends SIGTERM to every rank
"${MPI3[@]}" "$EVOPAR" search --backend mpi --trials 40 $LONG --out "$T/i-mpi.jsonl" 2>/dev/null &
main=$!
wait_trials "$T/i-mpi.jsonl.tmp.*" 1
kill -INT $main
wait $main
check "mpi, SIGINT to mpirun: rank 0's status interrupted" [ "$(field "$T/i-mpi.jsonl" status)" = interrupted ]
check "mpi, SIGINT to mpirun: no process left" none_left

finish
