#!/bin/sh
# Run the C test programs named after the build directory and print the
# total as "shim-c tests: N passed, M failed"; exit 1 on any failure.
# SPDX-License-Identifier: AGPL-3.0-or-later
build=$1; shift
passed=0; failed=0
for t in "$@"; do
    out=$("$build/test/$t" "$build" 2>&1); rc=$?
    printf '%s\n' "$out" | grep -v '^RESULT '
    res=$(printf '%s\n' "$out" | sed -n 's/^RESULT \([0-9]*\) \([0-9]*\)$/\1 \2/p' | tail -n 1)
    if [ -z "$res" ]; then
        echo "$t: did not finish (exit code $rc)"
        failed=$((failed + 1))
        continue
    fi
    p=${res% *}; f=${res#* }
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "$t: exit code $rc"
        failed=$((failed + 1))
    fi
done
echo "shim-c tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
