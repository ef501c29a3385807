# Streaming analysis: peak RSS for a 20-minute track within 10% of a 1-minute track's.
source tests/integration/lib.bash
gen=$MIXQ_RELEASE_BIN/mixq-gen
mixq=$MIXQ_RELEASE_BIN/mixq
"$gen" track --tempo 124 --key "D minor" --seconds 60 --rate 44100 --channels 2 --seed 3 --format flac --out "$MIXQ_TMP/short.flac" > /dev/null || fail "generator"
"$gen" track --tempo 124 --key "D minor" --seconds 1200 --rate 44100 --channels 2 --seed 3 --format flac --out "$MIXQ_TMP/long.flac" > /dev/null || fail "generator"
rss() { /usr/bin/time -f '%M' "$mixq" analyze -j1 "$1" 2>&1 >/dev/null | tail -1; }
a=$(rss "$MIXQ_TMP/short.flac"); b=$(rss "$MIXQ_TMP/long.flac")
echo "measure: peak RSS 1 min ${a} kB, 20 min ${b} kB"
python3 -c "import sys; a,b=$a,$b; sys.exit(0 if b <= a*1.10 else 1)" || fail "20-minute RSS ${b} kB exceeds 1-minute ${a} kB by more than 10%"
