#!/usr/bin/env bash
# --stall-timeout: a run or a search that makes no progress for that long ends as a failure
# (exit 3, a failed summary whose error names what it was waiting for), within the timeout
# plus a few seconds, leaving no process behind; 0 turns the watchdog off; bad values exit 2.
. "$(dirname "$0")/lib.sh"

# no process whose command line names this test's scratch directory survives the run
no_leftovers() { sleep 0.2; none_left "$T"; }

# the summary of $1 is failed and its error holds every one of the other arguments
failed_naming() {
	jqt -s '.[-1] as $s | $s.type == "summary" and $s.status == "failed"
		and all($ARGS.positional[]; . as $want | $s.error // "" | contains($want))' "$1" --args "${@:2}"
}

# (a), (b): a worker hangs in evaluate of generation 2; the worker timeout is far away, the
# stall timeout is what ends the run
for opts in "--strategy persistent --worker-scope all" "--strategy fork-pool"; do
	name=${opts#--strategy }
	name=${name%% *}
	t0=$(now)
	# shellcheck disable=SC2086
	timeout 60 "$EVOPAR" run --quiet --pop 40 --gens 6 --steps 100 --workers 2 $opts \
		--inject-fault hang:0:evaluate:2 --worker-timeout 60 --stall-timeout 2 \
		--out "$T/$name.jsonl" 2>"$T/$name.err"
	rc=$?
	t1=$(now)
	check "$name, hung worker: exit 3 (got $rc)" [ "$rc" = 3 ]
	check "$name, hung worker: ended within stall timeout + 5 s" elapsed_below "$t0" "$t1" 7
	check "$name, hung worker: failed summary names the stall, generation, phase and strategy" \
		failed_naming "$T/$name.jsonl" "no generation finished for 2 s" "generation 2" \
		"phase evaluate" "($name)"
	check "$name, hung worker: summary phase and gen fields" jqt -s '.[-1] | [.phase, .gen, .gens_done] == ["evaluate", 2, 2]' \
		"$T/$name.jsonl"
	check "$name, hung worker: the records before the stall are intact" records_intact "$T/$name.jsonl"
	check "$name, hung worker: one line on stderr names the stall" \
		[ "$(grep -c "no generation finished for 2 s: waiting for generation 2, phase evaluate" "$T/$name.err")" = 1 ]
	check "$name, hung worker: no process left" no_leftovers
done

# (c): a search whose trial workers are stopped from outside (SIGSTOP): the farm must kill
# its group, the stopped workers too
timeout 60 "$EVOPAR" search --quiet --backend persistent --jobs 2 --trials 40 --gens 30 --pop 20 \
	--steps 100 --trial-timeout 600 --stall-timeout 2 --out "$T/s.jsonl" 2>"$T/s.err" &
main=$!
workers=""
for _ in $(seq 100); do
	search_pid=$(pgrep -P $main | head -n 1)        # $main is timeout(1)
	workers=$(pgrep -P "${search_pid:-0}" | tr '\n' ' ')
	[ "$(wc -w <<<"$workers")" = 2 ] && break
	sleep 0.05
done
t0=$(now)
for w in $workers; do kill -STOP "$w"; done
wait $main
rc=$?
t1=$(now)
check "search, workers stopped: two workers found and stopped ($workers)" [ "$(wc -w <<<"$workers")" = 2 ]
check "search, workers stopped: exit 3 (got $rc)" [ "$rc" = 3 ]
check "search, workers stopped: ended within stall timeout + 5 s" elapsed_below "$t0" "$t1" 7
check "search, workers stopped: failed summary names the stall and the trials" \
	failed_naming "$T/s.jsonl" "no trial finished for 2 s: waiting for" "(persistent, 2 jobs)"
check "search, workers stopped: one line on stderr names the stall" \
	[ "$(grep -c "no trial finished for 2 s" "$T/s.err")" = 1 ]
check "search, workers stopped: the stopped workers are gone" \
	sh -c 'for p in $0; do [ ! -e "/proc/$p" ] || exit 1; done' "$workers"
check "search, workers stopped: no process left" no_leftovers

# (d): 0 never fires; a run and a search that progress are not stalls
"$EVOPAR" run --quiet --pop 20 --gens 5 --steps 50 --strategy persistent --workers 2 \
	--stall-timeout 0 --out "$T/z.jsonl"
check "run --stall-timeout 0: exit 0" [ $? = 0 ]
check "run --stall-timeout 0: status ok" [ "$(field "$T/z.jsonl" status)" = ok ]
"$EVOPAR" run --quiet --pop 20 --gens 5 --steps 50 --strategy fork-pool --workers 2 \
	--stall-timeout 30 --out "$T/n.jsonl"
check "run --stall-timeout 30, a normal run: exit 0" [ $? = 0 ]
check "run --stall-timeout 30, a normal run: status ok" [ "$(field "$T/n.jsonl" status)" = ok ]
"$EVOPAR" search --quiet --backend persistent --trials 4 --gens 3 --pop 10 --steps 30 \
	--stall-timeout 0 --out "$T/sz.jsonl"
check "search --stall-timeout 0: exit 0" [ $? = 0 ]
check "search --stall-timeout 0: status ok" [ "$(field "$T/sz.jsonl" status)" = ok ]
"$EVOPAR" search --quiet --backend threads --trials 4 --gens 3 --pop 10 --steps 30 \
	--stall-timeout 30 --out "$T/sn.jsonl"
check "search --stall-timeout 30, a normal search: exit 0" [ $? = 0 ]
check "search --stall-timeout 30, a normal search: status ok" [ "$(field "$T/sn.jsonl" status)" = ok ]

# (e): bad values: exit 2, one line naming the option, nothing written
for cmd in run search; do
	for v in -1 x; do
		"$EVOPAR" "$cmd" --stall-timeout "$v" --out "$T/bad.jsonl" >/dev/null 2>"$T/bad.err"
		rc=$?
		check "$cmd --stall-timeout $v: exit 2 (got $rc)" [ "$rc" = 2 ]
		check "$cmd --stall-timeout $v: names the option" grep -q -- "--stall-timeout" "$T/bad.err"
		check "$cmd --stall-timeout $v: one line" [ "$(wc -l <"$T/bad.err")" = 1 ]
		check "$cmd --stall-timeout $v: nothing written" [ ! -e "$T/bad.jsonl" ]
	done
done

finish
