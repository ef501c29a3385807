# Accuracy on the labelled dev corpus (../shared/corpus/dev): tempo Acc1 >= 0.92,
# Acc2 >= 0.98, key MIREX >= 0.85, beat F-measure >= 0.92.
source tests/integration/lib.bash
need_shared corpus/dev/labels.json
out=$MIXQ_TMP/dev.jsonl
"$MIXQ_RELEASE_BIN/mixq" analyze -j2 "$MIXQ_SHARED/corpus/dev" > "$out" || fail "analyze failed"
res=$(python3 tests/score.py "$MIXQ_SHARED/corpus/dev/labels.json" "$out" \
      --min-acc1 0.92 --min-acc2 0.98 --min-key 0.85 --min-beat-f 0.92)
rc=$?
echo "score: dev $res"
[ $rc -eq 0 ] || { python3 tests/score.py "$MIXQ_SHARED/corpus/dev/labels.json" "$out" --verbose; fail "below the accuracy thresholds"; }
