#!/usr/bin/env bash
# The sequential reference runs on one thread: a `--strategy sequential` run's process holds
# its main thread and, with the sampler on, the sampler's ("evopar-sampler"), and nothing else
# (OpenBLAS's pool, started when the library loads, is ended: strategies/common/blas.c).
. "$(dirname "$0")/lib.sh"

# the names of the threads of a running `evopar run`, sorted, read once its first generation
# record is out (the strategy is open and the instruments started by then); the run is then
# ended with SIGTERM
thread_names() {
	local out=$1 pid i
	shift
	"$EVOPAR" run --quiet --pop 100 --gens 100000 --stall-timeout 0 "$@" --out - >"$out" &
	pid=$!
	for i in $(seq 1 300); do
		grep -q '"type":"generation"' "$out" 2>/dev/null && break
		sleep 0.1
	done
	for t in /proc/$pid/task/*/comm; do cat "$t"; done | sort | tr '\n' ' '
	kill -TERM $pid
	wait $pid
}

for mode in dynamic static; do
	names=$(thread_names "$T/seq-$mode.jsonl" --strategy sequential --mode $mode)
	check "$mode: sequential holds its main thread and the sampler's ($names)" \
		[ "$names" = "evopar evopar-sampler " ]
	check "$mode: the run ended cleanly on SIGTERM" \
		sh -c 'tail -n 1 "$1" | jq -e ".type == \"summary\" and .status == \"interrupted\"" >/dev/null' _ "$T/seq-$mode.jsonl"
	check "$mode: meta says OpenBLAS runs one thread" \
		sh -c 'head -n 1 "$1" | jq -e ".blas.threads == 1" >/dev/null' _ "$T/seq-$mode.jsonl"
	# the sampler leaves itself out; its first samples may still see the pool, ended at open
	check "$mode: the sampler's last looks saw one thread of the run" \
		sh -c 'tail -n 1 "$1" | jq -e ".sampler.timeline.threads[-5:] == [1,1,1,1,1]" >/dev/null' _ "$T/seq-$mode.jsonl"
done
names=$(thread_names "$T/seq-quiet.jsonl" --strategy sequential --sample-ms 0)
check "without the sampler: the main thread alone ($names)" [ "$names" = "evopar " ]
# --blas-threads is the user's: sequential leaves a count asked for alone
"$EVOPAR" run --quiet --pop 20 --gens 2 --strategy sequential --blas-threads 2 --out "$T/blas2.jsonl"
check "--blas-threads 2 stays 2 under sequential" \
	sh -c 'head -n 1 "$1" | jq -e ".blas.threads == 2" >/dev/null' _ "$T/blas2.jsonl"
finish
