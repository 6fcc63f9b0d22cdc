#!/usr/bin/env bash
# Experiment 5 on a machine with an NVIDIA GPU, in one go and about 8 minutes on one H100/H200
# with 16 cores: what the machine has, the build (CUDA path included), the GPU correctness
# tests (device against CPU fitness with the measured differences; a run repeats its digest),
# then `experiments/experiment-5/run device`, its records and report copied under $OUT.
# usage: OUT=DIR experiments/experiment-5/device-run.sh      (from the repository root)
# Afterwards: copy $OUT/experiment-5/ to experiments/records/experiment-5/ and commit it.
# Knobs: EXP_LIMIT (seconds the experiment may take before what finished is reported, 330),
# JOBS (make -j, the cores), SCALE (device); the spec's knobs pass through (POPS=..., ...).
set -u
out=${OUT:?set OUT to the directory the records go to}
limit=${EXP_LIMIT:-330}
jobs=${JOBS:-$(getconf _NPROCESSORS_ONLN)}
scale=${SCALE:-device}
mkdir -p "$out" || exit 2
t0=$(date +%s)
say() { echo "device-run: $(($(date +%s) - t0)) s: $*" | tee -a "$out/device-run.log"; }

# 1. the machine, for the record (and for a rerun that has to work around it)
{
	echo "## date"; date -u +%FT%TZ
	echo "## nvidia-smi"; nvidia-smi 2>&1 || echo "(no nvidia-smi)"
	echo "## nvcc"; { command -v nvcc || ls /usr/local/cuda/bin/nvcc; } 2>&1; \
		{ nvcc --version || /usr/local/cuda/bin/nvcc --version; } 2>&1 | tail -n 2
	echo "## cores"; getconf _NPROCESSORS_ONLN; grep -m1 'model name' /proc/cpuinfo
	echo "## libraries"; for p in openblas papi jansson cmocka; do
		printf '%s: %s\n' "$p" "$(pkg-config --modversion "$p" 2>&1)"; done
} >"$out/env.txt" 2>&1
say "machine: $(grep -m1 -A1 '## cores' "$out/env.txt" | tail -n 1) cores;" \
	"GPU: $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1)"

# 2. the build: bin/evopar and the GPU tests, the CUDA path compiled where nvcc is found;
# a bin/evopar carried in from elsewhere is used if the build cannot run here
# (another CUDA's headers may warn where ours do not: then once more without -Werror for nvcc)
targets="all build/obj/tests/test_gpu_host build/obj/tests/test_gpu_device"
if ! make -k -j"$jobs" $targets >"$out/build.log" 2>&1; then
	say "build failed (see build.log); again without -Werror for nvcc"
	make -k -j"$jobs" NVCC_WERROR= $targets >>"$out/build.log" 2>&1 || say "build failed again; using what is there"
fi
grep -m1 'CUDA path' "$out/build.log" | tee -a "$out/device-run.log"
[ -x bin/evopar ] || { say "no bin/evopar: stop"; exit 3; }
ldd bin/evopar >>"$out/env.txt" 2>&1
if ! bin/evopar run --device cuda --pop 10 --gens 1 --quiet --out /dev/null 2>"$out/probe.txt"; then
	say "--device cuda cannot run: $(cat "$out/probe.txt"); the CPU half only"
fi
say "build done"

# 3. correctness on the device: the tests print the measured differences
for t in build/obj/tests/test_gpu_host build/obj/tests/test_gpu_device; do
	[ -x "$t" ] && timeout 180 "$t" >>"$out/tests.txt" 2>&1
	echo "$(basename "$t"): exit $?" >>"$out/tests.txt"
done
timeout 120 tests/run-tests.sh tests/cli/test_device.sh >>"$out/tests.txt" 2>&1
grep -E 'bit for bit|digest|test_gpu_device: SKIPPED|: exit|passed,' "$out/tests.txt" | tee -a "$out/device-run.log"
say "tests done"

# 4. the experiment, cut off at the limit; what finished is reported either way
OUT="$out/experiment-5" timeout --kill-after=10 "$limit" experiments/experiment-5/run "$scale" \
	>"$out/experiment.log" 2>&1
rc=$?
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	say "the experiment ran past ${limit} s: reporting what finished"
	echo "$scale" >"$out/experiment-5/scale"
	REPORT_ONLY=1 OUT="$out/experiment-5" experiments/experiment-5/run "$scale" >>"$out/experiment.log" 2>&1
fi
sed -n '/^## Verdict/,$p' "$out/experiment.log" | tee -a "$out/device-run.log"
say "experiment exit $rc; records and report in $out/experiment-5"
