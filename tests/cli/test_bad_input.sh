#!/usr/bin/env bash
# Bad input is refused at option time, before any output or work: exit 2 and one line naming
# the option. --inject-fault for every strategy (and bench's configurations); --resume: a
# missing file, a directory, a file that is not a search's records, or the records of
# another study (any option that keys trials differs); the input files of report.
. "$(dirname "$0")/lib.sh"

# OPTIONS... : exit 2, one line on stderr containing $want, no output file nor temp file
refused() {
	local what=$1 out=$T/refused.jsonl rc
	shift
	rm -f "$out" "$out".tmp.*
	"$EVOPAR" "$@" --out "$out" 2>"$T/refused.err"
	rc=$?
	check "$what: exit 2 (got $rc)" [ "$rc" = 2 ]
	check "$what: one line on stderr" [ "$(wc -l <"$T/refused.err")" = 1 ]
	check "$what: says '$want'" grep -qF -- "$want" "$T/refused.err"
	check "$what: no output nor temp file" [ -z "$(ls "$out" "$out".tmp.* 2>/dev/null)" ]
}

# --- --inject-fault ------------------------------------------------------------------------
RUN=(run --quiet --pop 20 --gens 3 --steps 50 --workers 2)
for st in sequential threads thread-limited fork-pool persistent islands; do
	for spec in junk explode:0:mutate:1 kill:x:mutate:1 kill:0:dance:1 kill:0:mutate:1:2 kill:-1:mutate:1; do
		want="--inject-fault: expected KIND:WORKER:PHASE:GEN with KIND one of kill hang garbage"
		refused "$st --inject-fault $spec" "${RUN[@]}" --strategy "$st" --inject-fault "$spec"
	done
done
# a well-formed fault no worker would act out
for st in sequential threads thread-limited; do
	want="--strategy $st has no worker processes to act it out; the strategies whose workers do: fork-pool persistent islands"
	refused "$st, a fault without workers" "${RUN[@]}" --strategy "$st" --inject-fault kill:0:mutate:1
done
want="no worker 2: --workers 2 runs workers 0 to 1"
refused "fork-pool, a worker it does not have" "${RUN[@]}" --strategy fork-pool --inject-fault kill:2:mutate:1
want="no island 2: --islands 2 runs islands 0 to 1"
refused "islands, an island it does not have" "${RUN[@]}" --strategy islands --inject-fault kill:2:mutate:1
want="no generation 3: --gens 3 runs generations 0 to 2"
refused "persistent, a generation it does not run" "${RUN[@]}" --strategy persistent --inject-fault kill:0:mutate:3
want="the workers of --strategy fork-pool act out mutate and evaluate only"
refused "fork-pool, a phase its workers do not serve" "${RUN[@]}" --strategy fork-pool --inject-fault hang:0:prepare:1
want="the workers of --strategy persistent --worker-scope mutate act out mutate and resample only"
refused "persistent, scope mutate, evaluate" "${RUN[@]}" --strategy persistent --inject-fault kill:0:evaluate:1
want="not with --island-id"
refused "islands --island-id: the island has no worker" "${RUN[@]}" --strategy islands \
	--island-id 0 --migration-dir "$T/mig" --inject-fault kill:0:mutate:1
want="--config 1: --inject-fault: expected KIND:WORKER:PHASE:GEN"
refused "bench, a configuration with a bad fault" bench --quiet --repeat 1 --warmup 0 \
	--config "--strategy fork-pool --workers 2 --inject-fault junk"
# a valid fault is still acted out: the run fails (exit 3), it is not refused
"$EVOPAR" "${RUN[@]}" --strategy persistent --inject-fault garbage:1:mutate:1 --worker-timeout 5 \
	--out "$T/ok.jsonl" 2>/dev/null
rc=$?
check "persistent garbage:1:mutate:1: acted out, exit 3 (got $rc)" [ "$rc" = 3 ]

# --- --resume ------------------------------------------------------------------------------
SEARCH=(search --quiet --backend sequential --trials 4 --pop 20 --gens 2 --steps 50)
"$EVOPAR" "${SEARCH[@]}" --out "$T/r1.jsonl"
check "reference search: exit 0" [ $? = 0 ]
mkdir -p "$T/dir"
echo "not records" >"$T/junk.txt"
: >"$T/empty.jsonl"
"$EVOPAR" run --quiet --pop 20 --gens 1 --steps 50 --out "$T/run.jsonl"
not_search="not the records of an evopar search"
cases=(
	"$T/missing.jsonl||--resume $T/missing.jsonl: No such file or directory"
	"$T/dir||--resume $T/dir: Is a directory"
	"$T/junk.txt||--resume $T/junk.txt: $not_search"
	"$T/empty.jsonl||--resume $T/empty.jsonl: $not_search"
	"$T/run.jsonl||--resume $T/run.jsonl: $not_search"
	"$T/r1.jsonl|--seed 2|--resume $T/r1.jsonl: its --seed is 42, this search's is 2"
	"$T/r1.jsonl|--mode static|its --mode is dynamic, this search's is static"
	"$T/r1.jsonl|--task xor|its --task is pole, this search's is xor"
	"$T/r1.jsonl|--pop 30|its --pop is 20, this search's is 30"
	"$T/r1.jsonl|--gens 3|its --gens is 2, this search's is 3"
	"$T/r1.jsonl|--episodes 2|its --episodes is 4, this search's is 2"
	"$T/r1.jsonl|--steps 60|its --steps is 50, this search's is 60"
	"$T/r1.jsonl|--seeds 3|its --seeds is 2, this search's is 3"
)
for c in "${cases[@]}"; do
	IFS='|' read -r file extra want <<<"$c"
	# shellcheck disable=SC2086
	refused "--resume ${file#"$T"/} $extra" "${SEARCH[@]}" $extra --resume "$file"
done
# the space: the drawn parameters' names and ranges, not the file's name
printf 'p-weights float 0.2 1.0\nweight-sigma float 0.05 2.0\np-add-node float 0.0 0.2\np-add-conn float 0.0 0.3\ntournament int 2 8\n' >"$T/same.space"
sed 's/0.05 2.0/0.05 2.5/' "$T/same.space" >"$T/range.space"
head -n 3 "$T/same.space" >"$T/short.space"
want="its --space parameter 2 is 'weight-sigma float 0.05 2', this search's is 'weight-sigma float 0.05 2.5'"
refused "--resume, a space with another range" "${SEARCH[@]}" --space "$T/range.space" --resume "$T/r1.jsonl"
want="its --space has 5 parameters, this search's has 3"
refused "--resume, a space with fewer parameters" "${SEARCH[@]}" --space "$T/short.space" --resume "$T/r1.jsonl"

# a proper resume still works: the same study (its space as a file), then more trials
"$EVOPAR" "${SEARCH[@]}" --space "$T/same.space" --resume "$T/r1.jsonl" --out "$T/r2.jsonl"
rc=$?
check "--resume, the same study: exit 0 (got $rc)" [ "$rc" = 0 ]
# N FILE: FILE holds trials 0..N-1, those of r1 copied as they were (not run again)
kept_as_they_were() {
	python3 - "$1" "$T/r1.jsonl" "$2" <<'PY'
import json, sys
def trials(p):
    return {r["id"]: r for r in map(json.loads, open(p)) if r["type"] == "trial"}
a, b = trials(sys.argv[2]), trials(sys.argv[3])
assert sorted(b) == list(range(int(sys.argv[1]))) and all(b[i] == a[i] for i in a), sorted(b)
PY
}
check "--resume, the same study: its 4 trials kept" kept_as_they_were 4 "$T/r2.jsonl"
"$EVOPAR" "${SEARCH[@]}" --trials 6 --resume "$T/r1.jsonl" --out "$T/r3.jsonl" 2>/dev/null
rc=$?
check "--resume, more trials: exit 0 (got $rc)" [ "$rc" = 0 ]
check "--resume, more trials: 6 trials, the kept ones as they were" kept_as_they_were 6 "$T/r3.jsonl"
# records of an evopar from before the meta recorded the space: compared by the space's name
jq -sc '.[0] |= del(.search_space) | .[]' "$T/r1.jsonl" >"$T/old.jsonl"
"$EVOPAR" "${SEARCH[@]}" --resume "$T/old.jsonl" --out "$T/r4.jsonl" 2>/dev/null
check "--resume, older records with the built-in space: exit 0" [ $? = 0 ]
want="its --space is the built-in space, this search's is $T/same.space"
refused "--resume, older records, another space" "${SEARCH[@]}" --space "$T/same.space" --resume "$T/old.jsonl"

# --- path options: one rule for missing inputs ---------------------------------------------
want="--space $T/dir: Is a directory"
refused "search --space DIR" "${SEARCH[@]}" --space "$T/dir"
want="--configs $T/missing.txt: No such file or directory"
refused "bench --configs MISSING" bench --configs "$T/missing.txt"
mkdir -p "$T/rep"
cp "$T/run.jsonl" "$T/rep/"
for opt in intro reference plots; do
	"$EVOPAR" report "$T/rep" --figures off --$opt "$T/missing" 2>"$T/rep.err" >/dev/null
	rc=$?
	check "report --$opt MISSING: exit 2 (got $rc)" [ "$rc" = 2 ]
	check "report --$opt MISSING: one line naming the option and the path" \
		[ "$(grep -cF -- "--$opt $T/missing: No such file or directory" "$T/rep.err")" = 1 ]
	check "report --$opt MISSING: no report written" [ ! -e "$T/rep/report.md" ]
done
finish
