#!/usr/bin/env bash
# `make test`: lint, then every test against real Kafka and Postgres. Starts what is not running
# and stops again what it started; services running on older code are restarted first.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

say "ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
say "mypy"
"$VENV/bin/mypy"

started_infra=()
for part in postgres kafka prometheus; do
  case "$part" in postgres) port="$PGPORT" ;; kafka) port="$KAFKA_PORT" ;; prometheus) port="$PROMETHEUS_PORT" ;; esac
  port_open "$port" || started_infra+=("$part")
done
started_services=0
cleanup() {
  [ "$started_services" -eq 1 ] && "$ROOT/deploy/local/services.sh" stop || true
  [ ${#started_infra[@]} -gt 0 ] && "$ROOT/deploy/local/infra.sh" stop "${started_infra[@]}" || true
}
trap cleanup EXIT

[ ${#started_infra[@]} -gt 0 ] && "$ROOT/deploy/local/infra.sh" start "${started_infra[@]}"
"$RCM" init

running=0
for f in "$RUN_DIR"/pids/svc-*.pid; do pid_alive "$f" && running=1; done
if [ "$running" -eq 1 ]; then
  newest_pid="$(ls -t "$RUN_DIR"/pids/svc-*.pid | head -n 1)"
  if [ -n "$(find "$ROOT/services" "$ROOT/shared" -newer "$newest_pid" \( -name '*.py' -o -name '*.csv' -o -name '*.yaml' -o -name '*.sql' \) | head -n 1)" ]; then
    say "code changed since the services started: restarting them"
    "$ROOT/deploy/local/services.sh" stop
    "$ROOT/deploy/local/services.sh" start
  fi
else
  "$ROOT/deploy/local/services.sh" start
  started_services=1
fi

say "pytest"
set +e
"$VENV/bin/python" -m pytest "$@"
code=$?
set -e
if [ "$code" -eq 5 ]; then
  echo "pytest collected no tests (exit 5): nothing failed, but nothing was tested either" >&2
  code=0
fi
exit "$code"
