#!/usr/bin/env bash
# Balanced load, as a user meets it: every generation record carries each worker's busy time
# per phase and the imbalance (>= 1); both assignment rules at several chunks give
# sequential's digest; the calibration of `evopar bench` carries the machine's capacity for
# 1 .. cores copies; a cut-down `make study-balance` run writes a report of the right shape.
# No timing is asserted.
. "$(dirname "$0")/lib.sh"

common="--quiet --pop 40 --gens 5 --steps 120"

# busy_ms and imbalance in every generation record, per worker where the phase was spread
for v in "sequential|1|" "threads|2|" "threads|3|--assign index --chunk 4" "thread-limited|2|" \
	"fork-pool|2|" "fork-pool|3|--assign index" "persistent|2|--worker-scope all" \
	"persistent|3|--worker-scope all --transport shm --assign index" "persistent|2|--worker-scope mutate"; do
	IFS='|' read -r strat w opts <<<"$v"
	"$EVOPAR" run $common --strategy "$strat" --workers "$w" $opts --out "$T/r.jsonl"
	check "$strat x$w $opts: exits 0" [ $? = 0 ]
	python3 - "$T/r.jsonl" "$strat" "$w" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
strat, workers = sys.argv[2], int(sys.argv[3])
gens = [r for r in recs if r["type"] == "generation"]
assert len(gens) == 5, len(gens)
phases = ("mutate", "prepare", "evaluate", "resample")
spread = {"sequential": (), "threads": phases, "thread-limited": phases, "fork-pool": ("mutate", "evaluate"),
          "persistent": ("mutate", "resample")}[strat]
for g in gens:
    for k in ("ms", "comm_ms", "best_fitness", "mean_fitness", "mean_nodes", "mean_conns"):
        assert k in g, k       # the fields that were there stay
    busy, imb = g["busy_ms"], g["imbalance"]
    assert set(busy) == set(phases) and set(imb) == set(phases) | {"total"}, (busy, imb)
    for ph in phases:
        n = len(busy[ph])
        assert n == (workers if ph in spread else n) and n in (1, workers), (ph, busy[ph])
        assert all(b >= 0 for b in busy[ph]), busy[ph]
        assert imb[ph] >= 1 - 1e-9, (ph, imb[ph])
        if n == workers and sum(busy[ph]) > 0:
            mean = sum(busy[ph]) / n
            assert abs(imb[ph] - max(busy[ph]) / mean) < 1e-6 * imb[ph], (ph, imb[ph], busy[ph])
    assert imb["total"] >= 1 - 1e-9
PY
	check "$strat x$w $opts: busy_ms per worker and imbalance >= 1 in every generation" [ $? = 0 ]
done

# both assignment rules, guided and fixed chunks: the digest does not move
digest() { "$EVOPAR" run $common --mode "$1" "${@:2}" --out - | tail -n 1 | sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p'; }
for mode in dynamic static; do
	want=$(digest $mode --strategy sequential)
	check "$mode: sequential has a digest" [ -n "$want" ]
	for v in "threads|" "thread-limited|" "fork-pool|" "persistent|--worker-scope all" \
		"persistent|--worker-scope mutate --transport shm"; do
		strat=${v%%|*}
		opts=${v#*|}
		for a in "--assign cost --chunk 1" "--assign cost --chunk 3" "--assign index" "--assign index --chunk 1"; do
			for w in 2 3; do
				got=$(digest $mode --strategy $strat $opts --workers $w $a)
				check "$mode $strat $opts x$w $a: $got = $want" [ "$got" = "$want" ]
			done
		done
	done
done
"$EVOPAR" run --help | grep -qE '^  --assign '
check "--help lists --assign" [ $? = 0 ]
"$EVOPAR" run --assign frob --out "$T/x.jsonl" 2>"$T/err"
check "--assign frob exits 2" [ $? = 2 ]
check "--assign frob names the option" grep -q -- '--assign' "$T/err"

# the calibration record carries the capacity for 1 .. cores copies
"$EVOPAR" bench --common="--pop 20 --gens 3 --steps 50" --config "--strategy sequential" \
	--config "--strategy threads --workers 2" --repeat 1 --warmup 0 --out "$T/b.jsonl" 2>"$T/err"
check "bench exits 0" [ $? = 0 ]
python3 - "$T/b.jsonl" <<'PY'
import json, os, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
cal = recs[0]
assert cal["type"] == "calibration"
cap = cal["capacity"]
cores = len(os.sched_getaffinity(0))
assert cap["cores"] == cores, (cap["cores"], cores)
assert cap["copies"] == list(range(1, cores + 1)), cap["copies"]
assert len(cap["ms"]) == cores and all(m > 0 for m in cap["ms"]), cap["ms"]
assert len(cap["capacity"]) == cores and cap["capacity"][0] == 1, cap["capacity"]
assert all(c > 0 for c in cap["capacity"]), cap["capacity"]
assert cap["pop"] == 20 and 1 <= cap["gens"] <= 3 and cap["rounds"] >= 1
assert "fork_wait" in cal["floors"]      # the floors stay
PY
check "calibration: capacity for 1 .. cores copies" [ $? = 0 ]
"$EVOPAR" report "$T" --figures off >/dev/null 2>&1
check "report shows the capacity" grep -q '^Capacity (the calibration' "$T/tables.md"
check "report shows the share of capacity" grep -q '^| share of capacity |' "$T/tables.md"
check "report shows the imbalance beside the speedup" grep -q '^| imbalance (max/mean busy) |' "$T/tables.md"
check "report has the imbalance per phase" grep -q '^| imbalance | threads x2 |' "$T/tables.md"

# the capacity arm: --copies N runs N - 1 copies of the sequential evolution beside the run
want=$("$EVOPAR" run $common --out - | jq -r 'select(.type == "summary") | .digest')
"$EVOPAR" run $common --copies 3 --sample-ms 1 --out "$T/cp.jsonl"
check "--copies 3: exits 0" [ $? = 0 ]
check "--copies 3: the run's own digest is sequential's" \
	[ "$(jq -r 'select(.type == "summary") | .digest' "$T/cp.jsonl")" = "$want" ]
check "--copies 3: the config records it" [ "$(jq -r 'select(.type == "meta") | .config.copies' "$T/cp.jsonl")" = 3 ]
check "--copies 3: the copies ran beside it (3 processes in its tree)" \
	[ "$(jq -r 'select(.type == "summary") | .processes_max' "$T/cp.jsonl")" = 3 ]
"$EVOPAR" run --quiet --pop 40 --gens 1000000 --steps 120 --copies 3 --out "$T/long.jsonl" &
pid=$!
for i in $(seq 100); do [ "$(ps -o pid= --ppid $pid | wc -l)" = 2 ] && break; sleep 0.1; done
kids=$(ps -o pid= --ppid $pid)
check "--copies 3: two copies beside the run" [ "$(echo $kids | wc -w)" = 2 ]
kill -TERM $pid
wait $pid
check "--copies 3, SIGTERM: the run exits 130" [ $? = 130 ]
gone=1
for k in $kids; do kill -0 "$k" 2>/dev/null && gone=0; done
check "--copies 3, SIGTERM: no copy outlives the run" [ $gone = 1 ]
"$EVOPAR" run $common --copies 2 --strategy threads --workers 2 --out "$T/x.jsonl" 2>"$T/err"
check "--copies with threads exits 2" [ $? = 2 ]
check "--copies with threads names the option" grep -q -- '^evopar run: --copies: .*sequential' "$T/err"
check "--copies with threads writes nothing" [ ! -e "$T/x.jsonl" ]
"$EVOPAR" run $common --copies 0 --out "$T/x.jsonl" 2>"$T/err"
check "--copies 0 exits 2" [ $? = 2 ]
check "--copies 0 names the option and its range" grep -q -- '^evopar run: --copies: expected an integer from 1 to 1024' "$T/err"

# bench --capacity: an arm per worker count, the shares paired with it by round
"$EVOPAR" bench --common="--pop 20 --gens 4 --steps 50" --config "seq: --strategy sequential" \
	--config "t2: --strategy threads --workers 2" --config "p2: --strategy persistent --workers 2" \
	--config "t3: --strategy threads --workers 3" --capacity --repeat 2 --warmup 0 \
	--out "$T/cap/b.jsonl" 2>"$T/err"
check "bench --capacity exits 0" [ $? = 0 ]
check "bench --capacity: one arm per worker count, after the configurations" \
	[ "$(jq -c 'select(.type == "bench") | [.capacity_arms, (.configs[] | .config_label)]' "$T/cap/b.jsonl")" = \
	  '[true,"seq","t2","p2","t3","seq capacity x2","seq capacity x3"]' ]
check "bench --capacity: the arms run --copies N" \
	[ "$(jq -r 'select(.type == "meta") | .config.copies' "$T/cap/b.jsonl" | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}')" = \
	  "1:8 2:2 3:2 " ]
"$EVOPAR" report "$T/cap" --figures off >/dev/null 2>&1
check "report: the capacity measured in the same rounds" \
	grep -q '^Capacity, measured in the same rounds as the configurations .*: 2: [0-9.]* \[[0-9.]*–[0-9.]*\], 3: ' "$T/cap/tables.md"
check "report: each share of capacity with its paired interval, none for the arms" \
	grep -qE '^\| share of capacity \| - \| [0-9]+% \[[0-9]+–[0-9]+\] \| [0-9]+% \[[0-9]+–[0-9]+\] \| [0-9]+% \[[0-9]+–[0-9]+\] \| - \| - \|$' "$T/cap/tables.md"
"$EVOPAR" bench --config "--strategy threads --workers 2" --capacity --out "$T/x.jsonl" 2>"$T/err"
check "bench --capacity without a sequential configuration exits 2" [ $? = 2 ]
check "bench --capacity without a sequential configuration names it" \
	grep -q -- "--capacity: needs a sequential configuration" "$T/err"

# a cut-down study-balance: one population, two seeds, a few generations
DIR="$T/sb" POPS=30 SEEDS="1 2" GENS=3 REPEAT=2 EVOPAR="$EVOPAR" "$(dirname "$0")/../../experiments/study-balance-run" \
	>"$T/sb.out" 2>&1
check "study-balance-run exits 0" [ $? = 0 ]
check "study-balance: one file per population and seed" [ "$(ls "$T/sb"/*.jsonl | wc -l)" = 2 ]
check "study-balance: report.md" [ -s "$T/sb/report.md" ]
python3 - "$T/sb/tables.md" "$(dirname "$0")/../../experiments/study-balance" <<'PY'
import sys
text = open(sys.argv[1]).read()
labels = [l.split(":")[0] for l in open(sys.argv[2]) if l.strip() and not l.startswith("#")]
assert "## Across files" in text
across = text.split("## Across files")[1]
rows = [l for l in across.splitlines() if l.startswith("| ") and not l.startswith("| configuration")
        and not l.startswith("| ---")]
got = [r.split(" | ")[0][2:] for r in rows]
assert got == [l for l in labels if l != "sequential"], got
for r in rows:
    cells = [c.strip() for c in r.strip("|").split("|")]
    assert len(cells) == 8 and cells[1] == "30" and cells[2] == "2", cells
    assert all(c != "-" for c in cells[3:]), cells
assert text.count("| share of capacity |") == 2 and text.count("| imbalance (max/mean busy) |") == 2
PY
check "study-balance: across the seeds a row per configuration with speedup, share and imbalance" [ $? = 0 ]
check "study-balance prints the table" grep -q '^## Across files' "$T/sb.out"
check "study-balance: every file measures the capacity in its rounds" \
	[ "$(grep -c '^Capacity, measured in the same rounds' "$T/sb/tables.md")" = 2 ]
finish
