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
# xor's unit: one per network evaluated
check "xor: pop x gens network evaluations" [ "$want" = $((40 * 5)) ]
finish
