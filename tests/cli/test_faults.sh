#!/usr/bin/env bash
# Faults of the process strategies: a worker killed (planted, and from outside), hung or
# writing garbage ends the run within --worker-timeout plus a few seconds with exit code 3
# and a failed summary naming the worker, its pid, the phase and the generation; nothing
# is left behind (process, zombie, shared memory) and the records already written stay.
. "$(dirname "$0")/lib.sh"

shm_before=$(ls /dev/shm | grep -c evopar)

# no process whose command line names this test's scratch directory survives the run
no_leftovers() { sleep 0.2; ! pgrep -f "$T" >/dev/null; }

# a failed run's file: records parse, generations before the fault are there, and the summary
failed_summary() {
	jqt -s --argjson worker "$2" --arg phase "$3" --arg signal "$4" '.[-1] as $s
		| [.[] | select(.type == "generation") | .gen] as $g
		| .[0].type == "meta" and $s.type == "summary" and $s.status == "failed" and $s.worker == $worker
		and $s.worker_pid > 0 and $s.phase == $phase and ($s | has("gen"))
		and ($signal == "-" or $s.worker_signal == ($signal | tonumber)) and $g == [range($g | length)]' "$1"
}

# strategy options | fault | worker | phase | signal or -
cases=(
	"--strategy fork-pool --start fork|kill:1:mutate:2|1|mutate|9"
	"--strategy fork-pool --start spawn|kill:0:evaluate:1|0|evaluate|9"
	"--strategy persistent --transport pipe|kill:1:mutate:2|1|mutate|9"
	"--strategy persistent --transport shm --worker-scope all|kill:0:evaluate:2|0|evaluate|9"
	"--strategy persistent --worker-scope all|kill:1:resample:1|1|resample|9"
	"--strategy fork-pool|hang:0:mutate:1|0|mutate|-"
	"--strategy persistent --transport shm --worker-scope all|hang:1:prepare:1|1|prepare|-"
	"--strategy fork-pool --start spawn|garbage:1:evaluate:1|1|evaluate|-"
	"--strategy persistent --transport pipe|garbage:0:mutate:2|0|mutate|-"
	"--strategy persistent --transport shm|garbage:1:mutate:1|1|mutate|-"
)
i=0
for c in "${cases[@]}"; do
	IFS='|' read -r opts fault worker phase sig <<<"$c"
	i=$((i + 1))
	start=$(date +%s)
	# shellcheck disable=SC2086
	timeout 60 "$EVOPAR" run --quiet --pop 40 --gens 6 --steps 100 --workers 2 $opts \
		--inject-fault "$fault" --worker-timeout 2 --out "$T/f$i.jsonl" 2>"$T/err$i"
	rc=$?
	took=$(($(date +%s) - start))
	check "$opts $fault: exit 3 (got $rc)" [ "$rc" = 3 ]
	check "$opts $fault: ended within timeout + 5 s (took $took s)" [ "$took" -le 7 ]
	check "$opts $fault: summary names worker, pid, phase, gen" failed_summary "$T/f$i.jsonl" "$worker" "$phase" "$sig"
	check "$opts $fault: one error line names the worker" grep -q "worker $worker (pid [0-9]*) in $phase" "$T/err$i"
	check "$opts $fault: no process left" no_leftovers
done

# a worker killed from outside, mid-run: fork-pool's workers live for one phase, so keep
# killing whichever worker is alive until the main process notices
for opts in "--strategy persistent --worker-scope all" "--strategy fork-pool"; do
	# shellcheck disable=SC2086
	timeout 60 "$EVOPAR" run --quiet --pop 200 --gens 2000 --workers 2 $opts --out "$T/o.jsonl" &
	main=$!
	killed=""
	sleep 0.3
	for _ in $(seq 200); do
		kill -0 $main 2>/dev/null || break
		evopar_main=$(pgrep -P $main | head -n 1)     # $main is timeout(1)
		victim=$(pgrep -P "${evopar_main:-0}" | head -n 1)
		[ -n "$victim" ] && kill -KILL "$victim" 2>/dev/null && killed="$killed $victim"
		sleep 0.05
	done
	wait $main
	rc=$?
	check "$opts, killed from outside: exit 3 (got $rc)" [ "$rc" = 3 ]
	check "$opts, killed from outside: summary names a killed pid and signal 9" jqt -s --arg killed "$killed" '
		.[-1] as $s | ($killed | split(" ") | map(select(. != "") | tonumber)) as $pids
		| $s.status == "failed" and $s.worker_signal == 9 and any($pids[]; . == $s.worker_pid)' "$T/o.jsonl"
	check "$opts, killed from outside: no process left" no_leftovers
done

# the main process interrupted: a clean end with status interrupted
for sig in INT TERM; do
	"$EVOPAR" run --quiet --pop 200 --gens 100000 --workers 2 --strategy persistent \
		--transport shm --worker-scope all --out "$T/i.jsonl" &
	main=$!
	sleep 1
	kill -$sig $main
	wait $main
	rc=$?
	check "SIG$sig: exit 130 (got $rc)" [ "$rc" = 130 ]
	check "SIG$sig: status interrupted" [ "$(field "$T/i.jsonl" status)" = interrupted ]
	check "SIG$sig: no process left" no_leftovers
done

check "no shared memory segment left in /dev/shm" [ "$(ls /dev/shm | grep -c evopar)" = "$shm_before" ]
finish
