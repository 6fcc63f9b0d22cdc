#!/usr/bin/env bash
# The command-line conventions every evopar command keeps: -h/--help and -V/--version, "--"
# ending the options, usage errors on stderr, --out making its folders (and refusing a path
# that cannot be written with exit 2 before any work), the summary line at the end (none with
# --quiet), the progress line redrawn with \033[K on a terminal, and the man page, the bash
# completion and make install, all generated from the option tables.
. "$(dirname "$0")/lib.sh"

COMMANDS="run search bench report watch list help advise"
W=(--pop 20 --gens 3 --steps 50)
code() { "$@" >/dev/null 2>&1; echo $?; }

# --- -h, --help, -V, --version ------------------------------------------------------------
for c in $COMMANDS; do
	for h in -h --help; do
		"$EVOPAR" $c $h >"$T/h.out" 2>"$T/h.err"
		rc=$?
		check "$c $h: exit 0 (got $rc)" [ "$rc" = 0 ]
		check "$c $h: usage on stdout" grep -q "^usage: evopar $c" "$T/h.out"
		check "$c $h: nothing on stderr" [ ! -s "$T/h.err" ]
	done
	for v in -V --version; do
		"$EVOPAR" $c $v >"$T/v.out" 2>&1
		check "$c $v: exit 0" [ $? = 0 ]
		check "$c $v: the version and a commit" grep -qE '^evopar [0-9.]+ \(commit [0-9a-f]{7,}(-dirty)?\)$' "$T/v.out"
	done
done
check "worker -h (internal): exit 0" [ "$(code "$EVOPAR" worker -h)" = 0 ]
for v in -V --version; do
	check "evopar $v: the version and a commit" \
		grep -qE '^evopar [0-9.]+ \(commit [0-9a-f]{7,}(-dirty)?\)$' <("$EVOPAR" $v)
done
# the commit is the one the records carry
"$EVOPAR" run "${W[@]}" --quiet --out "$T/v.jsonl"
check "--version names the commit of meta's git_commit" \
	grep -qF "(commit $(jq -r 'select(.type == "meta") | .git_commit' "$T/v.jsonl"))" <("$EVOPAR" --version)
check "run -h after options: still the usage, exit 0" [ "$(code "$EVOPAR" run --pop 20 -h)" = 0 ]
check "--title -h: -h is the option's value, not --help (a missing DIR: exit 2)" \
	[ "$(code "$EVOPAR" report "$T/nonexistent" --title -h)" = 2 ]

# --- bare evopar and usage errors: stderr, exit 2 -------------------------------------------
"$EVOPAR" >"$T/bare.out" 2>"$T/bare.err"
check "bare evopar: exit 2" [ $? = 2 ]
check "bare evopar: the usage on stderr" grep -q '^usage: evopar <command>' "$T/bare.err"
check "bare evopar: nothing on stdout" [ ! -s "$T/bare.out" ]
for c in run search bench report watch list help advise; do
	"$EVOPAR" $c --no-such-option >"$T/u.out" 2>"$T/u.err"
	check "$c --no-such-option: exit 2" [ $? = 2 ]
	check "$c --no-such-option: named on stderr" grep -q -- "--no-such-option" "$T/u.err"
	check "$c --no-such-option: nothing on stdout" [ ! -s "$T/u.out" ]
done

# --- "--" ends the options ------------------------------------------------------------------
check "watch --out F -- true: exit 0" [ "$(code "$EVOPAR" watch --out "$T/w.jsonl" -- true)" = 0 ]
check "run OPTIONS --: exit 0" [ "$(code "$EVOPAR" run "${W[@]}" --quiet --out "$T/dd.jsonl" --)" = 0 ]
"$EVOPAR" run "${W[@]}" --out "$T/dd2.jsonl" -- stray 2>"$T/dd.err"
check "run -- stray: exit 2" [ $? = 2 ]
check "run -- stray: names the word" grep -q "unexpected argument 'stray' after --" "$T/dd.err"
mkdir -p "$T/rep"
cp "$T/v.jsonl" "$T/rep/"
check "report --figures off -- DIR: exit 0" [ "$(code "$EVOPAR" report --figures off -- "$T/rep")" = 0 ]

# --- --out makes its folders; an output that cannot be written is exit 2 before any work ----
"$EVOPAR" run "${W[@]}" --quiet --out "$T/new/dir/x.jsonl"
check "run --out new/dir/x.jsonl: the folders are made" \
	sh -c 'jq -e "select(.type == \"summary\")" "$1" >/dev/null' _ "$T/new/dir/x.jsonl"
"$EVOPAR" search --quiet --trials 2 --gens 1 --pop 10 --steps 50 --out "$T/s/new/s.jsonl"
check "search --out new/s.jsonl: the folders are made" [ -s "$T/s/new/s.jsonl" ]
"$EVOPAR" bench --quiet --common "${W[*]}" --config "--strategy sequential" --repeat 1 --warmup 0 \
	--out "$T/b/new/b.jsonl"
check "bench --out new/b.jsonl: the folders are made" [ -s "$T/b/new/b.jsonl" ]
"$EVOPAR" watch --out "$T/w/new/w.jsonl" -- true 2>/dev/null
check "watch --out new/w.jsonl: the folders are made" [ -s "$T/w/new/w.jsonl" ]

BENCH=(bench --common "${W[*]}" --config "--strategy sequential" --repeat 1 --warmup 0)
for cmd in "run ${W[*]}" "search --trials 2 --gens 1" "BENCH" "watch"; do
	for out in /etc/passwd/x /etc/passwd/a/b/x.jsonl "$T"; do
		if [ "$cmd" = BENCH ]; then set -- "${BENCH[@]}"; else set -- $cmd; fi
		[ "$1" = watch ] && tail=(-- true) || tail=()
		"$EVOPAR" "$@" --out "$out" "${tail[@]}" >"$T/o.out" 2>"$T/o.err"
		rc=$?
		check "$1 --out $out: exit 2 (got $rc)" [ "$rc" = 2 ]
		check "$1 --out $out: one line naming --out and the path" \
			sh -c '[ "$(wc -l <"$1")" = 1 ] && grep -qF -- "--out $2: " "$1"' _ "$T/o.err" "$out"
		# before any work: no calibration, no record, no run of the command
		check "$1 --out $out: nothing on stdout" [ ! -s "$T/o.out" ]
	done
done
check "a directory as --out is refused" grep -qF -- "--out $T: Is a directory" "$T/o.err"
"$EVOPAR" run "${W[@]}" --out /etc/passwd/x 2>"$T/o.err"
check "run --out /etc/passwd/x: says /etc/passwd is not a directory" \
	grep -qF -- "--out /etc/passwd/x: /etc/passwd: Not a directory" "$T/o.err"
check "report --verdict under a file: exit 2" \
	[ "$(code "$EVOPAR" report "$T/rep" --verdict /etc/passwd/v.md)" = 2 ]
if [ "$(id -u)" != 0 ]; then
	mkdir "$T/ro" && chmod 500 "$T/ro"
	check "run --out in a folder without write permission: exit 2" \
		[ "$(code "$EVOPAR" run "${W[@]}" --out "$T/ro/x.jsonl")" = 2 ]
	chmod 700 "$T/ro"
fi

# --- the summary line: on stderr, none with --quiet -----------------------------------------
"$EVOPAR" run "${W[@]}" --out "$T/sum.jsonl" 2>"$T/sum.err"
digest=$(jq -r 'select(.type == "summary") | .digest' "$T/sum.jsonl")
check "run: one summary line on stderr" [ "$(wc -l <"$T/sum.err")" = 1 ]
check "run: status, time, generations, best fitness, the digest, the file" \
	grep -qE "^evopar run: ok in [0-9.]+ s; 3 of 3 generations, best fitness [0-9.e+-]+; digest $digest; records in $T/sum.jsonl\$" "$T/sum.err"
"$EVOPAR" run "${W[@]}" --out - 2>"$T/sum.err" >/dev/null
check "run --out -: the line says stdout" grep -q "; records on stdout$" "$T/sum.err"
"$EVOPAR" search --trials 2 --gens 1 --pop 10 --steps 50 --out "$T/ss.jsonl" 2>"$T/ss.err"
best=$(jq -r 'select(.type == "summary") | .best_trial' "$T/ss.jsonl")
check "search: status, time, trials, the best trial, the file" \
	grep -qE "^evopar search: ok in [0-9.]+ s; 2 of 2 trials, best value [0-9.e+-]+ \(trial $best\); records in $T/ss.jsonl\$" "$T/ss.err"
"${EVOPAR}" "${BENCH[@]}" --out "$T/bb.jsonl" 2>"$T/bb.err"
check "bench: status, time, runs, the file" \
	grep -qE "^evopar bench: ok in [0-9.]+ s; 1 of 1 runs of 1 configuration, 0 failed; records in $T/bb.jsonl\$" "$T/bb.err"
"$EVOPAR" report "$T/rep" --figures off 2>"$T/rr.err"
check "report: status, time, what it read, where the report is" \
	grep -qE "^evopar report: ok in [0-9.]+ s; 1 record file, 1 configuration, 0 watched jobs; report in $T/rep/report.md\$" "$T/rr.err"
"$EVOPAR" run "${W[@]}" --out "$T/q.jsonl" --quiet 2>"$T/q1.err"
"$EVOPAR" search --trials 2 --gens 1 --pop 10 --steps 50 --out "$T/q.jsonl" --quiet 2>"$T/q2.err"
"$EVOPAR" "${BENCH[@]}" --out "$T/q.jsonl" --quiet 2>"$T/q3.err"
"$EVOPAR" report "$T/rep" --figures off --quiet 2>"$T/q4.err"
for i in 1 2 3; do
	check "--quiet ($i): nothing on stderr" [ ! -s "$T/q$i.err" ]
done
# a warning is still said: this machine may be busy while the test runs
check "report --quiet: no summary line, at most the busy-machine warning" \
	sh -c '! grep -v "^evopar report: warning: a busy machine: " "$1"' _ "$T/q4.err"
"$EVOPAR" run "${W[@]}" --out "$T/fail.jsonl" --strategy fork-pool --workers 2 \
	--inject-fault kill:0:evaluate:1 2>"$T/fail.err"
check "a failed run: its error, then the summary line saying failed" \
	sh -c '[ "$(wc -l <"$1")" = 2 ] && tail -n 1 "$1" | grep -q "^evopar run: failed in .*; records in "' _ "$T/fail.err"

# --- on a terminal: the progress line is redrawn with \033[K, then the summary takes it ------
if command -v script >/dev/null; then
tty_of() { script -qec "$1" /dev/null >"$2" </dev/null; }
tty_of "$EVOPAR run --pop 20 --gens 40 --steps 50 --out $T/t.jsonl" "$T/t.tty"
tty_of "$EVOPAR search --trials 3 --gens 1 --pop 10 --steps 50 --out $T/t2.jsonl" "$T/t2.tty"
progress_clean() {
	python3 - "$1" "$2" "$3" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8", errors="replace", newline="").read()
lines = re.findall("\r(" + sys.argv[2] + "[^\r\n]*)", s)
assert lines, "no progress line"
assert all(l.endswith("\x1b[K") for l in lines), lines
# the last progress line is cleared and the summary line is written in its place
assert "\r\x1b[Kevopar " + sys.argv[3] + ": ok in " in s, repr(s[-300:])
PY
}
check "run on a terminal: progress lines end with \\033[K; the summary line last" \
	progress_clean "$T/t.tty" "generation [0-9]+/40" run
check "search on a terminal: progress with the time left and the best value" \
	progress_clean "$T/t2.tty" "trial [0-9]+/3  elapsed [0-9.]+ s  remaining [0-9.]+ s  best " search
fi

# --- the man page and the completion hold every option of every command's --help ----------
"$EVOPAR" help --man >"$T/evopar.1"
"$EVOPAR" help --completion >"$T/evopar.bash"
if command -v man >/dev/null; then
	check "the man page renders without warnings" \
		sh -c '[ -z "$(man --warnings -l "$1" 2>&1 >/dev/null)" ]' _ "$T/evopar.1"
fi
check "the completion is valid bash" bash -n "$T/evopar.bash"
for c in run search bench report watch list help advise; do
	opts=$("$EVOPAR" $c --help | sed -n 's/^  \(--[a-z0-9-]*\).*/\1/p')
	check "$c --help lists options" [ -n "$opts" ]
	for o in $opts; do
		check "man page: $c $o" grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "$T/evopar.1"
		check "completion: $c $o" \
			sh -c 'sed -n "/^	$2)\$/,/^		COMPREPLY=/p" "$1" | grep -q -- "$3 "' _ "$T/evopar.bash" "$c" "$o"
	done
done
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _evopar; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$T/evopar.bash" "$@"
}
check "completion: evopar ru -> run" grep -qx run <(complete_words evopar ru)
got=$(complete_words evopar run --strategy "" | sort)
check "completion: --strategy's values are the strategies" [ "$got" = "$("$EVOPAR" list | cut -d' ' -f1 | sort)" ]
check "make's man page is the one evopar writes" sh -c '[ ! -e build/evopar.1 ] || diff -q build/evopar.1 "$1"' _ "$T/evopar.1"

# --- make install PREFIX=... ----------------------------------------------------------------
make --no-print-directory -s install PREFIX="$T/prefix" >"$T/install.log" 2>&1
check "make install: exit 0" [ $? = 0 ]
check "make install: three files" [ "$(find "$T/prefix" -type f | wc -l)" = 3 ]
check "make install: the binary runs" sh -c '"$1" --version >/dev/null' _ "$T/prefix/bin/evopar"
check "make install: the man page" [ -s "$T/prefix/share/man/man1/evopar.1" ]
check "make install: the completion" [ -s "$T/prefix/share/bash-completion/completions/evopar" ]
finish
