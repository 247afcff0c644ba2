#!/bin/sh
# Run the C test programs named after the build directory. Each prints
# "SKIP <program>: <test>: <why>" for a test it cannot run here (counted as
# skipped, never as passed) and ends with "RESULT <passed> <failed> <skipped>".
# The last lines: the skipped tests again, then the total as
# "shim-c tests: N passed, M failed, K skipped"; exit 1 on any failure
# (skips alone do not fail).
# SPDX-License-Identifier: AGPL-3.0-or-later
build=$1; shift
passed=0; failed=0; skipped=0; skips=
for t in "$@"; do
    out=$("$build/test/$t" "$build" 2>&1); rc=$?
    printf '%s\n' "$out" | grep -v '^RESULT '
    res=$(printf '%s\n' "$out" | sed -n 's/^RESULT \([0-9]*\) \([0-9]*\) \([0-9]*\)$/\1 \2 \3/p' | tail -n 1)
    if [ -z "$res" ]; then
        echo "$t: did not finish (exit code $rc)"
        failed=$((failed + 1))
        continue
    fi
    p=${res%% *}; s=${res##* }; f=${res#* }; f=${f%% *}
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    if [ "$s" -gt 0 ]; then
        skips="$skips$(printf '%s\n' "$out" | sed -n 's/^SKIP /    /p')
"
    fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "$t: exit code $rc"
        failed=$((failed + 1))
    fi
done
if [ "$skipped" -gt 0 ]; then
    echo "shim-c tests: skipped:"
    printf '%s' "$skips"
fi
echo "shim-c tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
