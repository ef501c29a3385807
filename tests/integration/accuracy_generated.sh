# Accuracy on a catalogue made by the generator (tests/gen) with a seed of its own:
# the same thresholds as on the dev corpus.
source tests/integration/lib.bash
d=$MIXQ_TMP/cat
"$MIXQ_RELEASE_BIN/mixq-gen" catalogue --out "$d" --count 24 --seed 7 --seconds 30 > /dev/null || fail "generator failed"
out=$MIXQ_TMP/gen.jsonl
"$MIXQ_RELEASE_BIN/mixq" analyze -j2 "$d" > "$out" || fail "analyze failed"
res=$(python3 tests/score.py "$d/labels.json" "$out" --min-acc1 0.92 --min-acc2 0.98 --min-key 0.85 --min-beat-f 0.92)
rc=$?
echo "score: generated $res"
[ $rc -eq 0 ] || { python3 tests/score.py "$d/labels.json" "$out" --verbose; fail "below the accuracy thresholds"; }
