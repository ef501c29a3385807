# The embedded local stack of `make run` (sourced by deploy/local/run and stop).
#
# Everything lives under .run/: Redis (append-only file on), PostgreSQL, one broker, two
# workers and, when it is built, the recommender. Process ids are kept in .run/pids/;
# .run/env exports the MIXQ_* settings so that `. .run/env` lets any tool talk to it.

RUN=${RUN:-$PWD/.run}
PIDS=$RUN/pids
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

# alive NAME: true when the process recorded for NAME is running.
alive() { [ -f "$PIDS/$1" ] && kill -0 "$(cat "$PIDS/$1")" 2>/dev/null; }

# port_free PORT: true when nothing listens on 127.0.0.1:PORT.
port_free() { ! (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

# pick_port PREFERRED: PREFERRED when free, else a free port chosen by the kernel.
pick_port() {
  if port_free "$1"; then echo "$1"; else
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
  fi
}

wait_port() {
  local i
  for i in $(seq $((${2:-20} * 10))); do
    port_free "$1" || return 0
    sleep 0.1
  done
  return 1
}

as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# PostgreSQL refuses to run as root and its files must be reachable by the postgres user:
# when .run/ is not (a home directory of mode 700, say), the data go under /var/tmp.
pg_dir() {
  if [ "$(id -u)" -ne 0 ] || runuser -u postgres -- test -x "$RUN" 2>/dev/null; then
    echo "$RUN/pg"
  else
    echo "/var/tmp/mixq-run-$(printf '%s' "$RUN" | md5sum | cut -c1-8)/pg"
  fi
}

# stop_pid NAME [SIGNAL]: stops the process recorded for NAME and waits for it.
stop_pid() {
  local pid
  alive "$1" || { rm -f "$PIDS/$1"; return 0; }
  pid=$(cat "$PIDS/$1")
  kill -"${2:-TERM}" "$pid" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  rm -f "$PIDS/$1"
}
