#!/usr/bin/env bash
# islands --migration mpi under mpirun, 2 and 3 ranks: the same digest and records as the
# file-based sync islands, repeatable; mpi-async and the full topology; migration records;
# refused outside mpirun; a rank that dies or hangs ends the run with a named error, no hang.
. "$(dirname "$0")/lib.sh"

if ! command -v mpirun >/dev/null; then
	echo "test_islands_mpi.sh: mpirun not found (make deps installs openmpi-bin)" >&2
	exit 1
fi
# as root mpirun wants these; 3 ranks oversubscribe this machine, so idle ranks must yield
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
MPIRUN=(timeout --kill-after=5 60 mpirun --oversubscribe)
W=(--strategy islands --pop 60 --steps 200 --gens 12 --migrate-every 3 --migrants 3 --quiet)
# wait until the run behind records file $1 has written generation records (MPI is up)
running() {
	for _ in $(seq 200); do
		cat "$1".tmp.* 2>/dev/null | grep -q '"type":"generation"' && return 0
		sleep 0.05
	done
	return 1
}
# the generation records without their timings: what must match between two runs
gens_of() {
	jq -c 'select(.type == "generation") | [.gen, .best_fitness, .mean_fitness, .mean_nodes, .origin_share]' "$1"
}

# --- outside mpirun: refused -------------------------------------------------------------
for mode in mpi mpi-async; do
	"$EVOPAR" run "${W[@]}" --migration $mode --out "$T/no.jsonl" 2>"$T/no.err"
	rc=$?
	check "--migration $mode outside mpirun exits 2 (got $rc)" [ "$rc" = 2 ]
	check "--migration $mode outside mpirun: one line saying how to run it" \
		[ "$(wc -l <"$T/no.err")" = 1 ] && grep -q "mpirun -np K evopar run" "$T/no.err"
	check "--migration $mode outside mpirun writes nothing" [ ! -e "$T/no.jsonl" ]
done

# --- 2 and 3 ranks, sync: repeatable, and the same as the file-based islands ---------------
for k in 2 3; do
	for t in ring full; do
		for i in 1 2; do
			"${MPIRUN[@]}" -np $k "$EVOPAR" run "${W[@]}" --islands $k --topology $t \
				--migration mpi --out "$T/m$k$t$i.jsonl" 2>"$T/m$k$t$i.err"
			check "$k ranks, $t, run $i: exit 0" [ $? = 0 ]
		done
		"$EVOPAR" run "${W[@]}" --islands $k --topology $t --migration sync \
			--out "$T/f$k$t.jsonl"
		d=$(field "$T/m$k$t""1.jsonl" digest)
		check "$k ranks, $t: a digest" [ ${#d} = 16 ]
		check "$k ranks, $t: the same digest on a repeated run" \
			[ "$d" = "$(field "$T/m$k$t""2.jsonl" digest)" ]
		check "$k ranks, $t: the digest of --migration sync (islands as processes)" \
			[ "$d" = "$(field "$T/f$k$t.jsonl" digest)" ]
		check "$k ranks, $t: the generation records of --migration sync" \
			[ "$(gens_of "$T/m$k$t""1.jsonl")" = "$(gens_of "$T/f$k$t.jsonl")" ]
		check "$k ranks, $t: nothing on stderr" [ ! -s "$T/m$k$t""1.err" ]
	done
done
check "records: origin shares of all 3 islands, the summary's final ones, workers 3" python3 - "$T/m3ring1.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
gens = [r for r in recs if r["type"] == "generation"]
assert len(gens) == 12
for r in gens:
    assert len(r["origin_share"]) == 3 and abs(sum(r["origin_share"]) - 1) < 1e-6, r
assert all(abs(x - 1 / 3) < 1e-6 for x in gens[0]["origin_share"])
s = recs[-1]
assert s["status"] == "ok" and s["workers"] == 3 and len(s["origin_share"]) == 3
assert s["mean_distance"] > 0 and s["other_processes_cpu_s"] > 0
PY
check "migration records: ring 3 -> 0 -> 1 -> 2, every 3rd generation, 3 fitness values each" python3 - "$T/m3ring1.jsonl" <<'PY'
import json, sys
mig = [json.loads(l) for l in open(sys.argv[1]) if '"migration"' in l]
mig = [r for r in mig if r["type"] == "migration"]
assert sorted((r["gen"], r["src"], r["dst"]) for r in mig) == \
    sorted((g, (d + 2) % 3, d) for g in (2, 5, 8, 11) for d in range(3)), mig
for r in mig:
    assert r["sent_gen"] == r["gen"] and len(r["fitness"]) == 3 and r["time_s"] > 1e9
    assert r["fitness"] == sorted(r["fitness"], reverse=True)      # best first
PY
check "migration records, full: every island takes from both others" jqt -s '
	(map(select(.type == "migration") | [.gen, .src, .dst]) | sort)
	== ([(2, 5, 8, 11) as $g | range(3) as $d | range(3) as $s | select($s != $d) | [$g, $s, $d]] | sort)' "$T/m3full1.jsonl"

# --- async and random migrants: runs, logs what arrived ------------------------------------
# (30 generations: whether a neighbour's migrants have arrived by a migration is timing)
"${MPIRUN[@]}" -np 3 "$EVOPAR" run "${W[@]}" --gens 30 --islands 3 --migration mpi-async \
	--migrant-select random --out "$T/async.jsonl" 2>"$T/async.err"
check "mpi-async, 3 ranks: exit 0" [ $? = 0 ]
check "mpi-async: status ok, a digest, migration records from ring neighbours only" jqt -s '
	.[-1].status == "ok" and (.[-1].digest | length) == 16 and (map(select(.type == "migration"))
	| length > 0 and all(.[]; .src == (.dst + 2) % 3 and .sent_gen % 3 == 2))' "$T/async.jsonl"

# --- options ---------------------------------------------------------------------------------
"${MPIRUN[@]}" -np 2 "$EVOPAR" run "${W[@]}" --islands 3 --migration mpi --out "$T/k.jsonl" \
	2>"$T/k.err"
rc=$?
check "--islands 3 under -np 2: refused, nonzero exit (got $rc)" [ "$rc" != 0 ]
check "--islands 3 under -np 2: says every rank is one island" grep -q "every rank is one island" "$T/k.err"
check "--islands 3 under -np 2: writes nothing" [ ! -e "$T/k.jsonl" ]

# --- a rank that dies, a rank that hangs, a rank killed from outside ---------------------------
LONG=(--strategy islands --pop 60 --steps 200 --migrate-every 3 --migrants 3 --quiet --islands 3)
m="$T/mpi-kill-$$.jsonl"
t0=$(now)
"${MPIRUN[@]}" -np 3 "$EVOPAR" run "${LONG[@]}" --gens 1000 --migration mpi --worker-timeout 5 \
	--inject-fault kill:1:evaluate:2 --out "$m" 2>"$T/kill.err"
rc=$?
t1=$(now)
check "rank dies: mpirun exits nonzero, not by the test's timeout (got $rc)" [ "$rc" != 0 ]
check "rank dies: mpirun exits nonzero, not by the test's timeout, not by the test\'s time limit (got $rc)" [ "$rc" != 124 ]
check "rank dies: ends within 5 s" elapsed_below "$t0" "$t1" 5
check "rank dies: no process left" none_left "$m"
check "rank dies: the records written are intact" records_intact "$m"
check "rank dies: summary failed, names island 1, evaluate, generation 2" \
	[ "$(summary "$m" status)/$(summary "$m" worker)/$(summary "$m" phase)/$(summary "$m" gen)" = failed/1/evaluate/2 ]
check "rank dies: rank 0 says which island died" grep -q "island 1 (mpi rank 1, pid [0-9]*, host .*) died in evaluate of generation 2" "$T/kill.err"

m="$T/mpi-hang-$$.jsonl"
t0=$(now)
"${MPIRUN[@]}" -np 3 "$EVOPAR" run "${LONG[@]}" --gens 1000 --migration mpi --worker-timeout 2 \
	--inject-fault hang:2:prepare:3 --out "$m" 2>/dev/null
rc=$?
t1=$(now)
check "rank hangs: mpirun exits 3, rank 0's code (got $rc)" [ "$rc" = 3 ]
check "rank hangs: ends within worker-timeout + 4 s" elapsed_below "$t0" "$t1" 6
check "rank hangs: no process left" none_left "$m"
check "rank hangs: summary names island 2, generation 3 and the timeout" \
	[ "$(summary "$m" status)/$(summary "$m" worker)/$(summary "$m" gen)" = failed/2/3 ] && \
	grep -q "island 2 (mpi rank 2, pid [0-9]*) gave no report in evaluate of generation 3 within 2 s" "$m"

m="$T/mpi-outside-$$.jsonl"
"${MPIRUN[@]}" -np 3 "$EVOPAR" run "${LONG[@]}" --gens 1000000 --migration mpi-async --out "$m" \
	2>/dev/null &
main=$!
running "$m"
# rank 2: its environment says so (mpirun's own command line matches the marker too)
victim=
for pid in $(pgrep -f "$m"); do
	tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=2 && victim=$pid
done
t0=$(now)
kill -KILL "$victim"
wait $main
rc=$?
t1=$(now)
check "rank killed from outside: mpirun exits nonzero (got $rc)" [ "$rc" != 0 ]
check "rank killed from outside: mpirun exits nonzero, not by the test\'s time limit (got $rc)" [ "$rc" != 124 ]
check "rank killed from outside: ends within 3 s" elapsed_below "$t0" "$t1" 3
check "rank killed from outside: no process left" none_left "$m"
check "rank killed from outside: summary failed naming its pid" \
	[ "$(summary "$m" status)/$(summary "$m" worker_pid)" = "failed/$victim" ]
check "rank killed from outside: the records written are intact" records_intact "$m"

# --- interrupted: mpirun passes SIGINT on as SIGTERM; rank 0 still writes its summary --------
m="$T/mpi-int-$$.jsonl"
"${MPIRUN[@]}" -np 2 "$EVOPAR" run "${LONG[@]}" --islands 2 --gens 1000000 --migration mpi \
	--out "$m" 2>/dev/null &
main=$!
running "$m"
# to mpirun itself: `timeout` would pass it on to the whole group, and a second SIGINT makes
# mpirun kill every rank at once
kill -INT "$(pgrep -P $main -x mpirun)"
wait $main
rc=$?
check "SIGINT to mpirun: mpirun exits nonzero (got $rc)" [ "$rc" != 0 ]
check "SIGINT to mpirun: mpirun exits nonzero, not by the test\'s time limit (got $rc)" [ "$rc" != 124 ]
check "SIGINT to mpirun: status interrupted" [ "$(summary "$m" status)" = interrupted ]
check "SIGINT to mpirun: the records written are intact" records_intact "$m"
check "SIGINT to mpirun: no process left" none_left "$m"
finish
