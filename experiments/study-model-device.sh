#!/usr/bin/env bash
# The cost model checked on a machine with more cores (issue: the model at 1..16 workers), in
# one go that fits a lent machine's few minutes: what the machine has, the build, then `evopar
# study model` at 1..its cores with the records, report and log copied under $OUT.
# usage: OUT=DIR experiments/study-model-device.sh      (from the repository root)
# Afterwards: copy $OUT/study-model-<N>core/ to experiments/records/ and commit it.
# Knobs: MODEL_SCALE (small: one population, both modes; full does not fit at 16 workers: README),
# MODEL_REPS (3), MODEL_LIMIT (seconds before the study is cut off, 420), JOBS (make -j).
set -u
out=${OUT:?set OUT to the directory the records go to}
scale=${MODEL_SCALE:-small}
reps=${MODEL_REPS:-3}
limit=${MODEL_LIMIT:-420}
jobs=${JOBS:-$(getconf _NPROCESSORS_ONLN)}
cores=$(nproc)
dir="$out/study-model-${cores}core"
mkdir -p "$dir" || exit 2
t0=$(date +%s)
say() { echo "study-model-device: $(($(date +%s) - t0)) s: $*" | tee -a "$dir/device-run.log"; }

# 1. the machine, for the record
{
	echo "## date"; date -u +%FT%TZ
	echo "## cores (online, this process may use)"; getconf _NPROCESSORS_ONLN; nproc
	grep -m1 'model name' /proc/cpuinfo
	echo "## load"; cat /proc/loadavg
} >"$dir/env.txt" 2>&1
say "machine: $cores CPUs this process may use; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"

# 2. the build (the CUDA path too where nvcc is found; it does not change the CPU strategies)
if ! make -j"$jobs" all >"$dir/build.log" 2>&1; then
	say "build failed (see build.log); again without -Werror for nvcc"
	make -j"$jobs" NVCC_WERROR= all >>"$dir/build.log" 2>&1 || { say "build failed again: stop"; exit 3; }
fi
say "build done"

# 3. the study: every strategy at 1..cores workers, predicted first, then measured
timeout --kill-after=10 "$limit" bin/evopar study model --scale "$scale" --reps "$reps" --cores "$cores" \
	--project experiments/advise/doc-004.json --out "$dir/model.jsonl" --report "$dir/report.md" \
	>"$dir/study.log" 2>&1
rc=$?
[ "$rc" = 124 ] || [ "$rc" = 137 ] && say "the study ran past ${limit} s and was cut off (no report)"
tail -n 1 "$dir/study.log" | tee -a "$dir/device-run.log"
say "study exit $rc; records and report in $dir"
exit "$rc"
