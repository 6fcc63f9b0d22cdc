#!/usr/bin/env bash
# Write errors of run, search and bench: exit 3, one line on stderr naming the path and the
# error, the temp file removed and nothing under the final name; records already sent to
# stdout stay whole lines. The full disk is the file size limit (ulimit -f: a write past it
# fails with EFBIG as one to a full disk fails with ENOSPC; no tmpfs needed) and /dev/full.
. "$(dirname "$0")/lib.sh"

LIMIT_KB=8        # above one record of meta, below what each command below writes
RUN=(run --quiet --pop 20 --gens 60 --steps 50)
SEARCH=(search --quiet --backend sequential --trials 40 --gens 1 --pop 10 --steps 50)
BENCH=(bench --quiet --common "--pop 10 --gens 1 --steps 50" --config "--strategy sequential"
	--repeat 4 --warmup 0)

# COMMAND... under the limit; $caller_ignores=1: SIGXFSZ ignored by the caller, so that the
# write itself fails (a full disk); 0: evopar must ignore it itself, or die of it
limited() {
	(
		[ "$caller_ignores" = 1 ] && trap '' XFSZ
		ulimit -f "$LIMIT_KB"
		exec "$EVOPAR" "$@"
	)
}

# every line but a torn last one is a whole record, the first a meta (or bench calibration)
whole_lines() {
	python3 - "$1" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().split("\n")
recs = [json.loads(l) for l in lines[:-1]]
assert len(recs) >= 2 and recs[0]["type"] in ("meta", "calibration"), [r["type"] for r in recs]
PY
}

# name | caller ignores SIGXFSZ | command (an array's name)
cases=(
	"run|1|RUN"
	"search|1|SEARCH"
	"bench|1|BENCH"
	"run-self|0|RUN"
)
for c in "${cases[@]}"; do
	IFS='|' read -r name caller_ignores arr <<<"$c"
	declare -n cmd=$arr
	out="$T/$name.jsonl"
	limited "${cmd[@]}" --out "$out" 2>"$T/$name.err"
	rc=$?
	check "$name, write fails: exit 3 (got $rc)" [ "$rc" = 3 ]
	check "$name, write fails: nothing under the final name" [ ! -e "$out" ]
	check "$name, write fails: the temp file is removed" [ -z "$(ls "$out".tmp.* 2>/dev/null)" ]
	check "$name, write fails: one line on stderr ($(wc -l <"$T/$name.err"))" [ "$(wc -l <"$T/$name.err")" = 1 ]
	check "$name, write fails: the line names the path and the error" \
		grep -qF -- "--out $out: write failed: File too large" "$T/$name.err"
	unset -n cmd
done

# stdout: what was flushed stays whole lines; the one line names stdout and the error
caller_ignores=0
for arr in RUN SEARCH BENCH; do
	declare -n cmd=$arr
	limited "${cmd[@]}" --out - >"$T/stdout-$arr.jsonl" 2>"$T/stdout-$arr.err"
	rc=$?
	check "$arr to stdout, write fails: exit 3 (got $rc)" [ "$rc" = 3 ]
	check "$arr to stdout, write fails: the records written are whole lines" whole_lines "$T/stdout-$arr.jsonl"
	check "$arr to stdout, write fails: one line on stderr" [ "$(wc -l <"$T/stdout-$arr.err")" = 1 ]
	check "$arr to stdout, write fails: the line names stdout and the error" \
		grep -qF -- "--out - (stdout): write failed: File too large" "$T/stdout-$arr.err"
	unset -n cmd
done

# a device written in place: /dev/full fails every write with ENOSPC
if [ -w /dev/full ]; then
	for arr in RUN SEARCH BENCH; do
		declare -n cmd=$arr
		"$EVOPAR" "${cmd[@]}" --out /dev/full 2>"$T/full-$arr.err"
		rc=$?
		check "$arr --out /dev/full: exit 3 (got $rc)" [ "$rc" = 3 ]
		check "$arr --out /dev/full: one line on stderr" [ "$(wc -l <"$T/full-$arr.err")" = 1 ]
		check "$arr --out /dev/full: the line names the path and the error" \
			grep -qF -- "--out /dev/full: write failed: No space left on device" "$T/full-$arr.err"
		unset -n cmd
	done
fi
finish
