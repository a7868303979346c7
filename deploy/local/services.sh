#!/usr/bin/env bash
# Start or stop the four services as background processes (logs in .run/logs).
#   services.sh start [CODERS]   services.sh stop   services.sh status
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ENCOUNTER_PORT="${ENCOUNTER_PORT:-8001}"; CODER_PORT="${CODER_PORT:-8002}"
BILLER_PORT="${BILLER_PORT:-8003}"; PAYER_SIM_PORT="${PAYER_SIM_PORT:-8004}"
TARGETS_DIR="$ROOT/deploy/prometheus/targets"

start_one() { # start_one NAME PORT COMMAND [ENV...]
  local name="$1" port="$2" cmd="$3"; shift 3
  if pid_alive "$RUN_DIR/pids/svc-$name.pid"; then say "$name already running"; return; fi
  if port_open "$port"; then echo "port $port is taken; cannot start $name" >&2; exit 1; fi
  env "$@" RCM_DATA_DIR="$RUN_DIR/faust" nohup "$VENV/bin/$cmd" > "$RUN_DIR/logs/$name.log" 2>&1 &
  echo $! > "$RUN_DIR/pids/svc-$name.pid"
}

wait_service() { # wait_service NAME PORT: until its web port answers, or fail fast if it died
  local i
  for ((i = 0; i < 450; i++)); do
    port_open "$2" && return 0
    if ! pid_alive "$RUN_DIR/pids/svc-$1.pid"; then
      echo "$1 exited during start-up; last lines of $RUN_DIR/logs/$1.log:" >&2
      tail -n 25 "$RUN_DIR/logs/$1.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "$1 did not open :$2 within 90 s (see $RUN_DIR/logs/$1.log)" >&2
  exit 1
}

start() {
  local coders="${1:-${CODERS:-1}}" i targets=()
  start_one encounter "$ENCOUNTER_PORT" rcm-encounter
  for ((i = 0; i < coders; i++)); do
    start_one "coder-$i" $((CODER_PORT + 10 * i)) rcm-coder CODER_WORKER="$i"
    targets+=("\"127.0.0.1:$((CODER_PORT + 10 * i))\"")
  done
  for f in "$RUN_DIR"/pids/svc-coder-*.pid; do  # fewer workers than before: stop the extra ones
    [ -e "$f" ] || continue
    i="${f##*/svc-coder-}"; i="${i%.pid}"
    [ "$i" -lt "$coders" ] || stop_pidfile "$f" "coder-$i"
  done
  start_one biller "$BILLER_PORT" rcm-biller
  start_one payer-sim "$PAYER_SIM_PORT" rcm-payer-sim
  wait_service encounter "$ENCOUNTER_PORT"
  for ((i = 0; i < coders; i++)); do wait_service "coder-$i" $((CODER_PORT + 10 * i)); done
  wait_service biller "$BILLER_PORT"
  wait_service payer-sim "$PAYER_SIM_PORT"
  # Prometheus discovers the services (and however many coder workers) from these files.
  mkdir -p "$TARGETS_DIR"
  printf '[{"targets": ["127.0.0.1:%s"], "labels": {"component": "encounter"}},\n {"targets": [%s], "labels": {"component": "coder"}},\n {"targets": ["127.0.0.1:%s"], "labels": {"component": "biller"}},\n {"targets": ["127.0.0.1:%s"], "labels": {"component": "payer-sim"}}]\n' \
    "$ENCOUNTER_PORT" "$(IFS=,; echo "${targets[*]}")" "$BILLER_PORT" "$PAYER_SIM_PORT" > "$TARGETS_DIR/rcmflow.json"
  say "services up: encounter :$ENCOUNTER_PORT, coder x$coders :$CODER_PORT.., biller :$BILLER_PORT, payer-sim :$PAYER_SIM_PORT"
}

stop() {
  local f
  for f in "$RUN_DIR"/pids/svc-*.pid; do
    [ -e "$f" ] || continue
    stop_pidfile "$f" "$(basename "$f" .pid | sed 's/^svc-//')"
  done
}

status() {
  local f
  for f in "$RUN_DIR"/pids/svc-*.pid; do
    [ -e "$f" ] || { echo "no services started"; return; }
    if pid_alive "$f"; then echo "$(basename "$f" .pid | sed 's/^svc-//'): running (pid $(cat "$f"))"; else echo "$(basename "$f" .pid): dead"; fi
  done
}

case "${1:-status}" in
  start) start "${2:-}" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start [CODERS]|stop|status" >&2; exit 2 ;;
esac
