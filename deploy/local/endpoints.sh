#!/usr/bin/env bash
# Print where the running stack can be reached.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
echo
echo "rcmflow is running (stop it with: make down)"
echo "  intake API      POST http://127.0.0.1:${ENCOUNTER_PORT:-8001}/visits"
for f in "$RUN_DIR"/pids/svc-*.pid; do
  name="$(basename "$f" .pid)"; name="${name#svc-}"
  case "$name" in
    encounter) port="${ENCOUNTER_PORT:-8001}" ;;
    coder-*) port=$(( ${CODER_PORT:-8002} + 10 * ${name#coder-} )) ;;
    biller) port="${BILLER_PORT:-8003}" ;;
    payer-sim) port="${PAYER_SIM_PORT:-8004}" ;;
  esac
  printf '  %-15s http://127.0.0.1:%s/metrics\n' "$name" "$port"
done
echo "  prometheus      http://127.0.0.1:$PROMETHEUS_PORT/"
echo "  kafka           $KAFKA_BOOTSTRAP_SERVERS     postgres  $DATABASE_URL"
echo "  summary         .venv/bin/rcm status      logs: make logs (.run/logs/)"
