#!/usr/bin/env bash
# The synchronisation study as a user meets it: `evopar study sync` writes meta, the three
# floors, every operation per mode and contention, the system under each placement and mode
# with the same learner checksum everywhere, and a summary; bad options exit 2 naming the
# option; a cut-down of what `make study-sync` runs writes a report of the right shape. No timing is asserted.
. "$(dirname "$0")/lib.sh"

# a jq test of the whole file, its output not shown
jqs() { jq -se "$1" "$2" >/dev/null; }

# a measurement that hangs fails in a minute, naming itself, well within the runner's limit
small="--quiet --agents 3 --turns 4 --epochs 20 --reps 2 --batches 4 --readers 2 --timeout 60"

"$EVOPAR" study sync $small --out "$T/s.jsonl"
check "study sync: exits 0" [ $? = 0 ]
check "records: meta first (command study, study sync), summary last, ok" \
	jqs '.[0].type == "meta" and .[0].command == "study" and .[0].study == "sync" and
		.[-1].type == "summary" and .[-1].status == "ok" and .[-1].checksums_agree' "$T/s.jsonl"
check "floors: mutex, xchg and wake (or why not)" \
	jqs '[.[] | select(.type == "sync_floor") | .name] | sort == ["mutex", "wake", "xchg"]' "$T/s.jsonl"
check "ops: read, publish, add, sample, lock at 1 and 2 workers on threads and processes" \
	jqs '[.[] | select(.type == "sync_op" and (.op | IN("read","publish","add","sample","lock")))] |
		(map([.placement, .readers]) | unique) == [["processes",1],["processes",2],["threads",1],["threads",2]]
		and all(.samples_ns | length > 0)' "$T/s.jsonl"
check "ops: the three policy modes and both ring modes" \
	jqs '([.[] | select(.op == "read") | .mode] | unique) == ["double","locked","seqlock"] and
		([.[] | select(.op == "add") | .mode] | unique) == ["atomic","locked"]' "$T/s.jsonl"
check "ops: a worker's creation on each placement, a queue message" \
	jqs '([.[] | select(.op == "spawn") | .mode] | sort) == ["fork","pthread_create"] and
		any(.[]; .op == "queue")' "$T/s.jsonl"
check "system: sequential once and 3 modes on threads and processes, 2 reps each" \
	jqs '[.[] | select(.type == "sync_system") | [.placement, .mode]] | group_by(.) | map([.[0][0], .[0][1], length]) ==
		[["processes","double",2],["processes","locked",2],["processes","seqlock",2],
		 ["sequential","none",2],["threads","double",2],["threads","locked",2],["threads","seqlock",2]]' "$T/s.jsonl"
check "system: every mode and placement gives the learners the same final policies" \
	jqs '[.[] | select(.type == "sync_system") | .learner_checksum] | unique | length == 1' "$T/s.jsonl"
check "system: times and counts in every record" \
	jqs '[.[] | select(.type == "sync_system")] | all(.wall_ms > 0 and .comm_ms >= 0 and .startup_ms >= 0 and
		.reads == 240 and .samples == 60 and (.workers == 1 or .workers == 4))' "$T/s.jsonl"

# without --quiet: a closing line with the system runs the records hold
"$EVOPAR" study sync --part system --agents 3 --turns 4 --epochs 20 --reps 1 --timeout 60 --out "$T/q.jsonl" 2>"$T/err"
runs=$(jq -s '[.[] | select(.type == "sync_system")] | length' "$T/q.jsonl")
check "closing line: the runs, the checksum, the records" \
	grep -qx "evopar study sync: ok in [0-9.]* s; $runs system runs, the learners' checksum the same in all; records in $T/q.jsonl" "$T/err"

# another count changes the learners' result; another seed too
"$EVOPAR" study sync --quiet --part system --placement sequential --agents 3 --turns 4 --epochs 21 --reps 1 --out "$T/e.jsonl"
check "system: another epoch count, another learner checksum" \
	sh -c '[ "$(jq -rs "[.[] | select(.type == \"sync_system\")][0].learner_checksum" "$1")" != \
		"$(jq -rs "[.[] | select(.type == \"sync_system\")][0].learner_checksum" "$2")" ]' _ "$T/s.jsonl" "$T/e.jsonl"

# a stop signal: the study ends between two measurements, says so, and leaves no worker
"$EVOPAR" study sync --quiet --part system --placement processes --mode locked --epochs 1000000 --reps 1 \
	--warmup 0 --timeout 60 --out "$T/int.jsonl" &
pid=$!
sleep 1
kill -TERM "$pid"
wait "$pid"
check "SIGTERM: exit 130" [ $? = 130 ]
check "SIGTERM: summary interrupted" jqs '.[-1].type == "summary" and .[-1].status == "interrupted"' "$T/int.jsonl"
check "SIGTERM: no worker left" none_left "$T/int.jsonl"

# a measurement past its time-out: exit 3, the message names the measurement and what happened
"$EVOPAR" study sync --quiet --part system --placement processes --mode locked --epochs 1000000 --reps 1 \
	--warmup 0 --timeout 1 --out "$T/late.jsonl" 2>"$T/err"
check "time-out: exit 3" [ $? = 3 ]
check "time-out: the measurement named" \
	grep -q "^evopar study sync: the system on processes, locked, round 0: worker [0-9]* ran past its time-out; ended$" "$T/err"
check "time-out: no worker left" none_left "$T/late.jsonl"

# the same on threads: told to give up at the time-out, they end, where they ran on before
# (timeout(1) so that a team that does not end fails here, exit 124, not at the runner's limit)
timeout -k 5 30 "$EVOPAR" study sync --quiet --part system --placement threads --mode locked --epochs 1000000 --reps 1 \
	--warmup 0 --timeout 1 --out "$T/late-t.jsonl" 2>"$T/err"
check "time-out on threads: exit 3" [ $? = 3 ]
check "time-out on threads: the measurement named" \
	grep -q "^evopar study sync: the system on threads, locked, round 0: worker [0-9]* (a thread) ran past its time-out; ended$" "$T/err"
"$EVOPAR" study sync --quiet --part system --placement threads --mode locked --epochs 1000000 --reps 1 \
	--warmup 0 --timeout 60 --out "$T/int-t.jsonl" 2>"$T/err" &
pid=$!
sleep 1
kill -TERM "$pid"
wait "$pid"
check "SIGTERM on threads: exit 130" [ $? = 130 ]
check "SIGTERM on threads: said as an interruption, not a failure" \
	grep -q "round 0: interrupted: worker [0-9]* (a thread) ended$" "$T/err"

# bad input: exit 2 with the option named, nothing written
"$EVOPAR" study sync --readers 0x --out "$T/bad.jsonl" 2>"$T/err"
check "bad --readers: exit 2" [ $? = 2 ]
check "bad --readers: named" grep -q -- "--readers" "$T/err"
"$EVOPAR" study sync --mode none --placement threads --out "$T/bad.jsonl" 2>"$T/err"
check "--mode none on threads: exit 2" [ $? = 2 ]
check "--mode none on threads: says why" grep -q -- "--mode none" "$T/err"
check "bad input: no file" [ ! -e "$T/bad.jsonl" ]
"$EVOPAR" study nosuch 2>"$T/err"
check "unknown study: exit 2" [ $? = 2 ]
check "unknown study: lists sync" grep -q "sync" "$T/err"
check "study --help lists sync" sh -c '"$1" study --help | grep -q "^  sync "' _ "$EVOPAR"

# a cut-down study (what make study-sync runs): the report's shape
DIR="$T/study" EPOCHS=1001 AGENTS=21 REPS=2 BATCHES=4 READERS=2 TIMEOUT=60 EVOPAR="$EVOPAR" \
	"$(dirname "$0")/../../experiments/study-sync-run" >"$T/study.out" 2>&1
check "study-sync-run (cut down): exits 0" [ $? = 0 ]
check "study-sync-run: one file for the document's counts, one per other count" \
	[ "$(ls "$T/study"/*.jsonl | wc -l)" = 3 ]
md="$T/study/report.md"
for h in "## Synchronisation: document 002's actor-learner" "### Each primitive beside this machine's floor for it" \
	"### Every operation, uncontended and contended" "### Document 002's estimates per operation against ours" \
	"### The whole system: sequential against an actor and learners" \
	"### Break-even counts beside the document's"; do
	check "report: $h" grep -qF "$h" "$md"
done
check "report: a verdict for every estimate" \
	sh -c '[ "$(grep -cE "^\| (model lock|buffer write|buffer read|process creation|queue|shared memory|model/memory).*\| (CONFIRMED|REFUTED|NOT APPLICABLE)" "$1")" = 7 ]' _ "$md"
check "report: each primitive beside its floor (3 on threads, 3 on processes)" \
	sh -c '[ "$(grep -cE "^\| (policy lock|double buffer|gate wake).*\| (yes|no) \|$" "$1")" = 6 ]' _ "$md"
check "report: the three counts' tables" \
	sh -c '[ "$(grep -c "^\*\*[0-9]* agents x 10 turns x [0-9]* epochs\*\*" "$1")" = 3 ]' _ "$md"
check "report: a break-even row with a verdict for each claim and configuration" \
	sh -c '[ "$(grep -cE "^\| multiprocessing pays only with >(1000 epochs|20 agents) .*\| (CONFIRMED|REFUTED|INCONCLUSIVE|NOT APPLICABLE)" "$1")" = 12 ]' _ "$md"
check "report: learners agree with sequential in every row" \
	sh -c '! grep -E "^\| (sequential|threads|processes) \|" "$1" | grep -vqE "\| ([0-9]+) of \1 \| [0-9]+ of [0-9]+ \|$"' _ "$md"
check "report: overhead shares split" grep -qE "% \([0-9.]+ \+ [0-9.]+ \+ [0-9.]+\)" "$md"
# the verdict rules on fixture records: every outcome of each rule comes out where it should
mkdir -p "$T/fx"
python3 - "$T/fx/sync.jsonl" <<'PY'
import json, sys
recs = [{"type": "meta", "command": "study", "study": "sync", "cores": 2}]
def op(name, mode, ns):
    recs.append({"type": "sync_op", "op": name, "mode": mode, "placement": "processes", "readers": 1,
                 "batch_ops": 1, "samples_ns": ns})
op("read", "locked", [500000] * 5)          # 0.5 ms: in the document's 0.1-1 ms
op("add", "locked", [20] * 5)               # 10 ns a lock: far below 0.05 ms
op("sample", "locked", [1e9] * 5)           # 1000 ms: far above 0.5 ms
op("queue", "pipe", [50000, 60000, 40000, 55000, 45000])
op("read", "double", [5000])                # one sample: no interval
def system(a, e, place, mode, walls):
    for rep, w in enumerate(walls):
        recs.append({"type": "sync_system", "placement": place, "mode": mode, "rep": rep, "agents": a,
                     "turns": 10, "epochs": e, "workers": 1 if place == "sequential" else a + 1,
                     "reads": a * 10 * e, "adds": a * 10 * e, "samples": a * e, "wall_ms": w,
                     "act_ms": w / 4, "learn_ms": w / 8, "comm_ms": 1, "startup_ms": 1,
                     "learner_checksum": "ab", "action_checksum": "cd"})
for a, e, seq in ((10, 200, 100), (10, 2000, 1000), (40, 200, 400)):
    late = e > 1000 or a > 20
    system(a, e, "sequential", "none", [seq] * 5)
    system(a, e, "processes", "locked", [seq / 2 if late else seq * 2] * 5)    # pays only past it
    system(a, e, "threads", "locked", [seq / 2] * 5)                            # pays already
    system(a, e, "processes", "double", [seq * 2] * 5)                          # never pays
    system(a, e, "threads", "double", [seq * f for f in (0.8, 1.2, 0.9, 1.1, 1.0)] if late else [seq * 2] * 5)
recs.append({"type": "summary", "status": "ok", "checksums_agree": True})
open(sys.argv[1], "w").write("".join(json.dumps(r) + "\n" for r in recs))
PY
"$EVOPAR" report "$T/fx" --figures off >/dev/null 2>&1
check "fixtures: report exits 0" [ $? = 0 ]
fx="$T/fx/report.md"
check "estimate in range: CONFIRMED" sh -c 'grep -E "^\| model lock" "$1" | grep -q "| CONFIRMED |"' _ "$fx"
check "estimate above ours: REFUTED (cheaper)" sh -c 'grep -E "^\| buffer write" "$1" | grep -q "REFUTED (cheaper)"' _ "$fx"
check "estimate below ours: REFUTED (dearer)" sh -c 'grep -E "^\| buffer read" "$1" | grep -q "REFUTED (dearer)"' _ "$fx"
check "a noisy estimate in range: CONFIRMED" sh -c 'grep -E "^\| queue" "$1" | grep -q "| CONFIRMED |"' _ "$fx"
check "one sample: NOT APPLICABLE" sh -c 'grep -E "^\| shared memory" "$1" | grep -q "NOT APPLICABLE"' _ "$fx"
check "not measured: NOT APPLICABLE" sh -c 'grep -E "^\| process creation" "$1" | grep -q "NOT APPLICABLE"' _ "$fx"
for claim in "1000 epochs" "20 agents"; do
	check "$claim: pays only past it: CONFIRMED" sh -c 'grep -F "with >$2 | processes | locked |" "$1" | grep -q "| CONFIRMED |"' _ "$fx" "$claim"
	check "$claim: pays sooner: REFUTED" sh -c 'grep -F "with >$2 | threads | locked |" "$1" | grep -q "REFUTED (it pays at or below"' _ "$fx" "$claim"
	check "$claim: never pays: REFUTED" sh -c 'grep -F "with >$2 | processes | double |" "$1" | grep -q "REFUTED (slower at every count past"' _ "$fx" "$claim"
	check "$claim: an interval holds 1: INCONCLUSIVE" sh -c 'grep -F "with >$2 | threads | double |" "$1" | grep -q "INCONCLUSIVE"' _ "$fx" "$claim"
done
check "fixtures: the break-even count where it pays from there on" \
	sh -c 'grep -F "with >1000 epochs | processes | locked |" "$1" | grep -q "| 2000 | CONFIRMED"' _ "$fx"
finish
