#!/usr/bin/env bash
# The records every command writes (docs/records.md): strict JSON that jq and a strict UTF-8
# reader take even when a path or a label holds an invalid byte (\xff), a schema in every
# meta, doubles always with a decimal point, one type per field across all record types,
# every type and field documented, and searches.tsv leaving missing values empty.
. "$(dirname "$0")/lib.sh"

FF=$'\xff'
D="$T/out${FF}dir"
mkdir -p "$D" "$T/b"
small="--pop 12 --gens 3 --steps 50 --quiet"
jqe() { jq -e "$@" >/dev/null; }

"$EVOPAR" run $small --out "$D/run${FF}.jsonl"
check "run: an --out path holding \\xff: exit 0" [ $? = 0 ]
check "run: the file is there under its own bytes" [ -s "$D/run${FF}.jsonl" ]
"$EVOPAR" run $small --strategy islands --islands 2 --migrate-every 1 --out "$D/islands.jsonl"
check "islands: exit 0" [ $? = 0 ]
"$EVOPAR" run $small --strategy fork-pool --workers 2 --inject-fault kill:0:mutate:1 \
	--out "$D/failed.jsonl" 2>/dev/null
check "a run whose worker is killed: exit 3" [ $? = 3 ]
"$EVOPAR" search --trials 3 --seeds 1 --gens 2 --pop 10 --quiet --out "$D/search.jsonl"
check "search: exit 0" [ $? = 0 ]
"$EVOPAR" watch --interval 50 --out "$D/watch.jsonl" -- sleep 0.2 2>/dev/null
check "watch: exit 0" [ $? = 0 ]
"$EVOPAR" bench --repeat 1 --warmup 1 --quiet --out "$T/b/bench.jsonl" \
	--config "r${FF}: --pop 10 --gens 2 --steps 50" \
	--config "s: search --trials 2 --seeds 1 --gens 2 --pop 10"
check "bench: a label holding \\xff: exit 0" [ $? = 0 ]
files=("$D/run${FF}.jsonl" "$D/islands.jsonl" "$D/failed.jsonl" "$D/search.jsonl" "$D/watch.jsonl"
       "$T/b/bench.jsonl")

for f in "${files[@]}"; do
	n=$(basename "$f")
	check "$n: jq reads every line" jqe -s 'length > 1' "$f"
	check "$n: every line is strict UTF-8 JSON (python3 json.loads)" python3 -c '
import json, sys
with open(sys.argv[1], encoding="utf-8", errors="strict") as f:
    for line in f:
        json.loads(line)' "$f"
done
check "run: meta.config.out holds U+FFFD for the \\xff bytes" \
	[ "$(jq -r 'select(.type == "meta") | .config.out' "$D/run${FF}.jsonl")" = "$T/out"$'\xef\xbf\xbd'"dir/run"$'\xef\xbf\xbd'".jsonl" ]
check "bench: the label written with U+FFFD, in bench, bench_run and the tags" \
	jqe -s '[.[] | select(.config_id == 0) | .config_label] | length > 3 and all(. == "r\ufffd")' "$T/b/bench.jsonl"
check "bench: its run records all carry the tags" \
	jqe -s '[.[] | select(.type != "calibration" and .type != "bench" and .type != "bench_round" and .type != "bench_end") |
		has("config_id") and has("config_label") and has("rep") and (.warmup | type == "boolean")] | all' \
	"$T/b/bench.jsonl"

check "schema 2 in every meta record and in the bench record" \
	jqe -s '[.[] | select(.type == "meta" or .type == "bench") | .schema] | length >= 8 and all(. == 2)' \
	"${files[@]}"
check "doubles with a decimal point: weight-init 1 is written 1.0" \
	grep -q '"weight-init":1\.0,' "$D/run${FF}.jsonl"
check "doubles with a decimal point: bench's timeout 3600 is written 3600.0" \
	grep -q '"timeout_s":3600\.0,' "$T/b/bench.jsonl"
check "integers stay integers: search's int parameter in every trial" \
	[ "$(grep -c '"tournament":[0-9]*[,}]' "$D/search.jsonl")" = 3 ]
check "migration: time_s, seconds since the epoch" \
	jqe -s '[.[] | select(.type == "migration") | .time_s > 1e9] | length > 0 and all' "$D/islands.jsonl"

# One JSON type per field (a name's path: top-level names across all record types, nested
# ones under their parent), nulls aside; a number's type read from its text: 1 is an int, 1.0 not.
check "one type per field across every record of every command" python3 - "${files[@]}" <<'PY'
import json, sys
from collections import defaultdict
seen = defaultdict(dict)
def kind(v):
    return {bool: "bool", int: "int", float: "double", str: "string", list: "array",
            dict: "object"}[type(v)]
def walk(path, v, where):
    if v is None:
        return
    seen[path].setdefault(kind(v), where)
    if isinstance(v, dict):
        for k, x in v.items():
            walk(path + "." + k if path else k, x, where)
    elif isinstance(v, list):
        for x in v:
            walk(path + "[]", x, where)
for name in sys.argv[1:]:
    for line in open(name, encoding="utf-8"):
        r = json.loads(line)
        walk("", {k: v for k, v in r.items()}, (name.rsplit("/", 1)[-1], r["type"]))
bad = {p: k for p, k in seen.items() if len(k) > 1 and p}
assert not bad, bad
PY

# every record type and every top-level field of it appears in docs/records.md, under a
# heading naming the type (the bench tags are documented once, for all)
check "docs/records.md: every record type and field written here" python3 - "${files[@]}" <<'PY'
import json, re, sys
doc = open("docs/records.md", encoding="utf-8").read()
sections = {}
for m in re.finditer(r"^### `(\w+)`[^\n]*\n(.*?)(?=^### |^## |\Z)", doc, re.S | re.M):
    sections[m.group(1)] = sections.get(m.group(1), "") + m.group(2)
tags = {"config_id", "config_label", "rep", "warmup", "type"}
missing = set()
for name in sys.argv[1:]:
    for line in open(name, encoding="utf-8"):
        r = json.loads(line)
        text = sections.get(r["type"])
        if text is None:
            missing.add(r["type"])
            continue
        for k in r:
            if k not in tags and "`%s`" % k not in text:
                missing.add("%s.%s" % (r["type"], k))
assert not missing, sorted(missing)
PY

# the README's jq lines, as written, on these files
cp "$D/run${FF}.jsonl" "$T/seq.jsonl"
grep '^jq ' README.md | sed "s|results/seq.jsonl|$T/seq.jsonl|; s|results/threads.jsonl|$T/seq.jsonl|" \
	>"$T/cookbook"
check "README: three jq lines in the records cookbook" [ "$(wc -l <"$T/cookbook")" = 3 ]
while read -r line; do
	check "README: $(echo "$line" | cut -c1-60)... prints records" sh -c "$line | grep -q ."
done <"$T/cookbook"

"$EVOPAR" report "$T/b" --figures off >/dev/null 2>&1
check "report: exit 0" [ $? = 0 ]
check "searches.tsv: no field is '-'" \
	awk -F'\t' '{ for (i = 1; i <= NF; i++) if ($i == "-") bad = 1 } END { exit bad }' "$T/b/searches.tsv"
check "searches.tsv: a value not measured is an empty field (flagged, of a one-job search)" \
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i } NR == 2 { exit $h["flagged"] != "" }' \
	"$T/b/searches.tsv"
check "searches.tsv: every row has the header's fields" \
	awk -F'\t' 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit bad }' "$T/b/searches.tsv"
finish
