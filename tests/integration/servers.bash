# Real Redis and PostgreSQL servers for integration tests (sourced, not run).
#
#   source tests/integration/servers.bash
#   start_redis            # sets REDIS_PORT, MIXQ_REDIS_URL
#   start_pg               # sets PG_PORT, MIXQ_PG_DSN (database mixq, user mixq)
#
# Each server runs on a free loopback port under its own temporary directory and is
# stopped by an EXIT trap, whether the test passes or fails. PostgreSQL refuses to run
# as root, so as root it runs as the postgres user.

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
_server_pids=()
_server_dirs=()

_servers_cleanup() {
  local p
  # SIGINT is PostgreSQL's fast shutdown; Redis treats it like SIGTERM.
  for p in "${_server_pids[@]}"; do kill -INT "$p" 2>/dev/null; done
  for p in "${_server_pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  local d
  for d in "${_server_dirs[@]}"; do rm -rf "$d"; done
  return 0
}
trap _servers_cleanup EXIT

# free_port: prints a TCP port free on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_port PORT [SECONDS]: waits until something listens on 127.0.0.1:PORT.
wait_port() {
  local port=$1 secs=${2:-20} i
  for i in $(seq $((secs * 10))); do
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# start_redis [extra redis-server args]: Redis with the append-only file on.
start_redis() {
  REDIS_PORT=$(free_port)
  REDIS_DIR=$(mktemp -d /tmp/mixq-redis.XXXXXX)
  _server_dirs+=("$REDIS_DIR")
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" \
    --appendonly yes --appendfsync everysec --save '' --daemonize no \
    --logfile "$REDIS_DIR/redis.log" "$@" &
  REDIS_PID=$!
  _server_pids+=("$REDIS_PID")
  wait_port "$REDIS_PORT" || { echo "redis did not start"; cat "$REDIS_DIR/redis.log"; return 1; }
  export MIXQ_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
}

# restart_redis: stops Redis (SIGTERM: it finishes its AOF) and starts it on the same
# port and data.
restart_redis() {
  kill -TERM "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" \
    --appendonly yes --appendfsync everysec --save '' --daemonize no \
    --logfile "$REDIS_DIR/redis.log" &
  REDIS_PID=$!
  _server_pids+=("$REDIS_PID")
  wait_port "$REDIS_PORT"
}

_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_pg: a fresh cluster with database mixq owned by user mixq (trust auth, loopback).
start_pg() {
  PG_PORT=$(free_port)
  PG_DIR=$(mktemp -d /tmp/mixq-pg.XXXXXX)
  _server_dirs+=("$PG_DIR")
  [ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
  _as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres --no-sync > "$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log"; return 1; }
  _pg_launch || return 1
  _as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -q -c "CREATE ROLE mixq LOGIN" \
    -c "CREATE DATABASE mixq OWNER mixq" postgres > /dev/null || return 1
  export MIXQ_PG_DSN="host=127.0.0.1 port=$PG_PORT dbname=mixq user=mixq"
}

_pg_launch() {
  _as_pg "$PG_BIN/postgres" -D "$PG_DIR/data" -p "$PG_PORT" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories="$PG_DIR" -c fsync=off -c synchronous_commit=off \
    -c full_page_writes=off -c max_connections=100 > "$PG_DIR/postgres.log" 2>&1 &
  for _ in $(seq 200); do
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
      # The postmaster itself (not runuser): its pid is the first line of postmaster.pid.
      PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
      _server_pids+=("$PG_PID")
      return 0
    fi
    sleep 0.1
  done
  echo "postgres did not start"; tail -20 "$PG_DIR/postgres.log"; return 1
}

# stop_pg / resume_pg: a PostgreSQL outage and its end, on the same port and data.
stop_pg() {
  kill -INT "$PG_PID"
  for _ in $(seq 100); do kill -0 "$PG_PID" 2>/dev/null || return 0; sleep 0.1; done
}
resume_pg() { _pg_launch; }

# psql_q SQL: runs SQL on the mixq database, unaligned, tuples only.
psql_q() { "$PG_BIN/psql" "$MIXQ_PG_DSN" -X -q -A -t -c "$1"; }
