#!/usr/bin/env bash
# Start or stop the pipeline's services as background processes (logs in .run/logs). The stages,
# their ports and commands come from the pipeline's one declaration (`rcm pipeline --shell`).
#   services.sh start     services.sh stop     services.sh status
# Workers per stage that scales out: ENCOUNTERS, CODERS, BILLERS, PAYERS (default 1 each). The
# encounter's workers share its port (SO_REUSEPORT, shared/faust_web.py) and each also listens
# on port + 10*(N+1) of its own (metrics, supervisor on that + 5); other stages' worker N listens
# on port + 10*N.
# Each worker runs under its own supervisor (supervise.py): a worker that dies is started again
# with back-off, and the supervisor serves its restart count on the worker's port + 5.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TARGETS_DIR="$ROOT/deploy/prometheus/targets"

stages() { "$PY" -m shared.cli.root pipeline --shell; }

workers_of() { # workers_of SERVICE
  case "$1" in
    encounter) echo "${ENCOUNTERS:-1}" ;;
    coder) echo "${CODERS:-1}" ;;
    biller) echo "${BILLERS:-1}" ;;
    payer-sim) echo "${PAYERS:-1}" ;;
    *) echo 1 ;;
  esac
}

SUPERVISOR_PORT_OFFSET=5  # worker ports step by 10 (8001..8004, 8012, ...): +5 never collides

start_one() { # start_one NAME PORT COMMAND [ENV...]
  local name="$1" port="$2" cmd="$3"; shift 3
  local sup="$RUN_DIR/pids/supervise-$name.pid"
  if pid_alive "$sup"; then say "$name already running (supervised)"; return; fi
  # a worker left without its supervisor (the supervisor was killed): stop it, start both again
  pid_alive "$RUN_DIR/pids/svc-$name.pid" && stop_pidfile "$RUN_DIR/pids/svc-$name.pid" "$name (unsupervised)"
  rm -f "$RUN_DIR/pids/svc-$name.pid" "$RUN_DIR/pids/svc-$name.restarts"
  if port_open "$port"; then echo "port $port is taken; cannot start $name" >&2; exit 1; fi
  env "$@" RCM_DATA_DIR="$RUN_DIR/faust" RCM_RUN_DIR="$RUN_DIR" nohup "$PY" "$ROOT/deploy/local/supervise.py" \
    --name "$name" --metrics-port $((port + SUPERVISOR_PORT_OFFSET)) --run-dir "$RUN_DIR" -- "$VENV/bin/$cmd" \
    > "$RUN_DIR/logs/supervise-$name.log" 2>&1 &
  echo $! > "$sup"
}

restarts_of() { cat "$RUN_DIR/pids/svc-$1.restarts" 2>/dev/null || echo 0; }

wait_service() { # wait_service NAME PORT: until its web port answers, or fail fast if it keeps dying
  local i
  for ((i = 0; i < 450; i++)); do
    port_open "$2" && return 0
    if ! pid_alive "$RUN_DIR/pids/supervise-$1.pid" || [ "$(restarts_of "$1")" -ge 2 ]; then
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
  local service port cmd scales n i name f started=() targets=() summary=() supervisors=()
  while read -r service port cmd scales; do
    n=1; [ "$scales" != no ] && n="$(workers_of "$service")"
    local ports=() own extra
    for ((i = 0; i < n; i++)); do
      name="$service"; own=$((port + 10 * i)); extra=()
      [ "$scales" = yes ] && name="$service-$i"
      if [ "$scales" = shared ]; then  # worker 0 keeps the plain name (fault drills kill svc-encounter)
        [ "$i" -gt 0 ] && name="$service-$i"
        own=$((port + 10 * (i + 1))); extra=(RCM_SHARED_PORT=1 WORKER_WEB_PORT="$own")
      fi
      start_one "$name" "$own" "$cmd" WORKER="$i" CODER_WORKER="$i" KAFKA_PRINCIPAL="$service" CODER_INDEX_CACHE=1 "${extra[@]}"
      started+=("$name:$own")
      ports+=("\"127.0.0.1:$own\"")
      supervisors+=("\"127.0.0.1:$((own + SUPERVISOR_PORT_OFFSET))\"")
    done
    if [ "$scales" != no ]; then  # fewer workers than before: stop the extra ones
      for f in "$RUN_DIR"/pids/supervise-"$service"-*.pid; do
        [ -e "$f" ] || continue
        i="${f##*/supervise-"$service"-}"; i="${i%.pid}"
        [[ "$i" =~ ^[0-9]+$ ]] && [ "$i" -ge "$n" ] && stop_worker "$service-$i"
      done
    fi
    targets+=("{\"targets\": [$(IFS=,; echo "${ports[*]}")], \"labels\": {\"component\": \"$service\"}}")
    targets+=("{\"targets\": [$(IFS=,; echo "${supervisors[*]}")], \"labels\": {\"component\": \"$service\", \"role\": \"supervisor\"}}")
    supervisors=()
    summary+=("$service x$n :$port")
  done < <(stages)
  for f in "${started[@]}"; do wait_service "${f%%:*}" "${f##*:}"; done
  # Prometheus discovers the services (and however many workers) from this file.
  mkdir -p "$TARGETS_DIR"
  printf '[%s]\n' "$(IFS=,; echo "${targets[*]}")" > "$TARGETS_DIR/rcmflow.json"
  say "services up: $(IFS=,; echo "${summary[*]}")"
}

stop_worker() { # stop_worker NAME: its supervisor stops it; a worker without one is stopped directly
  stop_pidfile "$RUN_DIR/pids/supervise-$1.pid" "$1"
  pid_alive "$RUN_DIR/pids/svc-$1.pid" && stop_pidfile "$RUN_DIR/pids/svc-$1.pid" "$1 (unsupervised)"
  rm -f "$RUN_DIR/pids/svc-$1.pid" "$RUN_DIR/pids/svc-$1.restarts"
}

stop() {
  local f name
  for f in "$RUN_DIR"/pids/supervise-*.pid "$RUN_DIR"/pids/svc-*.pid; do
    [ -e "$f" ] || continue
    name="$(basename "$f" .pid)"; name="${name#supervise-}"; name="${name#svc-}"
    stop_worker "$name"
  done
}

status() {
  local f name
  for f in "$RUN_DIR"/pids/supervise-*.pid; do
    [ -e "$f" ] || { echo "no services started"; return; }
    name="$(basename "$f" .pid)"; name="${name#supervise-}"
    if pid_alive "$RUN_DIR/pids/svc-$name.pid"; then
      echo "$name: running (pid $(cat "$RUN_DIR/pids/svc-$name.pid"), restarts $(restarts_of "$name"))"
    elif pid_alive "$f"; then
      echo "$name: down, its supervisor is starting it again (restarts $(restarts_of "$name"))"
    else
      echo "$name: dead"
    fi
  done
}

case "${1:-status}" in
  start) [ -n "${2:-}" ] && export CODERS="$2"; start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start [CODERS]|stop|status" >&2; exit 2 ;;
esac
