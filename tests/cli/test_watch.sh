#!/usr/bin/env bash
# evopar watch on real programs (tests/data/watch/): CPU-bound Python threads (GIL), a healthy
# multiprocessing.Pool, a pool facade running its tasks one after another, numpy matrix products
# in several processes with OpenBLAS's default threads, and evopar's own threads backend with a
# large --blas-threads: each gets its expected diagnosis and no other. Then the records, signals,
# exit statuses, --pid, --for, the report and bad input.
. "$(dirname "$0")/lib.sh"

DATA=$(dirname "$0")/../data/watch
# Debian's python3 is the one python3-numpy installs for (make deps); another may come first on PATH
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
export PYTHONDONTWRITEBYTECODE=1     # the shared spin.py leaves no __pycache__ in the tree
cores=$(nproc)
# the first two CPUs this test may use: the numpy and BLAS cases run on them, so that their
# teams (OpenBLAS sizes its own to the CPUs it may use) and the limits are the same on any machine
two_cpus=$(python3 -c 'import os; print(",".join(map(str, sorted(os.sched_getaffinity(0))[:2])))')

# the diagnoses of a watch file's summary, sorted: "healthy", "oversubscription thread_explosion"
kinds() { jq -rs '.[-1].diagnoses | map(.kind) | sort | join(" ")' "$1" 2>/dev/null; }
# a field of the summary's sampler object
sampler() { jq -rs --arg k "$2" '.[-1].sampler[$k]' "$1"; }
code() { "$@" >/dev/null 2>"$T/err"; echo $?; }

if [ "$cores" -lt 2 ]; then
	echo "test_watch.sh: one core: no parallelism to diagnose; the real-program cases are skipped"
else
	# name | expected kinds | jobs | command (each case runs for about 3-4 s)
	cases=(
		"gil|overlap_without_progress|3|$PY $DATA/gil_threads.py 3 3"
		"pool|healthy|2|$PY $DATA/pool_healthy.py 2 3"
		"facade|no_overlap|3|$PY $DATA/pool_facade.py 3 1.2"
		"numpy|oversubscription thread_explosion|6|taskset -c $two_cpus $PY $DATA/numpy_procs.py 6 3"
		"blas|thread_explosion|2|taskset -c $two_cpus $EVOPAR search --backend threads --jobs 2 --blas-threads 64 --trials 16 --gens 15 --seeds 1 --quiet --out $T/search.jsonl"
	)
	for c in "${cases[@]}"; do
		IFS='|' read -r name want jobs cmd <<<"$c"
		t0=$(now)
		# shellcheck disable=SC2086
		"$EVOPAR" watch --jobs "$jobs" --out "$T/$name.jsonl" -- $cmd >"$T/$name.out" 2>"$T/$name.err"
		check "$name: exits 0 like its command" [ $? = 0 ]
		check "$name: under 20 s" elapsed_below "$t0" "$(now)" 20
		got=$(kinds "$T/$name.jsonl")
		if [ "$got" = "$want" ]; then ok; else bad "$name: diagnoses '$got', expected '$want'"; cat "$T/$name.err" >&2; fi
		check "$name: the diagnosis on stderr" grep -q "^evopar watch: diagnosis: " "$T/$name.err"
		check "$name: its evidence on stderr" grep -q "^  evidence: " "$T/$name.err"
		check "$name: a fix on stderr" grep -q "^  fix: " "$T/$name.err"
	done
	check "gil: names the process holding the threads" grep -q "most often in pid [0-9]* (python3)" "$T/gil.err"
	check "gil: says they took turns" grep -q "took turns on one lock" "$T/gil.err"
	check "facade: names the workers that ran one after another" grep -q "busy workers: pids" "$T/facade.err"
	check "numpy: the involuntary context switch rate" grep -q "involuntary context switches [0-9]*/s" "$T/numpy.err"
	check "numpy: threads grouped by name" grep -q "× python3" "$T/numpy.err"
	check "numpy: the thread caps of the environment" grep -q "OPENBLAS_NUM_THREADS unset" "$T/numpy.err"
	check "blas: one process above the limit, by name" grep -q "held 66 threads: 66 × evopar" "$T/blas.err"
	check "healthy: utilisation against the ideal" grep -q "against an ideal of 2" "$T/pool.err"

	# without --jobs the busy worker processes say what was expected
	"$EVOPAR" watch --out "$T/facade2.jsonl" -- "$PY" "$DATA/pool_facade.py" 3 1 2>"$T/facade2.err"
	check "facade without --jobs: no overlap" [ "$(kinds "$T/facade2.jsonl")" = no_overlap ]
	check "facade without --jobs: expected from the workers" grep -q "(busy worker processes)" "$T/facade2.err"

	# the records: meta, then samples with processes and threads, a summary last
	python3 - "$T/pool.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert recs[0]["type"] == "meta" and recs[0]["command"] == "watch", recs[0]
assert recs[0]["argv"][-2:] == ["2", "3"], recs[0]["argv"]
samples = [r for r in recs if r["type"] == "sample"]
assert recs[-1]["type"] == "summary" and len(samples) >= 10, len(samples)
s = samples[len(samples) // 2]
for k in ("t_s", "processes", "threads", "cores", "online_cores", "load_1m", "cpu_util", "runnable",
          "wanted", "states", "rss_kb", "vol_ctx_per_s", "invol_ctx_per_s", "procs"):
    assert k in s, k
assert s["processes"] >= 3, s["processes"]
p = s["procs"][0]
for k in ("pid", "ppid", "comm", "threads", "rss_kb", "cpu_util", "vol", "invol", "thread"):
    assert k in p, k
t = p["thread"][0]
for k in ("tid", "comm", "state", "cpu_s", "wait_s", "vol", "invol"):
    assert k in t, k
assert recs[-1]["status"] == "ok" and recs[-1]["exit_code"] == 0, recs[-1]
PY
	check "records: meta, samples per process and thread, summary" [ $? = 0 ]
	check "sampler cost: CPU per sample recorded" awk -v v="$(sampler "$T/pool.jsonl" cpu_per_sample_us)" 'BEGIN { exit !(v > 0) }'
	check "sampler cost: on stderr" grep -q "cost [0-9]* µs of CPU each" "$T/pool.err"
	check "gil: futex waits visible" grep -q '"state":"futex"' "$T/gil.jsonl"

	# the report: the diagnosis first, a section and its figure
	mkdir -p "$T/r"
	cp "$T/gil.jsonl" "$T/r/"
	"$EVOPAR" report "$T/r" 2>"$T/err" >/dev/null
	check "report: exits 0" [ $? = 0 ]
	check "report: the diagnosis is the first line" grep -q "overlap without progress" <(head -n 1 "$T/r/report.md")
	check "report: a section on the watched job" grep -q "^## Watched: gil.jsonl" "$T/r/report.md"
	check "report: the evidence and the fix" grep -q "^- Fix: " "$T/r/report.md"
	if command -v gnuplot >/dev/null 2>&1; then
		check "report: the watch figure drawn" [ -s "$T/r/watch-gil.png" ]
		check "report: report.md shows it" grep -q "](watch-gil.png)" "$T/r/report.md"
	fi
	# beside a bench file: its tables as they were, the watched job's diagnosis first
	cp "$(dirname "$0")/../data/report/bench.jsonl" "$T/r/"
	"$EVOPAR" report "$T/r" --figures off 2>"$T/err" >/dev/null
	check "report beside a bench: exits 0" [ $? = 0 ]
	check "report beside a bench: the bench's tables unchanged" diff -q "$(dirname "$0")/../data/report/tables.md.expected" "$T/r/tables.md"
	check "report beside a bench: the diagnosis first" grep -q "gil.jsonl: overlap without progress" <(head -n 1 "$T/r/report.md")
fi

# exit statuses pass through, a signal's as 128 + it
check "exit status passed through" [ "$(code "$EVOPAR" watch --out "$T/x.jsonl" -- sh -c 'exit 7')" = 7 ]
check "a killed command: 128 + signal" [ "$(code "$EVOPAR" watch --out "$T/k.jsonl" -- sh -c 'kill -9 $$')" = 137 ]
check "a killed command: the summary says so" grep -q '"ended":"killed by signal 9' "$T/k.jsonl"

# SIGTERM and SIGINT sent to watch reach the command; its status comes back; records complete
for sig in TERM INT; do
	rm -f "$T/mark" "$T/mark.ready"
	"$EVOPAR" watch --out "$T/sig.jsonl" -- "$PY" "$DATA/signals.py" "$T/mark" 2>/dev/null &
	w=$!
	for _ in $(seq 100); do [ -e "$T/mark.ready" ] && break; sleep 0.05; done
	kill -"$sig" "$w"
	wait "$w"
	rc=$?
	want=42; [ "$sig" = INT ] && want=43
	check "SIG$sig: reached the command" grep -qx "$sig" "$T/mark"
	check "SIG$sig: watch exits with its status" [ "$rc" = "$want" ]
	check "SIG$sig: the summary is written" [ "$(summary "$T/sig.jsonl" status)" = interrupted ]
	check "SIG$sig: the summary has the exit code" [ "$(summary "$T/sig.jsonl" exit_code)" = "$want" ]
done

# --pid: attach for --for seconds, the process runs on; or until it ends
"$PY" -c 'import time; time.sleep(20)' &
p=$!
t0=$(now)
check "--pid --for 1: exits 0" [ "$(code "$EVOPAR" watch --pid "$p" --for 1 --interval 50 --out "$T/p.jsonl")" = 0 ]
check "--pid --for 1: ended in time" elapsed_below "$t0" "$(now)" 5
check "--pid --for 1: detached" [ "$(summary "$T/p.jsonl" status)" = detached ]
check "--pid --for 1: the closing line says it runs on, and the time once" \
	grep -Eq "^evopar watch: the process \(pid $p\) after [0-9.]+ s: still running \(watch left it at --for 1 s\)$" "$T/err"
check "--pid --for 1: samples every 50 ms" jqt -s 'map(select(.type == "sample")) | length >= 10' "$T/p.jsonl"
check "--pid --for 1: the process runs on" kill -0 "$p"
kill "$p"
wait "$p" 2>/dev/null
sleep 1 &
p=$!
check "--pid until it ends: exits 0" [ "$(code "$EVOPAR" watch --pid "$p" --out "$T/p2.jsonl")" = 0 ]
check "--pid until it ends: status ok" [ "$(summary "$T/p2.jsonl" status)" = ok ]
wait "$p"

# --for with a command: the records at --for, the exit status when it ends
t0=$(now)
"$EVOPAR" watch --for 0.5 --out "$T/f.jsonl" -- sh -c 'sleep 1.5; exit 5' 2>/dev/null
check "--for with CMD: CMD's exit status" [ $? = 5 ]
check "--for with CMD: waited for CMD" awk -v a="$t0" -v b="$(now)" 'BEGIN { exit !(b - a >= 1.4) }'
check "--for with CMD: detached summary" [ "$(summary "$T/f.jsonl" status)" = detached ]

# bad input: exit 2 with a message, nothing written; a command that cannot run: 127
check "no command: exit 2" [ "$(code "$EVOPAR" watch)" = 2 ]
check "no command: says so" grep -q "no command" "$T/err"
check "nothing after --: exit 2" [ "$(code "$EVOPAR" watch --out "$T/n.jsonl" --)" = 2 ]
check "a word before --: exit 2" [ "$(code "$EVOPAR" watch sleep 1)" = 2 ]
check "a word before --: the command goes after --" grep -q "after --" "$T/err"
check "--pid and a command: exit 2" [ "$(code "$EVOPAR" watch --pid $$ -- true)" = 2 ]
sh -c 'exit 0' &
gone=$!
wait "$gone"
check "--pid of no process: exit 2" [ "$(code "$EVOPAR" watch --pid "$gone" --out "$T/n.jsonl")" = 2 ]
check "--pid of no process: says so" grep -q "no such process" "$T/err"
if [ "$(id -u)" = 0 ]; then
	# root may watch anything: the user who may not is nobody, watching root's shell
	notours=$(code setpriv --reuid=65534 --regid=65534 --clear-groups "$EVOPAR" watch --pid $$ --out /dev/null)
else
	notours=$(code "$EVOPAR" watch --pid 1 --out /dev/null)
fi
check "--pid not ours: exit 2" [ "$notours" = 2 ]
check "--pid not ours: says so" grep -q "not ours" "$T/err"
check "--interval 0: exit 2" [ "$(code "$EVOPAR" watch --interval 0 --out "$T/n.jsonl" -- true)" = 2 ]
check "--interval 0: names the option" grep -q -- "--interval" "$T/err"
check "bad input wrote nothing" [ ! -e "$T/n.jsonl" ]
check "a command not found: exit 127" [ "$(code "$EVOPAR" watch --out "$T/n.jsonl" -- no-such-command-here)" = 127 ]
check "a command not found: says so" grep -q "no-such-command-here: command not found" "$T/err"
printf 'echo hi\n' >"$T/noexec.sh"
check "a file that is not executable: exit 127" [ "$(code "$EVOPAR" watch --out "$T/n.jsonl" -- "$T/noexec.sh")" = 127 ]
check "a file that is not executable: says so" grep -q "Permission denied" "$T/err"
check "a command that cannot run wrote nothing" [ ! -e "$T/n.jsonl" ]
finish
