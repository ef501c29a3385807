# A rogue client cannot hurt the broker: with CURVE on, malformed frames from an admitted
# client (junk bytes, a wrong protocol version, no body, a broker-only message, a
# truncated Submit, empty and multi-part frames, 1 MiB of noise) and connections with an
# unknown key or no key at all are refused, counted in the metrics and logged, while the
# broker keeps serving: it answers the rogue's valid request and runs real jobs after.
source tests/integration/cluster_lib.bash
set -u
cluster_start_servers
cc -O1 -Wall -o "$TMP/rogue" tests/integration/cluster_rogue.c $(pkg-config --cflags --libs libzmq) ||
  fail "cannot build the rogue client"

mq=$BIN/mixq
"$mq" keygen --out "$TMP/broker.key" > /dev/null || fail "keygen"
"$mq" keygen --out "$TMP/worker.key" > /dev/null || fail "keygen"
"$mq" keygen --out "$TMP/client.key" > /dev/null || fail "keygen"
pub() { awk '/^public/ {print $2}' "$1"; }
sec() { awk '/^secret/ {print $2}' "$1"; }
{ echo "# admitted clients"; pub "$TMP/worker.key"; pub "$TMP/client.key"; } > "$TMP/allow"
BPUB=$(pub "$TMP/broker.key")

METRICS_PORT=$(free_port)
start_broker b1 --curve-key "$TMP/broker.key" --curve-allow "$TMP/allow" --metrics-port "$METRICS_PORT"

# Malformed frames from an admitted client; then its valid StatusRequest is answered.
"$TMP/rogue" garbage "$MIXQ_BROKER" "$BPUB" "$(pub "$TMP/client.key")" "$(sec "$TMP/client.key")" ||
  fail "the broker did not answer after the malformed frames"
alive b1 || fail "the broker died"
# 20 rounds of 8 malformed messages, and the noise frame.
malformed_counted() { [ "$(metric mixq_broker_malformed_total)" -ge 161 ]; }
wait_until 10 "161 malformed messages counted" malformed_counted
grep -q '"malformed message dropped"' "$TMP/b1.log" || fail "malformed messages not logged"
for why in "not a protobuf Envelope" "unsupported protocol version" "envelope without a body" \
           "a message only a broker sends" "Ready without a valid worker_id" "empty frame" \
           "unexpected extra frames"; do
  grep -q "\"reason\":\"$why\"" "$TMP/b1.log" || fail "no log line for: $why"
done

# An unknown key, and a plain client, get nothing.
"$TMP/rogue" newkey "$MIXQ_BROKER" "$BPUB" || fail "a client with an unknown key got an answer"
"$TMP/rogue" silent "$MIXQ_BROKER" || fail "a plain client got an answer from a CURVE broker"
refused_counted() { [ "$(metric mixq_broker_curve_refused_total)" -ge 1 ]; }
wait_until 10 "the refused key counted" refused_counted
grep -q '"connection refused".*"public key not allowed"' "$TMP/b1.log" || fail "refused key not logged"
alive b1 || fail "the broker died"

# Still serving: admitted worker and client run real jobs end to end.
fake_tracks "$TMP/t" 20
start_worker w1 --noop --curve-key "$TMP/worker.key" --broker-key "$BPUB"
"$mq" submit --curve-key "$TMP/client.key" --broker-key "$BPUB" "$TMP/t" > "$TMP/submit.out" 2>&1 ||
  { cat "$TMP/submit.out"; fail "submit over CURVE failed"; }
wait_until 60 "20 feature rows" rows_are 20
check_exactly_once 20
"$mq" status --curve-key "$TMP/client.key" --broker-key "$BPUB" > /dev/null || fail "status over CURVE"

# Plain mode is refused on a non-loopback endpoint unless allowed.
ip=$(hostname -I 2>/dev/null | awk '{print $1}')
if [ -n "$ip" ] && [ "${ip#127.}" = "$ip" ]; then
  if "$BIN/mixq-broker" --endpoint "tcp://$ip:$(free_port)" > "$TMP/plain.log" 2>&1; then
    fail "a broker started in plain mode on $ip"
  fi
  grep -q "not a loopback endpoint" "$TMP/plain.log" || fail "no reason given for refusing plain mode"
fi

stop_clean w1
stop_clean b1
echo "measure: malformed=$(grep -c '"malformed message dropped"' "$TMP/b1.log") log lines, curve refusals logged=$(grep -c '"connection refused"' "$TMP/b1.log")"
