# The `mixq analyze` contract of DESIGN.md: fields, exit statuses 0/1/2, --help, one line
# per file in walk order whatever the thread count, byte-exact non-UTF-8 paths.
source tests/integration/lib.bash
set -e
gen=$MIXQ_BIN/mixq-gen
mixq=$MIXQ_BIN/mixq
d=$MIXQ_TMP/lib
mkdir -p "$d/sub"
"$gen" track --tempo 120 --key "A minor" --seconds 12 --rate 44100 --channels 2 --seed 1 --format flac --out "$d/a.flac" > /dev/null
"$gen" track --tempo 96 --key "Eb major" --seconds 12 --rate 22050 --channels 1 --seed 2 --format wav --out "$d/sub/b.wav" > /dev/null
cp "$d/sub/b.wav" "$d/sub/$(printf 'caf\xe9 \xff.wav')"
echo "not audio" > "$d/sub/c.mp3"
echo "readme" > "$d/sub/README"

"$mixq" --help | grep -q analyze || fail "mixq --help"
"$mixq" analyze --help | grep -q -- --threads || fail "mixq analyze --help"
set +e
"$mixq" analyze 2>/dev/null; [ $? -eq 2 ] || fail "no arguments: expected exit 2"
"$mixq" analyze --threads 0 "$d" 2>/dev/null; [ $? -eq 2 ] || fail "--threads 0: expected exit 2"
"$mixq" analyze --bogus "$d" 2>/dev/null; [ $? -eq 2 ] || fail "unknown option: expected exit 2"
"$mixq" analyze "$d/a.flac" > "$MIXQ_TMP/one.jsonl"; [ $? -eq 0 ] || fail "one good file: expected exit 0"
"$mixq" analyze -j 1 "$d" > "$MIXQ_TMP/j1.jsonl"; rc1=$?
"$mixq" analyze -j 3 "$d" "$MIXQ_TMP/missing.wav" > "$MIXQ_TMP/j3.jsonl"; rc3=$?
"$mixq" analyze --max-duration 5 "$d/a.flac" > "$MIXQ_TMP/long.jsonl"; rcl=$?
set -e
[ $rc1 -eq 1 ] || fail "a directory with a non-audio .mp3: expected exit 1, got $rc1"
[ $rc3 -eq 1 ] || fail "a missing file: expected exit 1, got $rc3"
[ $rcl -eq 1 ] || fail "--max-duration: expected exit 1, got $rcl"

python3 - "$MIXQ_TMP" "$d" <<'PY'
import json, sys
tmp, d = sys.argv[1], sys.argv[2]
def lines(name):
    return [json.loads(l) for l in open(f"{tmp}/{name}", encoding="utf-8")]
one = lines("one.jsonl")[0]
for f in ("path", "duration_s", "sample_rate", "channels", "format", "tempo_bpm", "tempo_confidence",
          "beats", "onset_rate", "key", "key_tonic", "key_mode", "camelot", "key_strength", "tuning_hz",
          "loudness_lufs", "loudness_range_lu", "true_peak_dbtp", "rms_db", "spectral_centroid_hz",
          "spectral_bandwidth_hz", "spectral_rolloff_hz", "spectral_flatness", "spectral_flux",
          "spectral_contrast_db", "zero_crossing_rate", "mfcc", "mel_bands_db", "chroma",
          "danceability", "energy", "waveform", "analyzer_version", "timings"):
    assert f in one, "missing field " + f
assert one["sample_rate"] == 44100 and one["channels"] == 2 and one["format"] == "flac", one["format"]
assert abs(one["duration_s"] - 12) < 0.1, one["duration_s"]
assert len(one["mfcc"]["mean"]) == 13 and len(one["chroma"]) == 12
assert one["waveform"]["points"] == 1000 and len(one["waveform"]["min"]) == 1000
assert 0 <= one["danceability"] <= 1 and 0 <= one["energy"] <= 1
j1, j3 = lines("j1.jsonl"), lines("j3.jsonl")
paths1 = [o["path"] for o in j1]
assert paths1 == [o["path"] for o in j3[:-1]], "order differs between -j 1 and -j 3"
assert len(j1) == 4, paths1          # a.flac, sub/b.wav, sub/c.mp3, the non-UTF-8 name; no README
bad = [o for o in j1 if "path_hex" in o]
assert len(bad) == 1, "expected one non-UTF-8 path"
raw = bytes.fromhex(bad[0]["path_hex"])
assert raw.endswith(b"caf\xe9 \xff.wav"), raw
assert bad[0]["path"].endswith("caf\u00e9 \u00ff.wav"), bad[0]["path"]
assert "error" not in bad[0]
err = [o for o in j1 if o["path"].endswith("c.mp3")][0]["error"]
assert err["code"] == "unsupported_format", err
assert j3[-1]["error"]["code"] == "io_error", j3[-1]
assert lines("long.jsonl")[0]["error"]["code"] == "too_long"
print("contract ok:", len(j1), "lines")
PY
