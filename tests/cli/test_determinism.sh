#!/usr/bin/env bash
# The determinism promise: every within-generation strategy (islands aside), at 1, 2, 3 and
# 7 workers, with chunk sizes that do not divide the population, gives sequential's digest.
. "$(dirname "$0")/lib.sh"

common="--quiet --pop 50 --gens 6 --steps 150"
digest() { "$EVOPAR" run $common "$@" --out - | tail -n 1 | sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p'; }

# strategy and the option sets it is run with
variants=(
	"threads|"
	"thread-limited|"
	"fork-pool|--start fork"
	"fork-pool|--start spawn"
	"persistent|--transport pipe --worker-scope mutate"
	"persistent|--transport shm --worker-scope mutate"
	"persistent|--transport pipe --worker-scope all"
	"persistent|--transport shm --worker-scope all"
)
for mode in dynamic static; do
	want=$(digest --mode $mode)
	check "$mode: sequential has a digest" [ -n "$want" ]
	for v in "${variants[@]}"; do
		strat=${v%%|*}
		opts=${v#*|}
		check "$strat is registered" sh -c "\"$EVOPAR\" list | grep -q \"^$strat \""
		for w in 1 2 3 7; do
			for chunk in 0 7; do
				got=$(digest --mode $mode --strategy $strat $opts --workers $w --chunk $chunk)
				check "$mode $strat $opts workers $w chunk $chunk: $got = $want" [ "$got" = "$want" ]
			done
		done
	done
done
finish
