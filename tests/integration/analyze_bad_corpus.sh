# Every malformed or extreme file of ../shared/corpus/bad is handled as EXPECTED.md says,
# under AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer.
source tests/integration/lib.bash
need_shared corpus/bad/expected.json
out=$MIXQ_TMP/bad.jsonl
"$MIXQ_BIN/mixq" analyze -j2 "$MIXQ_SHARED/corpus/bad" > "$out" 2> "$MIXQ_TMP/stderr"
rc=$?
grep -E 'Sanitizer|runtime error' "$MIXQ_TMP/stderr" && fail "sanitizer report"
[ $rc -eq 1 ] || fail "exit status $rc, expected 1 (some files fail)"
python3 tests/integration/check_bad.py "$MIXQ_SHARED/corpus/bad/expected.json" "$out"
