#!/usr/bin/env bash
# recommender_api.sh -- every route and every error status of mixq-recommender (sanitizer
# build) against a real PostgreSQL: 200s, 400s whose messages say what is wrong, 401
# without or with a bad key, 404, 405 with Allow, 413 past --max-body, 415, 429 with
# Retry-After past a key's rate, 503 while the database is away; feedback stored once
# however often it is sent. Every response is held against docs/api.yaml (status,
# headers, JSON schema), and every (route, status) the spec documents must be seen.
set -u
source tests/integration/lib.bash
source tests/integration/servers.bash
source tests/integration/recommender_lib.bash
command -v curl > /dev/null || skip "curl is not installed"
[ -x "$MIXQ_BIN/mixq-recommender" ] || fail "$MIXQ_BIN/mixq-recommender is not built"

rec_db 300
key=$("$MIXQ_BIN/mixq" apikey create tests --rate 1000 --pg "$MIXQ_PG_DSN" 2> /dev/null) || fail "apikey create"
slow=$("$MIXQ_BIN/mixq" apikey create slow --rate 1/s --pg "$MIXQ_PG_DSN" 2> /dev/null) || fail "apikey create"
rec_start main --max-body 65536
REC_NO_WAIT=1 rec_start down --pg "host=127.0.0.1 port=1 dbname=none user=none connect_timeout=1" --no-auth
PG_BIN=$PG_BIN python3 tests/integration/recommender_api.py --port "$REC_PORT_main" \
  --down "$REC_PORT_down" --key "$key" --slow "$slow" || fail "API checks failed (above)"
rec_stop main
rec_stop down
echo "ok"
