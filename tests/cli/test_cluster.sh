#!/usr/bin/env bash
# A cluster on one machine: three hosts (network and UTS namespaces with their own names and
# addresses, joined by a bridge), Open MPI launching into them through its rsh launcher with an
# agent in place of ssh, messages over TCP only. On it search --backend mpi gives sequential's
# trials, islands --migration mpi give sync's digest, and a rank on another host than rank 0
# killed (SIGKILL) or stopped (SIGSTOP) fails the run naming its rank and host. Needs root.
set -u
HOSTS=(node0 node1 node2)
NET=10.77.0                        # host i has $NET.(10 + i) on the cluster's network

# Run a command on host $1 (0, 1, 2): in the namespaces its holder process keeps.
on() {
	local pid=${HOLDER[$1]}

	shift
	nsenter --net=/proc/"$pid"/ns/net --uts=/proc/"$pid"/ns/uts -- "$@"
}

# The cluster's hosts and network, agent and hostfile in directory $1; 0, or 1 with why on
# stderr. Each host is held by a process that dies with this shell (PR_SET_PDEATHSIG), and
# with the last process in them the namespaces and their veth pairs go: a test killed with
# SIGKILL leaves no cluster behind either.
make_cluster() {
	local dir=$1 i
	HOLDER=()
	for i in "${!HOSTS[@]}"; do
		setpriv --pdeathsig KILL unshare --net --uts -- \
			sh -c "hostname ${HOSTS[$i]} && exec sleep infinity" &
		HOLDER[$i]=$!
	done
	for i in "${!HOSTS[@]}"; do   # named: in its own namespaces by now
		for _ in $(seq 100); do
			[ "$(on "$i" hostname 2>/dev/null)" = "${HOSTS[$i]}" ] && break
			sleep 0.05
		done
		[ "$(on "$i" hostname 2>/dev/null)" = "${HOSTS[$i]}" ] || { echo "host ${HOSTS[$i]} did not start" >&2; return 1; }
	done
	# host 0 holds the bridge; every other host's eth0 is a veth pair's end plugged into it
	on 0 ip link set lo up && on 0 ip link add br0 type bridge &&
		on 0 ip addr add "$NET.10/24" dev br0 && on 0 ip link set br0 up || return 1
	for i in "${!HOSTS[@]}"; do
		[ "$i" = 0 ] && continue
		on 0 ip link add "v$i" type veth peer name eth0 netns "${HOLDER[$i]}" &&
			on 0 ip link set "v$i" master br0 up && on "$i" ip link set lo up &&
			on "$i" ip addr add "$NET.$((10 + i))/24" dev eth0 && on "$i" ip link set eth0 up ||
			return 1
	done
	for i in "${!HOSTS[@]}"; do echo "${HOSTS[$i]} slots=1"; done >"$dir/hosts"
	{
		echo '#!/bin/sh'
		echo '# Open MPI runs "agent HOST COMMAND" as it would ssh: into HOST'"'"'s namespaces, with a'
		echo '# login'"'"'s bare environment, so only what mpirun passes with -x reaches the ranks'
		echo 'host=$1; shift'
		echo 'case $host in'
		for i in "${!HOSTS[@]}"; do echo "${HOSTS[$i]}) pid=${HOLDER[$i]} ;;"; done
		echo '*) echo "agent: no host $host" >&2; exit 255 ;;'
		echo 'esac'
		echo "exec nsenter --net=/proc/\$pid/ns/net --uts=/proc/\$pid/ns/uts -- env -i PATH='$PATH' HOME=/root sh -c \"\$*\""
	} >"$dir/agent"
	chmod +x "$dir/agent"
}

# Run as `test_cluster.sh --hold DIR`: make a cluster, write its holders' pids to DIR/holders
# and wait to be killed (how the test checks that a SIGKILLed test leaves no cluster behind).
if [ "${1:-}" = --hold ]; then
	make_cluster "$2" || exit 1
	echo "${HOLDER[*]}" >"$2/holders.tmp" && mv "$2/holders.tmp" "$2/holders"
	exec sleep 60
fi

. "$(dirname "$0")/lib.sh"

if ! why=$(unshare --net --uts true 2>&1); then
	echo "$(basename "$0"): SKIPPED: cannot create network and UTS namespaces (needs root or CAP_SYS_ADMIN): $why"
	exit 77
fi
for c in mpirun ip nsenter setpriv; do
	if ! command -v $c >/dev/null; then
		echo "$(basename "$0"): $c not found (make deps installs it)" >&2
		exit 1
	fi
done
if ! make_cluster "$T" 2>"$T/make.err"; then
	echo "$(basename "$0"): SKIPPED: cannot build the cluster's network: $(head -c 300 "$T/make.err")"
	exit 77
fi
NS=()                              # each host's network namespace, to find what runs there
for i in "${!HOSTS[@]}"; do NS[$i]=$(readlink /proc/"${HOLDER[$i]}"/ns/net); done
# the holders, killed by pid: with them go the namespaces and the veth pairs in them
teardown() {
	kill -KILL "${HOLDER[@]}" 2>/dev/null
	wait "${HOLDER[@]}" 2>/dev/null
}
trap 'teardown; cleanup' EXIT

EVO=$(readlink -f "$EVOPAR")
# mpirun on host 0 like on a cluster's head node; rank r runs on host r (one slot each).
# It dies with the test even when no trap can run (SIGKILL), and its daemons then end the ranks.
MPIRUN=(setpriv --pdeathsig KILL timeout --kill-after=5 60 setpriv --pdeathsig KILL
	nsenter --net=/proc/"${HOLDER[0]}"/ns/net --uts=/proc/"${HOLDER[0]}"/ns/uts --
	mpirun --allow-run-as-root --oversubscribe
	--hostfile "$T/hosts" -np 3 -x OMPI_MCA_mpi_yield_when_idle=1
	--mca plm_rsh_agent "$T/agent" --mca btl tcp,self
	--mca btl_tcp_if_include "$NET.0/24" --mca oob_tcp_if_include "$NET.0/24")
export EVOPAR_NOT_PASSED=1         # in mpirun's environment, not passed with -x

# the pids of the processes in network namespaces $1 ("net:[N] ..."), but those in $2
in_namespaces() {
	find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/ns/net' -printf '%h %l\n' 2>/dev/null |
		awk -v ns=" $1 " -v but=" $2 " '{ split($1, p, "/") }
			index(ns, " " $2 " ") && !index(but, " " p[3] " ") { print p[3] }'
}
# nothing left in any host's namespaces but its holder (2 s for Open MPI's daemons to go)
hosts_empty() {
	local left
	for _ in $(seq 40); do
		left=$(in_namespaces "${NS[*]}" "${HOLDER[*]}")
		[ -z "$left" ] && return 0
		sleep 0.05
	done
	echo "  left in the hosts:" $left >&2
	return 1
}
# the pid of the process of MPI rank $2 among those whose command line has marker $1
rank_pid() {
	local p
	for p in $(pgrep -f "$1"); do
		tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2" && echo "$p"
	done
}
# does process $1 run on host $2: in its UTS namespace, the name the records give?
runs_on() { [ "$(readlink /proc/"$1"/ns/uts)" = "$(readlink /proc/"${HOLDER[$2]}"/ns/uts)" ]; }
# wait until file glob $1 holds a record of type $2 (the run is going on every rank)
wait_record() {
	for _ in $(seq 400); do
		cat $1 2>/dev/null | grep -q "\"type\":\"$2\"" && return 0
		sleep 0.05
	done
	return 1
}
lacks() { ! grep -q "$1" "$2"; }

# --- search --backend mpi: sequential's trials, run on the other hosts, over TCP -------------
TINY=(--quiet --pop 30 --gens 3 --steps 100)
"$EVO" search --backend sequential --trials 7 "${TINY[@]}" --out "$T/ref.jsonl"
check "sequential: exit 0" [ $? = 0 ]
"${MPIRUN[@]}" --mca btl_base_verbose 100 "$EVO" search --backend mpi --trials 7 "${TINY[@]}" \
	--out "$T/s.jsonl" >"$T/s.out" 2>&1
rc=$?
check "search on the cluster: exit 0 (got $rc: $(grep -v '^\[' "$T/s.out" | head -c 300))" [ "$rc" = 0 ]
check "search on the cluster: sequential's ids, params and values" python3 - "$T/ref.jsonl" "$T/s.jsonl" <<'PY'
import json, sys
def trials(path):
    recs = [json.loads(l) for l in open(path)]
    assert recs[-1]["type"] == "summary" and recs[-1]["status"] == "ok", recs[-1]
    return sorted((r["id"], json.dumps(r["params"], sort_keys=True), r["value"])
                  for r in recs if r["type"] == "trial")
a, b = trials(sys.argv[1]), trials(sys.argv[2])
assert len(a) == 7 and a == b, (a, b)
PY
check "search on the cluster: rank 0 on node0, trials on node1 and node2 (rank r on node r)" jqt -s '.[0].host == "node0"
	and (map(select(.type == "trial") | [.worker, .host]) | unique) == [[1, "node1"], [2, "node2"]]' "$T/s.jsonl"
for h in 1 2; do
	check "search on the cluster: rank 0 sent to node$h over TCP (Open MPI's words)" \
		grep -q "^\[node0:[0-9]*\] mca: bml: Using tcp btl for send to \[\[[0-9]*,1\],$h\] on node node$h" "$T/s.out"
done
check "search on the cluster: nothing left on any host" hosts_empty

# --- islands --migration mpi: sync's digest -------------------------------------------------
W=(--strategy islands --islands 3 --pop 60 --steps 200 --gens 12 --migrate-every 3 --migrants 3 --quiet)
"${MPIRUN[@]}" "$EVO" run "${W[@]}" --migration mpi --out "$T/i.jsonl" 2>"$T/i.err"
rc=$?
check "islands on the cluster: exit 0 (got $rc: $(head -c 300 "$T/i.err"))" [ "$rc" = 0 ]
"$EVO" run "${W[@]}" --migration sync --out "$T/f.jsonl"
d=$(field "$T/i.jsonl" digest)
check "islands on the cluster: a digest" [ ${#d} = 16 ]
check "islands on the cluster: the digest of --migration sync" [ "$d" = "$(field "$T/f.jsonl" digest)" ]
check "islands on the cluster: nothing left on any host" hosts_empty

# --- a rank on another host killed, or stopped --------------------------------------------
# hit RANK SIGNAL WHAT OUT ARGS...: start ARGS (a run writing OUT) on the cluster, wait until it
# writes a WHAT record, send SIGNAL to rank RANK and wait for the end; VICTIM, RC, ENDED_IN set,
# the victim's environment in OUT.env.
hit() {
	local rank=$1 sig=$2 what=$3 out=$4 main t0
	shift 4
	"${MPIRUN[@]}" "$@" --out "$out" 2>"$out.err" &
	main=$!
	wait_record "$out.tmp.*" "$what"
	VICTIM=$(rank_pid "$out" "$rank")
	check "$(basename "$out"): rank $rank runs on node$rank" runs_on "${VICTIM:-0}" "$rank"
	tr '\0' '\n' <"/proc/${VICTIM:-0}/environ" >"$out.env" 2>/dev/null
	t0=$(now)
	[ -n "$VICTIM" ] && kill -"$sig" "$VICTIM"   # never kill 0: that is the test's own group
	wait $main
	RC=$?
	ENDED_IN=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')
}
# the summary of a search in $1 names rank $2 (the victim) and host node$2, and the trials done
failed_naming() {
	python3 - "$1" "$2" "$VICTIM" "$3" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
s, rank, pid, words = recs[-1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
assert recs[0]["type"] == "meta" and s["type"] == "summary", s
assert s["status"] == "failed" and s["worker"] == rank and s["worker_pid"] == pid, s
want = words.replace("RANK", str(rank)).replace("PID", str(pid)).replace("HOST", "node%d" % rank)
assert want in s["error"], (want, s["error"])
if s.get("trials_done") is not None:
    assert s["trials_done"] == sum(r["type"] == "trial" for r in recs), s
PY
}

LONG=(--quiet --pop 100 --gens 40)          # a second or so a trial
m="$T/search-kill.jsonl"
hit 1 KILL trial "$m" "$EVO" search --backend mpi --trials 40 "${LONG[@]}"
check "search, rank 1 killed: its environment had what -x passed" grep -qx OMPI_MCA_mpi_yield_when_idle=1 "$m.env"
check "search, rank 1 killed: mpirun fails (got $RC)" [ "$RC" != 0 ]
check "search, rank 1 killed: not by the test's time limit (got $RC)" [ "$RC" != 124 ]
check "search, rank 1 killed: ended within 10 s (took $ENDED_IN)" elapsed_below 0 "$ENDED_IN" 10
check "search, rank 1 killed: the summary names the rank, its pid and host" \
	failed_naming "$m" 1 "mpi rank RANK (pid PID, host HOST) died while running trial"
check "search, rank 1 killed: rank 0's error line names it" grep -q "mpi rank 1 (pid $VICTIM, host node1) died" "$m.err"
check "search, rank 1 killed: nothing left on any host" hosts_empty

SHORT=(--quiet --pop 50 --gens 12 --steps 300)   # ~0.1 s a trial
m="$T/search-stop.jsonl"
hit 2 STOP trial "$m" "$EVO" search --backend mpi --trials 400 --trial-timeout 3 "${SHORT[@]}"
check "search, rank 2 stopped: mpirun exits 3, rank 0's code (got $RC)" [ "$RC" = 3 ]
check "search, rank 2 stopped: ended within the trial timeout + 10 s (took $ENDED_IN)" elapsed_below 0 "$ENDED_IN" 13
check "search, rank 2 stopped: the summary names the rank, its pid and host and the timeout" \
	failed_naming "$m" 2 "mpi rank RANK (pid PID, host HOST) gave no result for trial"
check "search, rank 2 stopped: ... within 3 s (--trial-timeout)" grep -q "within 3 s (--trial-timeout)" "$m"
check "search, rank 2 stopped: nothing left on any host" hosts_empty

ISL=(--strategy islands --islands 3 --pop 60 --steps 200 --gens 1000000 --migrate-every 3 --migrants 3 --quiet)
m="$T/islands-kill.jsonl"
hit 1 KILL generation "$m" "$EVO" run "${ISL[@]}" --migration mpi --worker-timeout 5
# mpirun SIGKILLs every rank about a second after one dies; on a loaded machine that can
# come before rank 0, which saw the death, has written its summary (a known race of mpirun's
# kill, not of the records): the scenario runs once more then, and the checks read the second
if [ ! -e "$m" ]; then
	echo "  note: islands, rank 1 killed: rank 0 was killed before its summary; once more"
	hosts_empty || sleep 1
	rm -f "$m".*
	hit 1 KILL generation "$m" "$EVO" run "${ISL[@]}" --migration mpi --worker-timeout 5
fi
check "islands, rank 1 killed: its environment lacked what -x did not pass" lacks EVOPAR_NOT_PASSED "$m.env"
check "islands, rank 1 killed: (and we could read it)" grep -q OMPI_COMM_WORLD_RANK=1 "$m.env"
check "islands, rank 1 killed: mpirun fails (got $RC)" [ "$RC" != 0 ]
check "islands, rank 1 killed: not by the test's time limit (got $RC)" [ "$RC" != 124 ]
check "islands, rank 1 killed: ended within 10 s (took $ENDED_IN)" elapsed_below 0 "$ENDED_IN" 10
check "islands, rank 1 killed: the records written are intact" records_intact "$m"
check "islands, rank 1 killed: the summary names the island, its pid and host" \
	failed_naming "$m" 1 "island RANK (mpi rank RANK, pid PID, host HOST) died in"
check "islands, rank 1 killed: nothing left on any host" hosts_empty

m="$T/islands-stop.jsonl"
hit 2 STOP generation "$m" "$EVO" run "${ISL[@]}" --migration mpi --worker-timeout 2
check "islands, rank 2 stopped: mpirun exits 3, rank 0's code (got $RC)" [ "$RC" = 3 ]
check "islands, rank 2 stopped: ended within the worker timeout + 10 s (took $ENDED_IN)" elapsed_below 0 "$ENDED_IN" 12
check "islands, rank 2 stopped: the records written are intact" records_intact "$m"
check "islands, rank 2 stopped: the summary names the island, its pid and host and the timeout" \
	failed_naming "$m" 2 "island RANK (mpi rank RANK, pid PID) gave no"
check "islands, rank 2 stopped: ... it runs on host node2" grep -q "(--worker-timeout); it runs on host node2" "$m"
check "islands, rank 2 stopped: nothing left on any host" hosts_empty

# --- the cluster goes with the test, however it ends ----------------------------------------
# a copy that builds a cluster and is then killed with SIGKILL: no trap runs, yet nothing stays
mkdir "$T/hold"
"$0" --hold "$T/hold" 2>"$T/hold.err" &
hold=$!
for _ in $(seq 200); do [ -e "$T/hold/holders" ] && break; sleep 0.05; done
held=()
for p in $(cat "$T/hold/holders" 2>/dev/null); do held+=("$(readlink /proc/"$p"/ns/net)"); done
check "a second cluster was made (3 hosts): $(head -c 200 "$T/hold.err")" [ "${#held[@]}" = 3 ]
kill -KILL $hold
wait $hold 2>/dev/null
gone() {
	for _ in $(seq 40); do
		[ -z "$(in_namespaces "${held[*]}" "")" ] && return 0
		sleep 0.05
	done
	return 1
}
check "test killed with SIGKILL: its hosts' namespaces (and so their veth pairs) are gone" gone
# and this test's own cluster, taken down as the EXIT trap does
teardown
held=("${NS[@]}")
check "at the end: this test's hosts' namespaces are gone" gone
finish
