#!/usr/bin/env bash
# recommender_quality.sh -- the offline evaluation of the ranking (docs/recommender.md):
# a synthetic catalogue and synthetic listeners with hidden preferences (liked genres, a
# favourite Camelot move, rising or level energy) generate feedback sessions; held-out
# transitions are ranked by /next. The hit rate at 10 must be at least 0.8 and at least
# 0.2 above both a popularity baseline and a features-only baseline (feedback weights 0).
set -u
source tests/integration/lib.bash
source tests/integration/servers.bash
source tests/integration/recommender_lib.bash

start_pg > /dev/null || fail "PostgreSQL did not start"
"$MIXQ_BIN/mixq" migrate --pg "$MIXQ_PG_DSN" > /dev/null || fail "mixq migrate failed"
PG_BIN=$PG_BIN python3 tests/integration/recommender_eval.py --bin "$MIXQ_BIN/mixq-recommender" \
  --workdir "$MIXQ_TMP" || fail "quality below the bar (above)"
grep -lE 'Sanitizer|runtime error' "$MIXQ_TMP"/*.log && fail "sanitizer report in a recommender log"
echo ok
