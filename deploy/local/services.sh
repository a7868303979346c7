#!/usr/bin/env bash
# Start or stop the pipeline's services as background processes (logs in .run/logs). The stages,
# their ports and commands come from the pipeline's one declaration (`rcm pipeline --shell`).
#   services.sh start     services.sh stop     services.sh status
# Workers per stage that scales out: CODERS, BILLERS, PAYERS (default 1 each).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TARGETS_DIR="$ROOT/deploy/prometheus/targets"

stages() { "$PY" -m shared.cli.root pipeline --shell; }

workers_of() { # workers_of SERVICE
  case "$1" in
    coder) echo "${CODERS:-1}" ;;
    biller) echo "${BILLERS:-1}" ;;
    payer-sim) echo "${PAYERS:-1}" ;;
    *) echo 1 ;;
  esac
}

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
  local service port cmd scales n i name f started=() targets=() summary=()
  while read -r service port cmd scales; do
    n=1; [ "$scales" = yes ] && n="$(workers_of "$service")"
    local ports=()
    for ((i = 0; i < n; i++)); do
      name="$service"; [ "$scales" = yes ] && name="$service-$i"
      start_one "$name" $((port + 10 * i)) "$cmd" WORKER="$i" CODER_WORKER="$i"
      started+=("$name:$((port + 10 * i))")
      ports+=("\"127.0.0.1:$((port + 10 * i))\"")
    done
    if [ "$scales" = yes ]; then  # fewer workers than before: stop the extra ones
      for f in "$RUN_DIR"/pids/svc-"$service"-*.pid; do
        [ -e "$f" ] || continue
        i="${f##*/svc-"$service"-}"; i="${i%.pid}"
        [[ "$i" =~ ^[0-9]+$ ]] && [ "$i" -ge "$n" ] && stop_pidfile "$f" "$service-$i"
      done
    fi
    targets+=("{\"targets\": [$(IFS=,; echo "${ports[*]}")], \"labels\": {\"component\": \"$service\"}}")
    summary+=("$service x$n :$port")
  done < <(stages)
  for f in "${started[@]}"; do wait_service "${f%%:*}" "${f##*:}"; done
  # Prometheus discovers the services (and however many workers) from this file.
  mkdir -p "$TARGETS_DIR"
  printf '[%s]\n' "$(IFS=,; echo "${targets[*]}")" > "$TARGETS_DIR/rcmflow.json"
  say "services up: $(IFS=,; echo "${summary[*]}")"
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
  start) [ -n "${2:-}" ] && export CODERS="$2"; start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start [CODERS]|stop|status" >&2; exit 2 ;;
esac
