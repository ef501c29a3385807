# Deep features end to end: `mixq model check` passes on every model directory, and
# `mixq analyze --model-dir` adds tags, genre, mood and an embedding; a broken model
# directory is refused with a message naming the problem; without models deep fields
# are null and one warning says why.
source tests/integration/lib.bash
need_shared models
models=$MIXQ_SHARED/models
mixq=$MIXQ_RELEASE_BIN/mixq
for d in msd-musicnn mtt-musicnn msd-crnn; do
  [ -d "$models/$d" ] || skip "$models/$d is absent"
  "$mixq" model check "$models/$d" > "$MIXQ_TMP/check-$d.txt" || { cat "$MIXQ_TMP/check-$d.txt"; fail "model check $d"; }
  echo "score: model check $d: $(grep -c -i pass "$MIXQ_TMP/check-$d.txt") PASS lines"
done

"$MIXQ_RELEASE_BIN/mixq-gen" track --tempo 118 --key "G major" --seconds 20 --seed 5 --format flac --out "$MIXQ_TMP/t.flac" > /dev/null
"$mixq" analyze --model-dir "$models/msd-musicnn" --model-dir "$models/msd-crnn" "$MIXQ_TMP/t.flac" > "$MIXQ_TMP/deep.jsonl" 2> "$MIXQ_TMP/deep.err" || fail "analyze with models"
"$mixq" analyze "$MIXQ_TMP/t.flac" > "$MIXQ_TMP/plain.jsonl" 2> "$MIXQ_TMP/plain.err" || fail "analyze without models"
grep -q "no model directory" "$MIXQ_TMP/plain.err" || fail "no warning without models"
[ "$(grep -c warning "$MIXQ_TMP/plain.err")" -eq 1 ] || fail "expected exactly one warning"

python3 - "$MIXQ_TMP" <<'PY' || exit 1
import json, sys
t = sys.argv[1]
o = json.loads(open(f"{t}/deep.jsonl").read())
assert set(o["deep"]) == {"msd-musicnn", "msd-crnn"}, o["deep"].keys()
m = o["deep"]["msd-musicnn"]
assert len(m["tags"]) == 50 and len(m["top"]) == 5 and len(m["embedding"]) == 200
assert len(o["deep"]["msd-crnn"]["embedding"]) == 32
assert o["embedding"] == m["embedding"], "top-level embedding is the first model's"
assert len(o["tags"]) == 5 and isinstance(o["genre"], str) and isinstance(o["mood"], str)
assert "msd-musicnn@" in o["analyzer_version"] and "msd-crnn@" in o["analyzer_version"]
p = json.loads(open(f"{t}/plain.jsonl").read())
assert p["tags"] is None and p["embedding"] is None and p["deep"] is None
print("deep fields ok:", o["genre"], o["mood"])
PY

# A broken model directory: truncated weights.
bad=$MIXQ_TMP/bad-model
mkdir -p "$bad" && cp "$models/msd-musicnn/manifest.json" "$bad/"
head -c 100000 "$models/msd-musicnn/weights.bin" > "$bad/weights.bin"
"$mixq" analyze --model-dir "$bad" "$MIXQ_TMP/t.flac" > /dev/null 2> "$MIXQ_TMP/bad.err"
rc=$?
[ $rc -eq 2 ] || fail "a truncated model: expected exit 2, got $rc"
grep -q -i "weights" "$MIXQ_TMP/bad.err" || { cat "$MIXQ_TMP/bad.err"; fail "the message does not name the weights file"; }
"$mixq" model check "$bad" > /dev/null 2>&1 && fail "model check passed on a truncated model"
exit 0
