#!/usr/bin/env bash
# readme-check itself, on a small Markdown file: which blocks run, each directive, a failing
# block and a bad link found, and nothing a block started left behind.
. "$(dirname "$0")/lib.sh"
RC=$(dirname "$0")/../readme-check/readme-check.sh

cat >"$T/ok.md" <<'MD'
# A file whose every block runs

```
echo one >results-one.txt
```

```sh
test -f results-one.txt          # a later block sees what an earlier one wrote
test ! -e results                # the copy has no results/ of this tree
test -x bin/evopar
```

```text
this is not a command
```

<!-- readme-check: make -n -->
```
make clean
```

<!-- readme-check: sed s/exit 9/exit 0/ -->
```
exit 9
```

<!-- readme-check: needs no-such-command-here -->
```
no-such-command-here --flag
```

<!-- readme-check: skip it needs a cluster -->
```
false
```

![a figure](docs/make-run-speedup.png)
MD
"$RC" "$T/ok.md" >"$T/ok.out" 2>&1
check "every block runs: exit 0" [ $? = 0 ]
check "the count of blocks" grep -q "ok.md: 7 blocks, 0 failed" "$T/ok.out"
check "a text block is left alone" grep -q "a text block, not commands" "$T/ok.out"
check "needs: skipped, saying why" grep -q "no-such-command-here is not installed" "$T/ok.out"
check "skip: the reason printed" grep -q "it needs a cluster" "$T/ok.out"
check "make -n: make clean printed, not run" test -d bin

cat >"$T/bad.md" <<'MD'
The design is in `../shared/DESIGN.md` and [here](docs/no-such-file.md).

```
sleep 300 & echo $! >"$BG_PID_FILE"
echo started; false
```

<!-- readme-check: make -n -->
A paragraph between the directive and its block.

```
true
```
MD
"$RC" "$T/bad.md" >"$T/bad.out" 2>&1
check "a directive not followed by a block is an error" sh -c '[ $0 != 0 ] && grep -q "not followed by a block" "$1"' $? "$T/bad.out"
sed -i '/^<!-- readme-check: make -n -->$/d' "$T/bad.md"
BG_PID_FILE=$T/bg.pid "$RC" "$T/bad.md" >"$T/bad.out" 2>&1
check "a failing block: exit 1" [ $? = 1 ]
check "a failing block: named by its line, with its output" sh -c 'grep -q "FAIL: bad.md:4: exit 1" "$0" && grep -q "> started" "$0"' "$T/bad.out"
check "a path outside the repository is found" grep -q "../shared/DESIGN.md is outside the repository" "$T/bad.out"
check "a link to no file is found" grep -q "the link docs/no-such-file.md names no file" "$T/bad.out"
check "the block's background job was started" test -s "$T/bg.pid"
# gone, or a zombie that its new parent has not reaped yet: SIGKILL is delivered at once, the reaping is not ours
check "the block's background job did not outlive it" sh -c 'p=$(cat "$0"); for i in 1 2 3 4 5 6 7 8 9 10; do
	[ -e /proc/$p ] || exit 0; [ "$(sed "s/.*) //" /proc/$p/stat | cut -c1)" = Z ] && exit 0; sleep 0.2; done; exit 1' "$T/bg.pid"
finish
