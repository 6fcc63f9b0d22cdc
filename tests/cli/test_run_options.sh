#!/usr/bin/env bash
# evopar run's command line: every kind of bad input ends with exit code 2, one line naming
# the option and what it allows, and nothing written; --help lists every option's default.
. "$(dirname "$0")/lib.sh"

# args | a word the error line must contain
cases=(
	"--bogus 1|unknown option '--bogus'"
	"--pop|--pop needs a value"
	"--pop abc|--pop: expected an integer from 2"
	"--pop 1|--pop: expected an integer from 2"
	"--pop 12x|--pop: expected an integer"
	"--gens 0|--gens: expected an integer from 1"
	"--gens 99999999999999999999|--gens: expected an integer"
	"--seed -1|--seed: expected an integer from 0"
	"--mode banana|--mode: expected one of: dynamic static"
	"--task tetris|--task: expected one of: pole xor"
	"--strategy nope|--strategy: expected one of: sequential"
	"--prepare-cache maybe|--prepare-cache: expected one of: off on"
	"--p-add-node 1.5|--p-add-node: expected a number from 0 to 1"
	"--p-add-node nan|--p-add-node: expected a number from 0 to 1"
	"--workers 0|--workers: expected an integer from 1"
	"--elite 10 --pop 10|--elite: expected an integer from 0 to 9"
	"--tournament 11 --pop 10|--tournament: expected an integer from 1 to 10"
	"--quiet=yes|--quiet takes no value"
	"stray|unexpected argument 'stray'"
)
for c in "${cases[@]}"; do
	args=${c%%|*}
	want=${c#*|}
	rm -f "$T/out.jsonl"
	# shellcheck disable=SC2086
	"$EVOPAR" run $args --out "$T/out.jsonl" >"$T/stdout" 2>"$T/stderr"
	rc=$?
	check "'$args' exits 2 (got $rc)" [ "$rc" = 2 ]
	check "'$args' names the problem: $want" grep -qF -- "$want" "$T/stderr"
	check "'$args' prints one line" [ "$(wc -l <"$T/stderr")" = 1 ]
	check "'$args' writes no --out file" [ ! -e "$T/out.jsonl" ]
	check "'$args' writes nothing to stdout" [ ! -s "$T/stdout" ]
	check "'$args' leaves no temp file" [ -z "$(ls "$T" | grep tmp)" ]
done

# --help: every option listed with its default (flags have none)
"$EVOPAR" run --help >"$T/help"
check "--help exits 0" [ $? = 0 ]
opts=$(grep -cE '^  --' "$T/help")
defaults=$(grep -c 'default: ' "$T/help")
flags=$(grep -E '^  --(quiet|help) ' "$T/help" | wc -l)
check "--help: a default for every valued option ($defaults + $flags of $opts)" [ "$opts" = $((defaults + flags)) ]
for o in mode task pop gens seed episodes steps prepare-cache strategy workers chunk blas-threads out quiet; do
	check "--help lists --$o" grep -qE "^  --$o " "$T/help"
done
check "--help shows the pop default" grep -q 'default: 200' "$T/help"
check "evopar list names sequential" sh -c "'$EVOPAR' list | grep -q '^sequential '"
"$EVOPAR" frobnicate 2>/dev/null
check "unknown command exits 2" [ $? = 2 ]
finish
