#!/bin/sh
# readme-check: runs every command block of a Markdown file (README.md by default) as written,
# in order, in a scratch copy of the repository, the way a new user with a fresh clone would.
# usage: tests/readme-check/readme-check.sh [FILE.md]     (make readme-check; part of make test)
#
# Which blocks run. A fenced block (``` or ~~~, indented up to 3 spaces) opened with no info
# string or with sh, bash, shell or console is commands and runs; any other info string
# (```text, ```json, ```sql, ```python, ...) marks a block that is not commands, and it is
# left alone. Each block runs as one `bash -e` script (sh where there is no bash), stdin from
# /dev/null, in the copy's root: a command that fails fails its block, and a later block sees
# what an earlier one wrote. The copy holds what git tracks (or would: untracked files not
# ignored) plus this tree's bin/ and build/obj/ (so nothing is rebuilt), and no results/ and
# nothing beside the repository (no ../anything): what a clone has after `make`.
# OMPI_ALLOW_RUN_AS_ROOT* and Open MPI's oversubscribe variables are removed from the
# environment: a block that needs mpirun carries the flags it needs as written.
#
# Directives. An HTML comment `<!-- readme-check: DIRECTIVE -->` on its own line applies to
# the next block; only blank lines or other directives may stand between (else it is an
# error, so that a paragraph added later cannot silently move it). Several may be given:
#   make -n          lines starting with `make ` run as `make -n ...`: for the long targets
#                    (make run, make test, experiments, studies); the recursive makes inside
#                    them dry-run too, so every target and variable they name is checked
#   sed EXPR         the block goes through `sed -e 'EXPR'` first: to run it at the smallest
#                    size (fewer trials, a smaller population), the rest as written
#   needs CMD        the block is skipped, and says so, where CMD is not on PATH
#   timeout S        the block's time limit in seconds (default $README_TIMEOUT or 300)
#   skip REASON      not run; REASON is printed (for what cannot run on one machine)
# Every relative link of the file ([text](path), ![alt](path)) must name a file of the copy.
# Exit 0 when every block ran with status 0; 1 otherwise, with each failure's output tail.
set -u
readme=${1:-README.md}
root=$(cd "$(dirname "$0")/../.." && pwd)
limit_default=${README_TIMEOUT:-300}
[ -f "$readme" ] || { echo "readme-check: $readme: no such file" >&2; exit 2; }
readme=$(cd "$(dirname "$readme")" && pwd)/$(basename "$readme")
W=$(mktemp -d "${TMPDIR:-/tmp}/readme-check.XXXXXX")
# README_KEEP=1 keeps the scratch folder (each block as run, and its output) and names it
if [ "${README_KEEP:-0}" = 1 ]; then trap 'echo "readme-check: kept $W"' EXIT; else trap 'rm -rf "$W"' EXIT; fi
trap 'exit 143' INT TERM
clone=$W/clone
mkdir -p "$clone"

# --- the scratch copy ---------------------------------------------------------------------
copy_tree() {
	if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$root" ls-files --cached --others --exclude-standard |
			while IFS= read -r f; do [ -e "$root/$f" ] && printf '%s\n' "$f"; done >"$W/files"
	else
		(cd "$root" && find . -path ./bin -prune -o -path ./build -prune -o -path ./results -prune \
			-o -type f -print) >"$W/files"
	fi
	(cd "$root" && tar -cf - -T "$W/files") | (cd "$clone" && tar -xf -) || return 1
	for d in bin build/obj; do
		[ -d "$root/$d" ] || continue
		mkdir -p "$clone/$(dirname "$d")" && cp -pR "$root/$d" "$clone/$d" || return 1
	done
}

# --- the extractor: block-N.sh, and block-N.info holding "LINE\tINFO" then one directive a line
extract() {
	awk -v out="$W" '
	function flush_error(msg) { printf "%s:%d: %s\n", FILENAME, NR, msg > "/dev/stderr"; bad = 1 }
	!inblock && /^ ? ? ?<!--[ ]*readme-check:.*-->[ ]*$/ {
		d = $0
		sub(/^[ ]*<!--[ ]*readme-check:[ ]*/, "", d)
		sub(/[ ]*-->[ ]*$/, "", d)
		pending[++np] = d
		pending_line = NR
		next
	}
	!inblock && match($0, /^ ? ? ?(```+|~~~+)/) {
		indent = $0; sub(/[^ ].*$/, "", indent)
		fence = substr($0, RSTART + length(indent), RLENGTH - length(indent))
		info = substr($0, RSTART + RLENGTH)
		sub(/^[ ]+/, "", info); sub(/[ {].*$/, "", info)
		inblock = 1; n++
		file = sprintf("%s/block-%03d", out, n)
		runs = info == "" || info == "sh" || info == "bash" || info == "shell" || info == "console"
		printf "%d\t%s\n", NR + 1, runs ? "run" : info > (file ".info")
		for (i = 1; i <= np; i++) print pending[i] > (file ".info")
		close(file ".info")
		printf "" > (file ".sh")
		np = 0
		next
	}
	inblock {
		line = $0
		if (line ~ "^ ? ? ?" fence "[`~]*[ ]*$") { inblock = 0; close(file ".sh"); next }
		if (indent != "" && index(line, indent) == 1)
			line = substr(line, length(indent) + 1)
		print line > (file ".sh")
		next
	}
	np && $0 !~ /^[ \t]*$/ {
		flush_error(sprintf("the readme-check directive of line %d is not followed by a block", pending_line))
		np = 0
	}
	END {
		if (inblock) flush_error("a fenced block is never closed")
		if (np) flush_error(sprintf("the readme-check directive of line %d is not followed by a block", pending_line))
		exit bad
	}' "$readme"
}

# --- relative links name files of the copy; nothing points outside it ----------------------
check_links() {
	awk '
	/^ ? ? ?(```|~~~)/ { inblock = !inblock; next }
	inblock { next }
	{
		s = $0
		while (match(s, /\]\([^)]*\)/)) {
			t = substr(s, RSTART + 2, RLENGTH - 3)
			s = substr(s, RSTART + RLENGTH)
			sub(/[ ].*$/, "", t); sub(/#.*$/, "", t)
			if (t != "" && t !~ /^[a-zA-Z][a-zA-Z0-9+.-]*:/) printf "%d\t%s\n", NR, t
		}
		s = " " $0
		while (match(s, /[ `(]\.\.\/[A-Za-z0-9_.\/-]*/)) {
			printf "%d\t%s\n", NR, substr(s, RSTART + 1, RLENGTH - 1)
			s = substr(s, RSTART + RLENGTH)
		}
	}' "$readme" | while IFS='	' read -r line target; do
		case $target in
		../*) echo "  FAIL: line $line: $target is outside the repository (a clone does not have it)" ;;
		*) [ -e "$clone/$target" ] || echo "  FAIL: line $line: the link $target names no file" ;;
		esac
	done
}

# --- run one block --------------------------------------------------------------------------
shell=bash
command -v bash >/dev/null 2>&1 || shell=sh
run_block() {
	b=$1
	info=$b.info
	script=$b.sh
	start=$(head -n 1 "$info" | cut -f 1)
	kind=$(head -n 1 "$info" | cut -f 2)
	where="$(basename "$readme"):$start"
	[ "$kind" = run ] || { echo "  -    $where: a $kind block, not commands"; return 0; }
	[ -s "$script" ] || return 0
	limit=$limit_default
	cp "$script" "$b.run"
	tail -n +2 "$info" >"$b.dirs"
	while IFS= read -r d; do
		case $d in
		"make -n") sed -e 's/^\([[:space:]]*\)make /\1make -n /' "$b.run" >"$b.tmp" && mv "$b.tmp" "$b.run" ;;
		"sed "*) sed -e "${d#sed }" "$b.run" >"$b.tmp" && mv "$b.tmp" "$b.run" ||
			{ echo "  FAIL: $where: bad directive '$d'"; return 1; } ;;
		"needs "*) command -v "${d#needs }" >/dev/null 2>&1 ||
			{ echo "  skip $where: ${d#needs } is not installed"; return 0; } ;;
		"timeout "*) limit=${d#timeout } ;;
		"skip"*) echo "  skip $where: ${d#skip}"; return 0 ;;
		*) echo "  FAIL: $where: unknown directive '$d'"; return 1 ;;
		esac
	done <"$b.dirs"
	t0=$(date +%s)
	(cd "$clone" && exec env -u OMPI_ALLOW_RUN_AS_ROOT -u OMPI_ALLOW_RUN_AS_ROOT_CONFIRM \
		-u OMPI_MCA_rmaps_base_oversubscribe -u OMPI_MCA_mpi_oversubscribe \
		timeout -k 5 "$limit" "$shell" -e "$b.run" </dev/null >"$b.log" 2>&1) &
	pid=$!
	wait "$pid"
	rc=$?
	# whatever the block left running in the background goes with its process group
	kill -9 "-$pid" 2>/dev/null
	secs=$(($(date +%s) - t0))
	if [ "$rc" = 0 ]; then
		echo "  ok   $where (${secs} s)"
		return 0
	fi
	[ "$rc" = 124 ] && why="timed out after $limit s" || why="exit $rc"
	echo "  FAIL: $where: $why; the block as run:"
	sed 's/^/      | /' "$b.run"
	echo "    its last output:"
	tail -n 15 "$b.log" | sed 's/^/      > /'
	return 1
}

copy_tree || { echo "readme-check: could not copy the tree to $clone" >&2; exit 2; }
extract || exit 1
fails=0
links=$(check_links)
if [ -n "$links" ]; then
	echo "$links"
	fails=$((fails + $(printf '%s\n' "$links" | wc -l)))
fi
blocks=0
for info in "$W"/block-*.info; do
	[ -e "$info" ] || continue
	blocks=$((blocks + 1))
	run_block "${info%.info}" || fails=$((fails + 1))
done
echo "readme-check: $(basename "$readme"): $blocks blocks, $fails failed"
[ "$fails" = 0 ]
