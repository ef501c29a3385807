#!/usr/bin/env bash
# recommender_cli.sh -- `mixq apikey create|list|revoke` and `mixq recommend TRACK`:
# only a hash of a key is stored; a revoked key stops working at once (NOTIFY); the table
# of next tracks; usage errors exit 2, service errors 1.
set -u
source tests/integration/lib.bash
source tests/integration/servers.bash
source tests/integration/recommender_lib.bash
command -v curl > /dev/null || skip "curl is not installed"

rec_db 120
mixq() { "$MIXQ_BIN/mixq" "$@"; }
key=$(mixq apikey create frontend --rate 200/s --pg "$MIXQ_PG_DSN" 2> "$MIXQ_TMP/create.err") || fail "apikey create"
[[ $key =~ ^mqk_[A-Za-z0-9_-]{43}$ ]] || fail "unexpected key format: $key"
grep -q "shown only this once" "$MIXQ_TMP/create.err" || fail "create does not say the key is shown once"
stored=$(psql_q "SELECT encode(key_hash, 'hex') FROM api_keys WHERE name = 'frontend'")
[ "$stored" = "$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)" ] || fail "the stored hash is not SHA-256 of the key"
psql_q "SELECT count(*) FROM api_keys WHERE key_hash = convert_to('$key', 'UTF8')" | grep -qx 0 || fail "the key is stored in clear"
mixq apikey create frontend --pg "$MIXQ_PG_DSN" > /dev/null 2>&1 && fail "a second key with the same name was made"
mixq apikey create x --rate fast --pg "$MIXQ_PG_DSN" > /dev/null 2>&1; [ $? -eq 2 ] || fail "a bad --rate is not a usage error"
mixq apikey list --pg "$MIXQ_PG_DSN" | grep -E '^frontend +200 ' > /dev/null || fail "apikey list"

rec_start main
export MIXQ_RECOMMENDER_URL="http://127.0.0.1:$REC_PORT" MIXQ_API_KEY=$key
mixq recommend --limit 5 1 > "$MIXQ_TMP/table.txt" || { cat "$MIXQ_TMP/table.txt"; fail "mixq recommend 1"; }
cat "$MIXQ_TMP/table.txt"
head -1 "$MIXQ_TMP/table.txt" | grep -q '^After #1 ' || fail "no heading"
grep -q 'SCORE' "$MIXQ_TMP/table.txt" || fail "no column heads"
[ "$(grep -cE '^ +[1-5] +[0-9]+ ' "$MIXQ_TMP/table.txt")" -eq 5 ] || fail "not 5 rows"
grep -q 'BPM' "$MIXQ_TMP/table.txt" || fail "no reasons"
# Words instead of an id: the best search match.
title=$(psql_q "SELECT title FROM tracks WHERE id = 9")
mixq recommend -n 3 "$title" | head -1 | grep -q '^After #9 ' || fail "mixq recommend by title"
mixq recommend --json -n 2 --user dana --energy up 9 | python3 -c 'import json,sys; j=json.load(sys.stdin); assert len(j["results"]) == 2 and j["energy"] == "up"' ||
  fail "mixq recommend --json"
mixq recommend 999999 2> "$MIXQ_TMP/err.txt"; [ $? -eq 1 ] || fail "an unknown track should exit 1"
grep -q 'not in the index' "$MIXQ_TMP/err.txt" || fail "the service's message is not shown"
mixq recommend > /dev/null 2>&1; [ $? -eq 2 ] || fail "no TRACK should exit 2"
mixq recommend --limit 0 1 > /dev/null 2>&1; [ $? -eq 2 ] || fail "--limit 0 should exit 2"
MIXQ_API_KEY= mixq recommend 1 2> "$MIXQ_TMP/err.txt"; [ $? -eq 1 ] || fail "no key should exit 1"
grep -q 'API key is required' "$MIXQ_TMP/err.txt" || fail "no key: the 401 message is not shown"

# Revocation takes effect at once: the recommender is told by NOTIFY mixq_api_keys.
mixq apikey revoke frontend --pg "$MIXQ_PG_DSN" 2> /dev/null || fail "apikey revoke"
for _ in $(seq 50); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" "$MIXQ_RECOMMENDER_URL/v1/tracks/1/next")
  [ "$code" = 401 ] && break
  sleep 0.1
done
[ "$code" = 401 ] || fail "a revoked key still works ($code)"
mixq apikey revoke frontend --pg "$MIXQ_PG_DSN" 2> /dev/null && fail "revoking twice should fail"
mixq apikey list --pg "$MIXQ_PG_DSN" | grep -E '^frontend .* [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{5} *$' > /dev/null || fail "list shows no revocation time"
rec_stop main
echo ok
