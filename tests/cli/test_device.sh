#!/usr/bin/env bash
# --device on run and search: cpu is the default and changes nothing; cuda where it cannot
# run (no CUDA build, no GPU, a strategy or backend that evaluates elsewhere, another task)
# exits 2 with one line saying which and writes nothing. Where a GPU is present: a run on it
# repeats its own digest, and its records carry the device and the split of its evaluate phase.
. "$(dirname "$0")/lib.sh"

small="--pop 40 --gens 4 --seed 5 --quiet"

# cpu is what runs without the option
"$EVOPAR" run $small --out "$T/plain.jsonl"
"$EVOPAR" run $small --device cpu --out "$T/cpu.jsonl"
check "--device cpu: the same digest as without it" \
	[ "$(summary "$T/plain.jsonl" digest)" = "$(summary "$T/cpu.jsonl" digest)" ]
check "--device cpu: meta records it" jqt -n 'input | .config.device == "cpu"' "$T/cpu.jsonl"
check "--device cpu: no device record" [ -z "$(grep '"type":"device"' "$T/cpu.jsonl")" ]

# one line and exit 2, nothing written: args | what the line must say
"$EVOPAR" run $small --device cuda --out "$T/probe.jsonl" 2>"$T/probe.err"
probe=$?
why=$(cat "$T/probe.err")
cases=(
	"run --device gpu|--device: expected one of: cpu cuda"
	"run --device cuda --strategy fork-pool|--strategy sequential, threads or thread-limited, not fork-pool"
	"run --device cuda --strategy persistent --worker-scope all|not persistent"
	"run --device cuda --task xor|--task pole only"
	"search --device cuda --backend fork-pool|--backend sequential or threads, not fork-pool"
	"search --device cuda --task xor|--task pole only"
)
if [ "$probe" != 0 ]; then
	# no GPU path here: the reason, said the same way by run and search
	check "no GPU here: run --device cuda exits 2 (got $probe)" [ "$probe" = 2 ]
	check "no GPU here: it says which (no CUDA build, or no GPU): $why" \
		grep -qE -- '--device cuda: (this evopar was built without CUDA|no (usable )?GPU here)' "$T/probe.err"
	cases+=("run --device cuda|${why#evopar run: }" "search --device cuda --trials 1|${why#evopar run: }")
	echo "  (no GPU here: ${why#evopar run: --device cuda: })"
fi
for c in "${cases[@]}"; do
	args=${c%%|*}
	want=${c#*|}
	rm -f "$T/out.jsonl"
	# shellcheck disable=SC2086
	"$EVOPAR" $args --out "$T/out.jsonl" >"$T/stdout" 2>"$T/stderr"
	rc=$?
	check "'$args' exits 2 (got $rc)" [ "$rc" = 2 ]
	check "'$args' says: $want" grep -qF -- "$want" "$T/stderr"
	check "'$args' prints one line" [ "$(wc -l <"$T/stderr")" = 1 ]
	check "'$args' writes no --out file" [ ! -e "$T/out.jsonl" ]
done
check "run --help lists --device" grep -q -- '--device' <("$EVOPAR" run --help)
check "search --help lists --device" grep -q -- '--device' <("$EVOPAR" search --help)

if [ "$probe" = 0 ]; then
	for mode in dynamic static; do
		"$EVOPAR" run $small --mode $mode --device cuda --out "$T/gpu1.jsonl"
		check "$mode on the GPU: exit 0" [ $? = 0 ]
		"$EVOPAR" run $small --mode $mode --device cuda --strategy threads --workers 2 --out "$T/gpu2.jsonl"
		check "$mode on the GPU: the digest repeats (threads for the other phases)" \
			[ "$(summary "$T/gpu1.jsonl" digest)" = "$(summary "$T/gpu2.jsonl" digest)" ]
		check "$mode on the GPU: records intact" records_intact "$T/gpu1.jsonl"
		check "$mode on the GPU: a device record and the split per generation" jqt -s '
			map(select(.type == "device")) as $d | ($d | length) == 1 and $d[0].fp64_peak_gflops > 0
			and all(.[] | select(.type == "generation"); .device.kernel_ms > 0 and .device.bytes_h2d > 0
				and .device.lane_use > 0 and .device.lane_use <= 1 and .comm_ms.evaluate <= .ms.evaluate)' "$T/gpu1.jsonl"
	done
	"$EVOPAR" search --device cuda --trials 2 --seeds 1 --gens 3 --pop 30 --backend threads --jobs 2 \
		--quiet --out "$T/search1.jsonl"
	check "search on the GPU: exit 0" [ $? = 0 ]
	"$EVOPAR" search --device cuda --trials 2 --seeds 1 --gens 3 --pop 30 --quiet --out "$T/search2.jsonl"
	vals() { jq -sc 'map(select(.type == "trial") | [.id, .value]) | sort' "$1"; }
	check "search on the GPU: the same trial values, threads or sequential" \
		[ "$(vals "$T/search1.jsonl")" = "$(vals "$T/search2.jsonl")" ]
fi
finish
