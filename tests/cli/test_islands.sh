#!/usr/bin/env bash
# The islands strategy: sync migration repeats its digest, migration files appear, origins
# mix, corrupt migrant files are skipped with a warning, a killed, hung or garbling island
# fails the run cleanly, Ctrl-C ends it cleanly, and islands started by hand share a directory.
. "$(dirname "$0")/lib.sh"

ISL=("$EVOPAR" run --quiet --strategy islands --pop 40 --steps 200)
# a simple command, so that $! of `"${ISL[@]}" ... &` is evopar itself, not a subshell
run() { "${ISL[@]}" "$@"; }

# --- sync migration is deterministic ---------------------------------------------------
for i in 1 2 3; do
	run --islands 2 --gens 12 --migrate-every 3 --migrants 3 --migration sync \
		--migration-dir "$T/sync$i" --out "$T/sync$i.jsonl"
	check "sync run $i exits 0" [ $? = 0 ]
done
d1=$(field "$T/sync1.jsonl" digest)
check "sync: a digest of the final population" [ ${#d1} = 16 ]
check "sync: the same digest on a second run" [ "$d1" = "$(field "$T/sync2.jsonl" digest)" ]
check "sync: the same digest on a third run" [ "$d1" = "$(field "$T/sync3.jsonl" digest)" ]
run --islands 3 --pop 45 --gens 8 --migrate-every 2 --migration-dir "$T/s3a" --out "$T/s3a.jsonl"
run --islands 3 --pop 45 --gens 8 --migrate-every 2 --migration-dir "$T/s3b" --out "$T/s3b.jsonl"
check "sync, 3 islands of uneven size: the same digest" \
	[ "$(field "$T/s3a.jsonl" digest)" = "$(field "$T/s3b.jsonl" digest)" ]
run --islands 2 --gens 12 --migrate-every 3 --migrants 3 --seed 9 --migration-dir "$T/seed9" \
	--out "$T/seed9.jsonl"
check "sync: another seed, another digest" [ "$d1" != "$(field "$T/seed9.jsonl" digest)" ]

# --- migration records ---------------------------------------------------------------------
check "a migration record per arrival: time, generations, source, destination, fitness" python3 - "$T/sync1.jsonl" <<'PY'
import json, sys
mig = [json.loads(l) for l in open(sys.argv[1])]
mig = [r for r in mig if r["type"] == "migration"]
assert sorted((r["gen"], r["src"], r["dst"]) for r in mig) == \
    sorted((g, 1 - d, d) for g in (2, 5, 8, 11) for d in (0, 1)), mig
for r in mig:
    assert r["sent_gen"] == r["gen"] and r["time_s"] > 1e9 and len(r["fitness"]) == 3
    assert r["fitness"] == sorted(r["fitness"], reverse=True)     # --migrant-select best
PY

# --- topologies and migrant selection ---------------------------------------------------------
full=(--islands 4 --pop 80 --gens 9 --migrate-every 3 --migrants 2 --topology full)
run "${full[@]}" --migration-dir "$T/full1" --out "$T/full1.jsonl"
run "${full[@]}" --migration-dir "$T/full2" --out "$T/full2.jsonl"
check "full, sync: the same digest on repeated runs" \
	[ "$(field "$T/full1.jsonl" digest)" = "$(field "$T/full2.jsonl" digest)" ]
check "full: every island takes from every other, 2 migrants each" jqt -s 'map(select(.type == "migration"))
	| (map([.gen, .src, .dst]) | sort) == ([(2, 5, 8) as $g | range(4) as $d | range(4) as $s | select($s != $d)
	| [$g, $s, $d]] | sort) and all(.[]; (.fitness | length) == 2)' "$T/full1.jsonl"
run --islands 4 --pop 80 --gens 9 --migrate-every 3 --migrants 2 --migration-dir "$T/ring4" \
	--out "$T/ring4.jsonl"
check "ring: island i takes from island i-1 only" \
	jqt -s 'map(select(.type == "migration") | [.src, .dst]) | unique == [[0, 1], [1, 2], [2, 3], [3, 0]]' "$T/ring4.jsonl"
check "full and ring: other populations" [ "$(field "$T/full1.jsonl" digest)" != "$(field "$T/ring4.jsonl" digest)" ]
for i in 1 2; do
	run --islands 2 --gens 12 --migrate-every 3 --migrants 3 --migrant-select random \
		--migration-dir "$T/rand$i" --out "$T/rand$i.jsonl"
done
check "random migrants, sync: the same digest on repeated runs, another than best's" \
	[ "$(field "$T/rand1.jsonl" digest)" = "$(field "$T/rand2.jsonl" digest)" ] && \
	[ "$(field "$T/rand1.jsonl" digest)" != "$d1" ]
check "random migrants: not always the island's best (fitness below the generation's best)" \
	jqt -s 'map(select(.type == "migration")) | length == 8 and any(.[]; .fitness != (.fitness | sort | reverse))' "$T/rand1.jsonl"

# --- migration files ---------------------------------------------------------------------
check "files of both islands for generations 2, 5, 8, 11 appear in --migration-dir" [ \
	"$(cd "$T/sync1" && ls island-*.mig | sort | tr '\n' ' ')" = \
	"island-0-gen-11.mig island-0-gen-2.mig island-0-gen-5.mig island-0-gen-8.mig island-1-gen-11.mig island-1-gen-2.mig island-1-gen-5.mig island-1-gen-8.mig " ]
check "no temp file left in --migration-dir" [ -z "$(ls -A "$T/sync1" | grep -v '^island-.*\.mig$')" ]
check "a migration file: header, island, generation, count, checksum" python3 - "$T/sync1/island-1-gen-5.mig" <<'PY'
import struct, sys, zlib
b = open(sys.argv[1], "rb").read()
magic, ver, isl, gen, count, plen = struct.unpack("<4sIIIII", b[:24])
assert magic == b"EVMG" and ver == 2 and isl == 1 and gen == 5 and count == 3
assert len(b) == 56 + plen + 4
assert struct.unpack("<I", b[-4:])[0] == zlib.crc32(b[:-4])
PY

# --- origins -------------------------------------------------------------------------------
# Islands keep their sizes, so a share that moves away from the initial one means genomes
# crossed from one island to another: the populations mixed.
check "origin_share in every generation record; mixing after the first migration" python3 - "$T/sync1.jsonl" <<'PY'
import json, sys
gens = [json.loads(l) for l in open(sys.argv[1])]
gens = [r for r in gens if r["type"] == "generation"]
for r in gens:
    assert len(r["origin_share"]) <= 2 and abs(sum(r["origin_share"]) - 1) < 1e-6, r
assert gens[0]["origin_share"] == [0.5, 0.5]
assert any(r["origin_share"] != [0.5, 0.5] for r in gens[3:])
PY
run --islands 2 --gens 12 --migrate-every 3 --migrants 0 --migration-dir "$T/nomig" --out "$T/nomig.jsonl"
check "--migrants 0: the shares never move" \
	jqt -s 'all(.[] | select(.type == "generation"); .origin_share == [0.5, 0.5])' "$T/nomig.jsonl"
check "--migrants 0: no files" sh -c '[ -d "$0" ] && [ -z "$(ls -A "$0")" ]' "$T/nomig"

# --- the default migration directory is private and removed -----------------------------
mkdir "$T/tmpdir"
TMPDIR="$T/tmpdir" run --islands 2 --gens 6 --migrate-every 2 --out "$T/tmpd.jsonl"
check "no --migration-dir: the run ends ok" [ "$(field "$T/tmpd.jsonl" status)" = ok ]
check "no --migration-dir: its temp directory is removed" [ -z "$(ls -A "$T/tmpdir")" ]

# --- corrupt migrant files -----------------------------------------------------------------
# async takes the newest file of island i-1; a future mtime makes the planted files newest
mkdir "$T/corrupt"
head -c 300 /dev/urandom >"$T/corrupt/island-0-gen-3.mig"
head -c 200 "$T/sync1/island-1-gen-5.mig" >"$T/corrupt/island-1-gen-99.mig"
touch -d '+1 hour' "$T/corrupt/island-0-gen-3.mig" "$T/corrupt/island-1-gen-99.mig"
run --islands 2 --gens 12 --migrate-every 3 --migrants 2 --migration async \
	--migration-dir "$T/corrupt" --out "$T/corrupt.jsonl"
check "corrupt migrant files: the run still exits 0" [ $? = 0 ]
check "corrupt migrant files: status ok" [ "$(field "$T/corrupt.jsonl" status)" = ok ]
warned() { jq -s --arg m "$2" 'map(select(.type == "warning" and (.message | contains($m)))) | length' "$1"; }
check "corrupt migrant files: a warning record names the bad magic, once" \
	[ "$(warned "$T/corrupt.jsonl" "island-0-gen-3.mig skipped: bad magic")" = 1 ]
check "corrupt migrant files: a warning record names the truncated file, once" \
	[ "$(warned "$T/corrupt.jsonl" "island-1-gen-99.mig skipped: truncated")" = 1 ]
check "corrupt migrant files: the islands still took good migrants" \
	jqt -s 'any(.[] | select(.type == "generation"); .origin_share != [0.5, 0.5])' "$T/corrupt.jsonl"

# --- faults ----------------------------------------------------------------------------------
m="$T/fault-kill-$$"
t0=$(now)
run --islands 2 --gens 10 --worker-timeout 5 --migration-dir "$m" \
	--inject-fault kill:1:evaluate:2 --out "$T/kill.jsonl" 2>"$T/kill.err"
rc=$?
t1=$(now)
check "kill: exit 3 (got $rc)" [ "$rc" = 3 ]
check "kill: ends within worker-timeout + 3 s" elapsed_below "$t0" "$t1" 8
check "kill: no process left" none_left "$m"
check "kill: the records written are intact" records_intact "$T/kill.jsonl"
check "kill: summary failed" [ "$(summary "$T/kill.jsonl" status)" = failed ]
check "kill: names worker 1" [ "$(summary "$T/kill.jsonl" worker)" = 1 ]
check "kill: names signal 9" [ "$(summary "$T/kill.jsonl" worker_signal)" = 9 ]
check "kill: names the phase" [ "$(summary "$T/kill.jsonl" phase)" = evaluate ]
check "kill: names the generation" [ "$(summary "$T/kill.jsonl" gen)" = 2 ]
pid=$(summary "$T/kill.jsonl" worker_pid)
check "kill: the message names island, pid, phase, generation and signal" \
	grep -q "island 1 (pid $pid) died in evaluate of generation 2: killed by signal 9" "$T/kill.err"

m="$T/fault-hang-$$"
t0=$(now)
run --islands 2 --gens 10 --worker-timeout 2 --migration-dir "$m" \
	--inject-fault hang:1:prepare:3 --out "$T/hang.jsonl" 2>/dev/null
rc=$?
t1=$(now)
check "hang: exit 3 (got $rc)" [ "$rc" = 3 ]
check "hang: ends within worker-timeout + 3 s" elapsed_below "$t0" "$t1" 5
check "hang: no process left" none_left "$m"
check "hang: the records written are intact" records_intact "$T/hang.jsonl"
check "hang: names worker 1, prepare, generation 3, the timeout" \
	[ "$(summary "$T/hang.jsonl" worker)/$(summary "$T/hang.jsonl" phase)/$(summary "$T/hang.jsonl" gen)" = 1/prepare/3 ] && \
	grep -q "no reply in prepare of generation 3 within 2 s" "$T/hang.jsonl"

m="$T/fault-garbage-$$"
run --islands 2 --gens 10 --migrate-every 5 --migration-dir "$m" \
	--inject-fault garbage:0:resample:4 --out "$T/garbage.jsonl" 2>/dev/null
rc=$?
check "garbage: exit 3 (got $rc)" [ "$rc" = 3 ]
check "garbage: no process left" none_left "$m"
check "garbage: the records written are intact" records_intact "$T/garbage.jsonl"
check "garbage: names worker 0, resample, generation 4, a garbled reply" \
	[ "$(summary "$T/garbage.jsonl" worker)/$(summary "$T/garbage.jsonl" phase)/$(summary "$T/garbage.jsonl" gen)" = 0/resample/4 ] && \
	grep -q "garbled reply" "$T/garbage.jsonl"

# killed from outside: any process of the run but the main one is an island
m="$T/fault-outside-$$"
"${ISL[@]}" --islands 2 --pop 100 --gens 1000000 --migration-dir "$m" --out "$T/outside.jsonl" 2>/dev/null &
main=$!
sleep 1
victim=$(pgrep -P "$main" | tail -1)
t0=$(now)
kill -KILL "$victim"
wait $main
rc=$?
t1=$(now)
check "killed from outside: exit 3 (got $rc)" [ "$rc" = 3 ]
check "killed from outside: ends within 3 s" elapsed_below "$t0" "$t1" 3
check "killed from outside: names its pid and signal 9" \
	[ "$(summary "$T/outside.jsonl" worker_pid)/$(summary "$T/outside.jsonl" worker_signal)" = "$victim/9" ]
check "killed from outside: no process left" none_left "$m"
check "killed from outside: the records written are intact" records_intact "$T/outside.jsonl"

# --- interrupted -------------------------------------------------------------------------------
for sig in INT TERM; do
	out="$T/stop-$sig-$$.jsonl"       # unique: the marker of this run's processes
	mkdir -p "$T/tmp-$sig"
	TMPDIR="$T/tmp-$sig" "${ISL[@]}" --islands 2 --pop 100 --gens 1000000 --out "$out" 2>/dev/null &
	main=$!
	sleep 1
	check "SIG$sig: the islands are running" [ "$(pgrep -f "$out" | wc -l)" = 3 ]
	kill -$sig $main
	wait $main
	rc=$?
	check "SIG$sig: exit 130 (got $rc)" [ "$rc" = 130 ]
	check "SIG$sig: status interrupted" [ "$(field "$out" status)" = interrupted ]
	check "SIG$sig: the records written are intact" records_intact "$out"
	check "SIG$sig: no process left" none_left "$out"
	check "SIG$sig: the temp migration directory is removed" [ -z "$(ls -A "$T/tmp-$sig")" ]
done

# --- islands started by hand ---------------------------------------------------------------
hand=(--islands 2 --migrate-every 2 --migration async --migration-dir "$T/hand")
"${ISL[@]}" "${hand[@]}" --island-id 0 --gens 30 --out "$T/hand0.jsonl" &
a=$!
"${ISL[@]}" "${hand[@]}" --island-id 1 --gens 30 --out "$T/hand1.jsonl" &
b=$!
wait $a
ra=$?
wait $b
rb=$?
check "by hand: island 0 finishes (exit $ra)" [ "$ra" = 0 ]
check "by hand: island 1 finishes (exit $rb)" [ "$rb" = 0 ]
check "by hand: island 0 wrote migration files" [ -e "$T/hand/island-0-gen-29.mig" ]
check "by hand: island 1 wrote migration files" [ -e "$T/hand/island-1-gen-29.mig" ]
check "by hand: each island's records cover its own 20 networks" python3 - "$T/hand0.jsonl" "$T/hand1.jsonl" <<'PY'
import json, sys
for i, f in enumerate(sys.argv[1:]):
    gens = [json.loads(l) for l in open(f)]
    gens = [r for r in gens if r["type"] == "generation"]
    assert len(gens) == 30
    assert gens[0]["origin_share"][i] == 1, gens[0]
PY
# (the island that finishes last has surely seen the other's files; the first may not have)
check "by hand: the islands log the migrants they took, from the other" python3 - "$T/hand0.jsonl" "$T/hand1.jsonl" <<'PY'
import json, sys
seen = 0
for i, f in enumerate(sys.argv[1:]):
    mig = [json.loads(l) for l in open(f)]
    mig = [r for r in mig if r["type"] == "migration"]
    assert all(r["dst"] == i and r["src"] == 1 - i for r in mig), mig
    seen += len(mig)
assert seen
PY
# island 1 started after island 0 finished (alone: its genomes are all its own) still takes
# island 0's newest migrants
seq=(--islands 2 --migrate-every 2 --migration async --migration-dir "$T/seq" --gens 10)
run "${seq[@]}" --island-id 0 --out "$T/early0.jsonl"
run "${seq[@]}" --island-id 1 --out "$T/late1.jsonl"
check "by hand: a later island takes the migrants already there" \
	jqt -s 'any(.[] | select(.type == "generation"); .origin_share[0] > 0)' "$T/late1.jsonl"

# killing one island does not stop the other: it goes on writing files
hm="$T/hand-kill-$$"
"${ISL[@]}" --islands 2 --island-id 0 --migrate-every 2 --migration async --pop 100 --gens 1000000 \
	--migration-dir "$hm" --out "$T/hk0.jsonl" 2>/dev/null &
a=$!
"${ISL[@]}" --islands 2 --island-id 1 --migrate-every 2 --migration async --pop 100 --gens 1000000 \
	--migration-dir "$hm" --out "$T/hk1.jsonl" 2>/dev/null &
b=$!
newest() { ls -t "$hm"/island-"$1"-gen-*.mig 2>/dev/null | head -1; }
for _ in $(seq 100); do
	[ -n "$(newest 0)" ] && [ -n "$(newest 1)" ] && break
	sleep 0.1
done
kill -KILL $a
wait $a 2>/dev/null
before=$(newest 1)
for _ in $(seq 100); do
	[ "$(newest 1)" != "$before" ] && break
	sleep 0.1
done
check "by hand: island 1 had written a migration file" [ -n "$before" ]
check "by hand: island 1 goes on after island 0 is killed" [ "$(newest 1)" != "$before" ]
check "by hand: island 1 is still running" kill -0 $b
kill -INT $b
wait $b
rc=$?
check "by hand: island 1 ends cleanly on SIGINT (exit $rc)" [ "$rc" = 130 ]
check "by hand: island 1 says interrupted" [ "$(field "$T/hk1.jsonl" status)" = interrupted ]
check "by hand: no process left" none_left "$hm"

# --- runs sharing a --migration-dir ---------------------------------------------------------
# Two sync runs of other seeds at once on one directory: each must give the digest it gives
# alone. The plain names go to whichever run writes first; the other writes under its own run
# identity, and skips (with a warning) the other run's files it finds under the plain names.
share=(--islands 2 --gens 40 --migrate-every 1 --migrants 3 --migration sync --steps 1000)
for seed in 1 2; do
	run "${share[@]}" --seed $seed --migration-dir "$T/alone$seed" --out "$T/alone$seed.jsonl"
done
run "${share[@]}" --seed 1 --migration-dir "$T/shared" --out "$T/shared1.jsonl" &
a=$!
run "${share[@]}" --seed 2 --migration-dir "$T/shared" --out "$T/shared2.jsonl" &
b=$!
wait $a
ra=$?
wait $b
rb=$?
check "shared directory: both runs exit 0 ($ra, $rb)" [ "$ra/$rb" = 0/0 ]
check "shared directory: seed 1 gives its digest of a run alone" \
	[ "$(field "$T/shared1.jsonl" digest)" = "$(field "$T/alone1.jsonl" digest)" ]
check "shared directory: seed 2 gives its digest of a run alone" \
	[ "$(field "$T/shared2.jsonl" digest)" = "$(field "$T/alone2.jsonl" digest)" ]
check "shared directory: the alone digests differ (the test can tell a mix)" \
	[ "$(field "$T/alone1.jsonl" digest)" != "$(field "$T/alone2.jsonl" digest)" ]
check "shared directory: a warning record names a file of the other run, skipped" python3 - "$T/shared1.jsonl" "$T/shared2.jsonl" <<'PY'
import json, re, sys
w = [json.loads(l)["message"] for f in sys.argv[1:] for l in open(f) if '"warning"' in l]
assert any(re.search(r"island-[01]-gen-\d+\.mig skipped: written by another run sharing the "
                     r"directory \(run id [0-9a-f]{16}, this run [0-9a-f]{16}\)", m) for m in w), w
PY
check "shared directory: every file of both runs is there, under the plain name or a run's own" python3 - "$T/shared" <<'PY'
import os, re, sys
names = os.listdir(sys.argv[1])
plain = {n for n in names if re.fullmatch(r"island-[01]-gen-\d+\.mig", n)}
own = [n for n in names if re.fullmatch(r"island-[01]-gen-\d+\.[0-9a-f]{16}\.mig", n)]
assert len(plain) == 80 and len(own) == 80 and len(names) == 160, sorted(names)
PY

# sync, where a plain name holds a file that is no run's (junk): this run's goes under its own
# name, and the digest is the one of a clean directory
mkdir "$T/junk"
head -c 300 /dev/urandom >"$T/junk/island-0-gen-2.mig"
run --islands 2 --gens 12 --migrate-every 3 --migrants 3 --migration sync \
	--migration-dir "$T/junk" --out "$T/junk.jsonl"
check "sync, a junk file under a plain name: the digest of a clean directory" \
	[ "$(field "$T/junk.jsonl" digest)" = "$d1" ]
check "sync, a junk file under a plain name: a warning names it" \
	grep -q "island-0-gen-2.mig skipped: bad magic" "$T/junk.jsonl"

# an older evopar's file (format 1, no run identity) is refused with a message, once
mkdir "$T/old"
python3 - "$T/old/island-1-gen-7.mig" <<'PY'
import struct, sys, zlib
b = struct.pack("<4sIIIII", b"EVMG", 1, 1, 7, 0, 0)
open(sys.argv[1], "wb").write(b + struct.pack("<I", zlib.crc32(b)))
PY
touch -d '+1 hour' "$T/old/island-1-gen-7.mig"
run --islands 2 --gens 9 --migrate-every 3 --migration async --migration-dir "$T/old" \
	--out "$T/old.jsonl"
check "a format 1 file: the run exits 0" [ $? = 0 ]
check "a format 1 file: skipped with a warning naming its version, once" [ "$(warned "$T/old.jsonl" \
	"island-1-gen-7.mig skipped: format version 1 (an older evopar's), this build reads 2")" = 1 ]

# islands started by hand: --run-id names the run; another run's files are skipped
byid=(--islands 2 --migrate-every 2 --migration async --migration-dir "$T/byid" --gens 10)
run "${byid[@]}" --island-id 0 --run-id X --out "$T/byid-x0.jsonl"
run "${byid[@]}" --island-id 1 --run-id Y --out "$T/byid-y1.jsonl"
run "${byid[@]}" --island-id 1 --run-id X --out "$T/byid-x1.jsonl"
run "${byid[@]}" --island-id 1 --seed 7 --out "$T/byid-s1.jsonl"
check "--run-id Y: run X's files skipped with a warning naming both" \
	grep -q "island-0-gen-[0-9]*.mig skipped: written by another run sharing the directory (run id X, this run Y)" "$T/byid-y1.jsonl"
check "--run-id Y: no migrant of run X taken" jqt -s 'all(.[]; .type != "migration")
	and all(.[] | select(.type == "generation"); .origin_share[0] == 0)' "$T/byid-y1.jsonl"
check "--run-id X again: the islands of one run take each other's migrants" \
	jqt -s 'any(.[]; .type == "migration" and .src == 0)' "$T/byid-x1.jsonl"
check "no --run-id: the identity is seed-SEED, and run X's files are another run's" \
	grep -q "run id X, this run seed-7)" "$T/byid-s1.jsonl"

# --- a killed run leaves nothing behind ----------------------------------------------------
# Its private temp directory is locked while any process of the run lives; the next run of
# this user removes those whose lock is free. Only directories named evopar-islands-XXXXXX
# and owned by this user are candidates; a locked one, or a young one with no lock yet, stays.
kt="$T/killtmp"
mkdir -p "$kt"
TMPDIR="$kt" "${ISL[@]}" --islands 2 --pop 100 --gens 1000000 --out "$T/killed.jsonl" 2>/dev/null &
main=$!
for _ in $(seq 100); do
	[ -n "$(ls "$kt"/evopar-islands-*/island-*.mig 2>/dev/null)" ] && break
	sleep 0.05
done
procs="$main $(descendants "$main")"
dead_dir=$(ls -d "$kt"/evopar-islands-* 2>/dev/null)
{ kill -KILL $main; wait $main; } 2>/dev/null
rc=$?
alive() { local p; for p in $1; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
none_alive() { ! alive "$1"; }
for _ in $(seq 40); do alive "$procs" || break; sleep 0.05; done
check "SIGKILL: exit 137 (got $rc)" [ "$rc" = 137 ]
check "SIGKILL: the run had made its temp directory, with migrant files (${dead_dir:-none})" [ -n "$dead_dir" ]
check "SIGKILL: the run had 3 processes ($procs)" [ "$(echo $procs | wc -w)" = 3 ]
check "SIGKILL: no process of it left" none_alive "$procs"
check "SIGKILL: no --out under its final name" [ ! -e "$T/killed.jsonl" ]
mkdir -p "$kt/evopar-islands-locked" "$kt/evopar-islands-young" "$kt/evopar-islands-staled" \
	"$kt/evopar-islandsXother"
touch -d '-1 hour' "$kt/evopar-islands-staled"
touch "$kt/evopar-islands-locked/.lock"
flock "$kt/evopar-islands-locked/.lock" sleep 60 &
holder=$!
for _ in $(seq 100); do
	flock -n "$kt/evopar-islands-locked/.lock" true || break
	sleep 0.05
done
TMPDIR="$kt" run --islands 2 --gens 4 --migrate-every 2 --out "$T/next.jsonl"
check "the next run: exits 0" [ $? = 0 ]
check "the next run: the killed run's directory is gone" [ ! -e "$dead_dir" ]
check "the next run: a directory with no lock, untouched for an hour, is gone" [ ! -e "$kt/evopar-islands-staled" ]
check "the next run: a directory whose lock a live process holds stays" [ -d "$kt/evopar-islands-locked" ]
check "the next run: a directory with no lock yet, young, stays" [ -d "$kt/evopar-islands-young" ]
check "the next run: a directory of another name stays" [ -d "$kt/evopar-islandsXother" ]
check "the next run: its own directory is gone" [ -z "$(ls "$kt" | grep -v -e locked -e young -e Xother)" ]
kill $holder
wait $holder 2>/dev/null

# --- options ------------------------------------------------------------------------------
cases=(
	"--islands 2 --island-id 2 --migration-dir $T/x|--island-id 2: expected less than --islands 2"
	"--islands 2 --island-id 0|--island-id needs --migration-dir"
	"--islands 2 --pop 3|fewer than 2 networks per island"
	"--islands 2 --pop 10 --migrants 5|--migrants 5: expected fewer than the 5 networks"
	"--islands 4 --pop 20 --migrants 2 --topology full|--topology full with --islands 4 and --migrants 2 brings 6 immigrants"
	"--topology star|--topology: expected one of: ring full, got 'star'"
	"--migrant-select worst|--migrant-select: expected one of: best random, got 'worst'"
	"--inject-fault boom:1:x:2|--inject-fault: expected KIND:WORKER:PHASE:GEN"
)
for c in "${cases[@]}"; do
	args=${c%%|*}
	want=${c#*|}
	# shellcheck disable=SC2086
	"$EVOPAR" run --strategy islands --gens 2 $args --out "$T/opt.jsonl" 2>"$T/opt.err"
	rc=$?
	check "'$args' exits 2 (got $rc)" [ "$rc" = 2 ]
	check "'$args' says: $want" grep -qF -- "$want" "$T/opt.err"
	check "'$args' writes nothing" [ ! -e "$T/opt.jsonl" ]
done
finish
