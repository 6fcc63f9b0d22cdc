#!/usr/bin/env bash
# evopar run's records: meta, one generation record per generation, a summary with a digest
# that repeats for the same seed; the file appears only when the run is complete.
. "$(dirname "$0")/lib.sh"

run() { "$EVOPAR" run --quiet --pop 40 --gens 6 --steps 200 "$@"; }

run --seed 7 --out "$T/a.jsonl" 2>"$T/err"
check "a run exits 0" [ $? = 0 ]
check "--quiet leaves stderr empty" [ ! -s "$T/err" ]
check "records: meta, 6 generations, summary" [ "$(jq -rs 'map(.type) | join(" ")' "$T/a.jsonl")" = "meta generation generation generation generation generation generation summary" ]
python3 - "$T/a.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
g = recs[1]
for k in ("mutate", "prepare", "evaluate", "resample"):
    assert g["ms"][k] >= 0, k
for k in ("best_fitness", "mean_fitness", "mean_nodes", "mean_conns"):
    assert k in g, k
s = recs[-1]
assert s["status"] == "ok" and s["wall_s"] > 0 and 0 <= s["best_fitness"] <= 1
assert len(s["digest"]) == 16 and int(s["digest"], 16) >= 0
m = recs[0]
for k in ("evopar_version", "git_commit", "host", "cpu_model", "online_cores", "compiler", "cflags", "blas", "config"):
    assert k in m, k
assert m["config"]["pop"] == 40 and m["config"]["seed"] == 7
PY
check "record fields present and sane" [ $? = 0 ]

run --seed 7 --out "$T/b.jsonl"
run --seed 8 --out "$T/c.jsonl"
run --seed 7 --prepare-cache off --out "$T/d.jsonl"
run --seed 7 --out - >"$T/e.jsonl"
check "same seed, same digest" [ "$(field "$T/a.jsonl" digest)" = "$(field "$T/b.jsonl" digest)" ]
check "other seed, other digest" [ "$(field "$T/a.jsonl" digest)" != "$(field "$T/c.jsonl" digest)" ]
check "prepare cache off, same digest" [ "$(field "$T/a.jsonl" digest)" = "$(field "$T/d.jsonl" digest)" ]
check "--out - writes the records to stdout" [ "$(field "$T/a.jsonl" digest)" = "$(field "$T/e.jsonl" digest)" ]
for mode in static; do
	run --mode $mode --seed 3 --out "$T/s1.jsonl"
	run --mode $mode --seed 3 --out "$T/s2.jsonl"
	check "$mode: same seed, same digest" [ "$(field "$T/s1.jsonl" digest)" = "$(field "$T/s2.jsonl" digest)" ]
done

# killed mid-run: the final name never appears, the records so far are in the temp file
"$EVOPAR" run --quiet --pop 200 --gens 100000 --out "$T/k.jsonl" &
pid=$!
sleep 1
kill -KILL $pid
wait $pid 2>/dev/null
check "SIGKILL: no file under the final name" [ ! -e "$T/k.jsonl" ]
tmp=$(ls "$T"/k.jsonl.tmp.* 2>/dev/null | head -1)
check "SIGKILL: the records written so far are intact" jqt -s '.[0].type == "meta" and length > 1' "$tmp"

# interrupted: a clean end, status interrupted, exit 130, the file in place
"$EVOPAR" run --quiet --pop 200 --gens 100000 --out "$T/i.jsonl" &
pid=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?
check "SIGINT: exit 130 (got $rc)" [ "$rc" = 130 ]
check "SIGINT: status interrupted" [ "$(field "$T/i.jsonl" status)" = interrupted ]
"$EVOPAR" run --quiet --pop 200 --gens 100000 --out "$T/t.jsonl" &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
check "SIGTERM: status interrupted" [ "$(field "$T/t.jsonl" status)" = interrupted ]
finish
