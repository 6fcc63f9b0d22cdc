#!/usr/bin/env bash
# Work is counted alike by every strategy: each generation record carries `steps` (pole: the
# physics steps simulated, xor: the networks evaluated), and the same config at 2 workers sums
# to sequential's total under every within-generation strategy; islands count theirs too.
. "$(dirname "$0")/lib.sh"

common="--quiet --pop 40 --gens 5 --steps 200 --seed 5"
# the sum of the generation records' steps, or "bad" where one lacks an integer count
total_steps() {
	jq -rs '[.[] | select(.type == "generation") | .steps] |
		if length > 0 and all(type == "number" and . == floor and . > 0) then add else "bad" end' "$1"
}

for wl in "--task pole --mode dynamic" "--task pole --mode static" "--task xor --mode dynamic"; do
	"$EVOPAR" run $common $wl --strategy sequential --out "$T/seq.jsonl"
	want=$(total_steps "$T/seq.jsonl")
	check "$wl: sequential counts steps in every generation ($want)" [ "$want" != bad ]
	for s in $("$EVOPAR" list | cut -d' ' -f1); do
		case $s in
		sequential) continue;;
		islands) opts="--islands 2";;
		*) opts="--workers 2";;
		esac
		for extra in "" "--start spawn" "--transport shm --worker-scope all"; do
			case "$s:$extra" in
			fork-pool:--start*|persistent:--transport*|*:) ;;
			*) continue;;
			esac
			"$EVOPAR" run $common $wl --strategy $s $opts $extra --out "$T/$s.jsonl"
			got=$(total_steps "$T/$s.jsonl")
			if [ "$s" = islands ]; then
				# each island selects within its own share: another computation, its own count
				check "$wl: islands count steps in every generation ($got)" [ "$got" != bad ]
			else
				check "$wl: $s $opts $extra: $got steps = sequential's $want" [ "$got" = "$want" ]
			fi
		done
	done
done
# islands under MPI count what the same islands count through files (sync): rank 0 adds
# every other rank's report to its own
if command -v mpirun >/dev/null; then
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
	"$EVOPAR" run $common --strategy islands --islands 2 --migration sync --out "$T/sync.jsonl"
	timeout --kill-after=5 60 mpirun --oversubscribe -np 2 "$EVOPAR" run $common --strategy islands \
		--islands 2 --migration mpi --out "$T/mpi.jsonl" >/dev/null 2>&1
	sync_steps=$(total_steps "$T/sync.jsonl")
	check "islands: mpi counts $(total_steps "$T/mpi.jsonl") steps = sync's $sync_steps" \
		[ "$(total_steps "$T/mpi.jsonl")" = "$sync_steps" ]
	check "islands: sync counted" [ "$sync_steps" != bad ]
fi
# xor's unit: one per network evaluated
check "xor: pop x gens network evaluations" [ "$want" = $((40 * 5)) ]

# The report: throughput beside ms, and islands (whose work differs) labelled and drawn apart
mkdir -p "$T/rep"
"$EVOPAR" bench --quiet --common="${common#--quiet }" --config "--strategy sequential" \
	--config "--strategy threads --workers 2" --config "--strategy islands --islands 2" \
	--repeat 2 --warmup 0 --out "$T/rep/bench.jsonl" 2>/dev/null
"$EVOPAR" report "$T/rep" >/dev/null 2>&1
check "report: a throughput row" grep -q '^| throughput (M steps/s) |' "$T/rep/tables.md"
row=$(grep '^| work / sequential' "$T/rep/tables.md")
check "report: sequential and threads did the same work, islands a different computation ($row)" \
	sh -c 'echo "$1" | grep -Eq "^\| work / sequential.s \| 1\.000 \| 1\.000 \| [0-9.]+ different computation \|$"' _ "$row"
check "report: the note names islands as a different computation" \
	grep -q '^islands x2 is a different computation' "$T/rep/tables.md"
check "figure: islands is a block of its own, labelled" \
	grep -q '^"islands x2 (different computation)"' "$T/rep/speedup.dat"
check "figure: threads is drawn as a series, not apart" \
	sh -c 'grep -q "^\"threads\"" "$1" && ! grep -q "threads.*different computation" "$1"' _ "$T/rep/speedup.dat"
finish
