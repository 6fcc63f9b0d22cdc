#!/usr/bin/env bash
# What evopar writes for its reader names only what the reader can check (the machine, its
# load, the command, the records), never how the tool was made: the reports generated from
# the recorded fixtures, the experiments' noise note, every command's help, and the texts of
# report templates and verdict scripts are grepped for such words.
. "$(dirname "$0")/lib.sh"
D=$(dirname "$0")/..
R=$D/..
# words about the making of the tool, not about the user's run
WORDS="the issue|issue's|issue #|sessions?\b|\bhelpers?\b|developers?|targets? set for"
words() { grep -n -i -E -- "$WORDS" "$@"; }
none() { local what=$1; shift; if words "$@" >"$T/hits" 2>/dev/null; then bad "$what:"; cat "$T/hits" >&2; else ok; fi; }

mkdir -p "$T/run" "$T/search"
cp "$D/data/report/bench.jsonl" "$T/run/"
cp "$D/data/report-search"/*.jsonl "$T/search/"
for d in run search; do
	"$EVOPAR" report "$T/$d" >"$T/$d.out" 2>&1
	check "report of the $d fixture exits 0" [ $? = 0 ]
	none "the $d fixture's report names how the tool was made" "$T/$d"/*.md "$T/$d.out"
done

# the verdicts of experiments 1, 2 and 4 on the search fixture's searches.tsv
for n in 1 2 4; do
	"$EVOPAR" report "$T/search" --verdict experiment-$n >"$T/verdict-$n.md" 2>&1
	check "experiment $n's verdict is written" grep -q '^## Verdict' "$T/verdict-$n.md"
	none "experiment $n's verdict names how the tool was made" "$T/verdict-$n.md"
done

# every command's help, and the bare usage
for c in run search bench report watch list; do
	"$EVOPAR" "$c" --help >>"$T/help.txt" 2>&1
done
"$EVOPAR" >>"$T/help.txt" 2>&1
none "help texts name how the tool was made" "$T/help.txt"

# the texts reports are made of: templates, the experiments' scripts and notes, the strings of
# the report generator (comments of C sources left out: they are for whoever reads the code)
none "report templates name how the tool was made" "$R"/reports/*.md "$R"/experiments/*.md
find "$R/experiments" -type f ! -name '*.md' -exec grep -H -v -E '^[[:space:]]*#' {} + >"$T/scripts.txt"
none "the experiments' texts name how the tool was made" "$T/scripts.txt"
grep -h -E '^[[:space:]]*("|(fprintf|notes_add|printf|snprintf|fputs)\()' "$R"/reports/*.c "$R"/harness/*.c \
	"$R"/harness/*/*.c >"$T/strings.txt"
none "the report generator's strings name how the tool was made" "$T/strings.txt"
finish
