#!/usr/bin/env bash
# Runs each test program given, each in its own process with a time limit, so that one
# crash or hang fails one test program rather than the suite; ends with "N passed, N failed,
# N skipped". A test that cannot run here (no namespaces, no GPU) says why and exits 77
# (automake's convention): it is counted as skipped, never as passed.
set -u
limit=${TEST_TIMEOUT:-300}
passed=0
failed=0
skipped=0
failures=()
for t in "$@"; do
	name=$(basename "$t")
	if [ ! -x "$t" ]; then
		# a test that was named but is not there (or cannot run) is a failure, not a skip
		failed=$((failed + 1))
		failures+=("$name (missing or not executable)")
		continue
	fi
	if timeout --kill-after=5 "$limit" "$t"; then
		passed=$((passed + 1))
	else
		rc=$?
		if [ "$rc" = 77 ]; then
			skipped=$((skipped + 1))
			continue
		fi
		failed=$((failed + 1))
		[ "$rc" = 124 ] && failures+=("$name (timed out after ${limit}s)") || failures+=("$name (exit $rc)")
	fi
done
for f in "${failures[@]+"${failures[@]}"}"; do
	echo "FAILED: $f"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
