#!/usr/bin/env bash
# The synchronisation study as a user meets it: `evopar study sync` writes meta, the three
# floors, every operation per mode and contention, the system under each placement and mode
# with the same learner checksum everywhere, and a summary; bad options exit 2 naming the
# option; a cut-down of what `make study-sync` runs writes a report of the right shape. No timing is asserted.
. "$(dirname "$0")/lib.sh"

# a jq test of the whole file, its output not shown
jqs() { jq -se "$1" "$2" >/dev/null; }

small="--quiet --agents 3 --turns 4 --epochs 20 --reps 2 --batches 4 --readers 2"

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

# another count changes the learners' result; another seed too
"$EVOPAR" study sync --quiet --part system --placement sequential --agents 3 --turns 4 --epochs 21 --reps 1 --out "$T/e.jsonl"
check "system: another epoch count, another learner checksum" \
	sh -c '[ "$(jq -rs "[.[] | select(.type == \"sync_system\")][0].learner_checksum" "$1")" != \
		"$(jq -rs "[.[] | select(.type == \"sync_system\")][0].learner_checksum" "$2")" ]' _ "$T/s.jsonl" "$T/e.jsonl"

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
DIR="$T/study" EPOCHS=1001 AGENTS=21 REPS=2 BATCHES=4 READERS=2 EVOPAR="$EVOPAR" \
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
finish
