#!/usr/bin/env bash
# Start, stop or show the local infrastructure: Kafka (KRaft, one node), PostgreSQL, Prometheus.
#   infra.sh start [kafka|postgres|prometheus]   infra.sh stop [...]   infra.sh status
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

KAFKA_DIR="$RUN_DIR/kafka"
PG_DIR="$RUN_DIR/postgres"
PROM_DIR="$RUN_DIR/prometheus"

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_kafka() {
  if port_open "$KAFKA_PORT"; then say "kafka already listening on :$KAFKA_PORT"; return; fi
  mkdir -p "$KAFKA_DIR/data"
  sed -e "s#@DATA_DIR@#$KAFKA_DIR/data#" -e "s#@KAFKA_PORT@#$KAFKA_PORT#g" \
      -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
      "$ROOT/deploy/kafka/server.properties" > "$KAFKA_DIR/server.properties"
  local cp="$CACHE_DIR/kafka/libs/*"
  local jvm=(java -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true
             "-Dkafka.logs.dir=$KAFKA_DIR" "-Dlog4j2.configurationFile=$ROOT/deploy/kafka/log4j2.properties")
  if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
    say "formatting Kafka storage (KRaft, standalone controller)"
    local cluster_id; cluster_id="$("${jvm[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid | tail -n 1)"
    "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool format --standalone -t "$cluster_id" \
      -c "$KAFKA_DIR/server.properties" > "$KAFKA_DIR/format.log" 2>&1
  fi
  say "starting kafka on :$KAFKA_PORT (log: $KAFKA_DIR/server.log)"
  nohup "${jvm[@]}" -cp "$cp" kafka.Kafka "$KAFKA_DIR/server.properties" > "$KAFKA_DIR/stdout.log" 2>&1 &
  echo $! > "$RUN_DIR/pids/kafka.pid"
  wait_port "$KAFKA_PORT" 90 kafka || { tail -n 30 "$KAFKA_DIR/stdout.log" "$KAFKA_DIR/server.log" >&2; exit 1; }
}

start_postgres() {
  if port_open "$PGPORT"; then say "postgres already listening on :$PGPORT"; return; fi
  local bin; bin="$(pg_bin)"
  mkdir -p "$PG_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_DIR"
  if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    say "initialising a PostgreSQL cluster in $PG_DIR/data"
    as_postgres "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 > "$PG_DIR/initdb.log"
  fi
  say "starting postgres on :$PGPORT (log: $PG_DIR/postgres.log)"
  as_postgres "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
    -o "-p $PGPORT -c listen_addresses=127.0.0.1 -k /tmp -c max_connections=200 -c shared_buffers=256MB" start > /dev/null
}

start_prometheus() {
  if port_open "$PROMETHEUS_PORT"; then say "prometheus already listening on :$PROMETHEUS_PORT"; return; fi
  mkdir -p "$PROM_DIR/data" "$ROOT/deploy/prometheus/targets"
  say "starting prometheus on :$PROMETHEUS_PORT (log: $PROM_DIR/prometheus.log)"
  nohup prometheus --config.file="$ROOT/deploy/prometheus/prometheus.yml" \
    --storage.tsdb.path="$PROM_DIR/data" --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
    > "$PROM_DIR/prometheus.log" 2>&1 &
  echo $! > "$RUN_DIR/pids/prometheus.pid"
  wait_port "$PROMETHEUS_PORT" 30 prometheus
}

stop_kafka() { stop_pidfile "$RUN_DIR/pids/kafka.pid" kafka; }
stop_prometheus() { stop_pidfile "$RUN_DIR/pids/prometheus.pid" prometheus; }
stop_postgres() {
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then
    as_postgres "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m fast -w stop > /dev/null && say "stopped postgres"
  fi
}

status() {
  for pair in "kafka:$KAFKA_PORT" "postgres:$PGPORT" "prometheus:$PROMETHEUS_PORT"; do
    if port_open "${pair#*:}"; then echo "${pair%%:*}: up (:${pair#*:})"; else echo "${pair%%:*}: down"; fi
  done
}

cmd="${1:-status}"; shift || true
parts=("$@"); [ ${#parts[@]} -gt 0 ] || parts=(postgres kafka prometheus)
case "$cmd" in
  start) for p in "${parts[@]}"; do "start_$p"; done ;;
  stop) for ((i = ${#parts[@]} - 1; i >= 0; i--)); do "stop_${parts[i]}"; done ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status [kafka|postgres|prometheus]" >&2; exit 2 ;;
esac
