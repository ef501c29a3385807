#!/usr/bin/env bash
# recommender_robust.sh -- bad input never crashes or hangs mixq-recommender: garbage and
# oversized requests, malformed JSON, hostile numbers and strings, 400 seeded mutations of
# valid requests, many connections at once; under AddressSanitizer and UBSan, then a
# clean exit on SIGTERM with no sanitizer report.
set -u
source tests/integration/lib.bash
source tests/integration/servers.bash
source tests/integration/recommender_lib.bash
command -v curl > /dev/null || skip "curl is not installed"

rec_db 60
key=$("$MIXQ_BIN/mixq" apikey create robust --rate 100000 --pg "$MIXQ_PG_DSN" 2> /dev/null) || fail "apikey create"
rec_start main
python3 tests/integration/recommender_robust.py "$REC_PORT" "$key" || fail "robustness checks failed (above)"
rec_stop main
echo ok
