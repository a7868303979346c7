# Shared by the local scripts: where things live and small helpers. Sourced, not run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN_DIR="${RCM_RUN_DIR:-$ROOT/.run}"          # data, logs, pids, certificates, secrets (git-ignored)
export RCM_RUN_DIR="$RUN_DIR"
CACHE_DIR="${RCM_CACHE_DIR:-$ROOT/.cache}"     # downloaded jars (git-ignored)
VENV="${RCM_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
RCM="$VENV/bin/rcm"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
PGPORT="${PGPORT:-5432}"
PROMETHEUS_PORT="${PROMETHEUS_PORT:-9090}"
# BROKERS=3: a three-node Kafka cluster; node N listens on KAFKA_PORT + 100*(N-1) (and its
# controller on KAFKA_CONTROLLER_PORT + 100*(N-1)); topics are kept three times.
BROKERS="${BROKERS:-1}"
[[ "$BROKERS" =~ ^(1|3)$ ]] || { echo "BROKERS must be 1 or 3 (a quorum of two cannot lose a node)" >&2; exit 2; }
kafka_port() { echo $((KAFKA_PORT + 100 * ($1 - 1))); }
kafka_controller_port() { echo $((KAFKA_CONTROLLER_PORT + 100 * ($1 - 1))); }
if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
  KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT"
  for ((n_ = 2; n_ <= BROKERS; n_++)); do KAFKA_BOOTSTRAP_SERVERS+=",127.0.0.1:$(kafka_port "$n_")"; done
fi
export KAFKA_BOOTSTRAP_SERVERS
[ "$BROKERS" -gt 1 ] && export TOPIC_REPLICATION_FACTOR="${TOPIC_REPLICATION_FACTOR:-3}"
export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:$PGPORT/rcmflow}"
# Everything under .run is private (patient data in topics, tables and logs; keys; passwords):
# what these scripts and the processes they start create is theirs alone.
umask 077
mkdir -p "$RUN_DIR/logs" "$RUN_DIR/pids"

private_run_dirs() { # what an older start left readable by others (make up runs this once per start)
  local d
  for d in "$RUN_DIR"/logs "$RUN_DIR"/pids "$RUN_DIR"/faust "$RUN_DIR"/kafka "$RUN_DIR"/kafka-* "$RUN_DIR"/prometheus "$RUN_DIR"/secrets; do
    [ -e "$d" ] && chmod -R go-rwx "$d"
  done
  chmod 711 "$RUN_DIR"  # Postgres's own user passes through to its 0700 directory
}

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # wait_port PORT SECONDS NAME
  local i
  for ((i = 0; i < $2 * 5; i++)); do port_open "$1" && return 0; sleep 0.2; done
  echo "$3 did not open port $1 within $2 s" >&2
  return 1
}

# pid_alive FILE: the process is running — not an unreaped zombie (kill -0 succeeds on one) and
# not another process that got the same pid later (started after the pid file was written).
pid_alive() {
  [ -f "$1" ] || return 1
  local pid stat rest fields btime started
  pid="$(cat "$1" 2>/dev/null)"; [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
  rest="${stat##*) }"; read -r -a fields <<< "$rest"   # fields[0] is field 3 (state)
  case "${fields[0]}" in Z | X | x) return 1 ;; esac
  btime="$(awk '/^btime/ {print $2}' /proc/stat)"
  started=$((btime + fields[19] / $(getconf CLK_TCK)))  # field 22: start time in clock ticks
  [ "$started" -le $(($(stat -c %Y "$1") + 2)) ]
}

stop_pidfile() { # stop_pidfile FILE NAME
  if pid_alive "$1"; then
    local pid; pid="$(cat "$1")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
    say "stopped $2"
  fi
  rm -f "$1"
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
