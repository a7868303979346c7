#!/usr/bin/env bash
# Print where the running stack can be reached (ports from the pipeline's declaration).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
S=https; [ "${RCM_INSECURE_HTTP:-0}" = 1 ] && S=http
echo
echo "rcmflow is running (stop it with: make down)"
# the demo person's password (rcm init made it; a local demo credential, shown to whoever ran make)
demo_password="$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["password"])' \
  "$RUN_DIR/credentials/demo-person.json" 2>/dev/null || echo "see $RUN_DIR/credentials/demo-person.json")"
while read -r service port _ scales; do
  [ "$service" = encounter ] && echo "  intake API      POST $S://127.0.0.1:$port/visits   (curl --cacert $RUN_DIR/tls/ca.pem -H \"Authorization: Bearer \$(.venv/bin/rcm token)\")"
  [ "$service" = console ] && echo "  console (web)   $S://127.0.0.1:$port/   (log in as demo, password $demo_password; the browser must trust $RUN_DIR/tls/ca.pem)"
  for f in "$RUN_DIR"/pids/svc-"$service"*.pid; do
    [ -e "$f" ] || continue
    name="$(basename "$f" .pid)"; name="${name#svc-}"
    i=0; [ "$scales" = yes ] && i="${name##*-}"
    own=$((port + 10 * i))
    if [ "$scales" = shared ]; then  # encounter, encounter-1 ...: each on a port of its own too
      i=0; [ "$name" != "$service" ] && i="${name##*-}"; own=$((port + 10 * (i + 1)))
    fi
    printf '  %-15s %s://127.0.0.1:%s/metrics\n' "$name" "$S" "$own"
  done
done < <("$PY" -m shared.cli.root pipeline --shell)
echo "  prometheus      http://127.0.0.1:$PROMETHEUS_PORT/"
echo "  kafka           $KAFKA_BOOTSTRAP_SERVERS     postgres  $DATABASE_URL"
echo "  summary         .venv/bin/rcm status      logs: make logs (.run/logs/)"
