#!/usr/bin/env bash
# Start, stop or show the local infrastructure: Kafka (KRaft: one node, or three with BROKERS=3),
# PostgreSQL, Prometheus.
#   infra.sh start [kafka|postgres|prometheus]   infra.sh stop [...]   infra.sh status
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

KAFKA_DIR="$RUN_DIR/kafka"
PG_DIR="$RUN_DIR/postgres"
PROM_DIR="$RUN_DIR/prometheus"

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

kafka_jvm() { # the java command line of one node (smaller heaps when three share the machine)
  local heap=1g; [ "$BROKERS" -gt 1 ] && heap=512m
  echo java -Xms128m "-Xmx$heap" -XX:+UseG1GC -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$ROOT/deploy/kafka/log4j2.properties"
}

# How soon the controllers fence a node that stopped heartbeating: until then every acks=all
# write stalls (its replica is in every in-sync set). 6 s / 1.5 s instead of Kafka's 9 s / 2 s:
# measured in docs/reliability.md (broker loss), with what a shorter session costs.
KAFKA_BROKER_SESSION_MS="${KAFKA_BROKER_SESSION_MS:-6000}"
KAFKA_BROKER_HEARTBEAT_MS="${KAFKA_BROKER_HEARTBEAT_MS:-1500}"

kafka_dir() { if [ "$1" -eq 1 ]; then echo "$RUN_DIR/kafka"; else echo "$RUN_DIR/kafka-$1"; fi; }
kafka_pidfile() { if [ "$1" -eq 1 ]; then echo "$RUN_DIR/pids/kafka.pid"; else echo "$RUN_DIR/pids/kafka-$1.pid"; fi; }

start_kafka_node() { # start_kafka_node N CLUSTER_ID
  local n="$1" cluster_id="$2" dir port cport quorum replication=1 min_isr=1
  dir="$(kafka_dir "$n")"; port="$(kafka_port "$n")"; cport="$(kafka_controller_port "$n")"
  if port_open "$port"; then say "kafka node $n already listening on :$port"; return; fi
  if [ "$BROKERS" -gt 1 ]; then
    local voters=() i
    for ((i = 1; i <= BROKERS; i++)); do voters+=("$i@127.0.0.1:$(kafka_controller_port "$i")"); done
    quorum="controller.quorum.voters=$(IFS=,; echo "${voters[*]}")"
    replication=3; min_isr=2
  else
    quorum="controller.quorum.bootstrap.servers=127.0.0.1:$cport"
  fi
  mkdir -p "$dir/data"; chmod 700 "$dir" "$dir/data"
  # the broker's key and certificate in one PEM file, as Kafka's PEM keystore wants them
  cat "$RUN_DIR/tls/kafka.key" "$RUN_DIR/tls/kafka.pem" > "$dir/keystore.pem"; chmod 600 "$dir/keystore.pem"
  local broker_password; broker_password="$("$PY" -m shared.kafka_auth password broker)"
  ( umask 077; sed -e "s#@DATA_DIR@#$dir/data#" -e "s#@KEYSTORE@#$dir/keystore.pem#" -e "s#@CA_FILE@#$RUN_DIR/tls/ca.pem#" \
      -e "s#@BROKER_PASSWORD@#$broker_password#" -e "s#@KAFKA_PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$cport#g" \
      -e "s#@NODE_ID@#$n#" -e "s#@QUORUM@#$quorum#" -e "s#@REPLICATION@#$replication#g" -e "s#@MIN_ISR@#$min_isr#g" \
      -e "s#@BROKER_SESSION_MS@#$KAFKA_BROKER_SESSION_MS#" -e "s#@BROKER_HEARTBEAT_MS@#$KAFKA_BROKER_HEARTBEAT_MS#" \
      "$ROOT/deploy/kafka/server.properties" > "$dir/server.properties" )
  local cp="$CACHE_DIR/kafka/libs/*" jvm
  read -r -a jvm <<< "$(kafka_jvm) -Dkafka.logs.dir=$dir"
  if [ ! -f "$dir/data/meta.properties" ]; then
    say "formatting Kafka storage of node $n (KRaft, $BROKERS-node quorum)"
    local how=(--standalone) scram=(); [ "$BROKERS" -gt 1 ] && how=()
    mapfile -t scram < <("$PY" -m shared.kafka_auth scram | tr '\t' '\n')  # every principal's SCRAM credential
    "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool format "${how[@]}" "${scram[@]}" -t "$cluster_id" \
      -c "$dir/server.properties" > "$dir/format.log" 2>&1
    touch "$dir/data/.sasl"
    echo "$BROKERS" > "$dir/brokers"
  fi
  say "starting kafka node $n on :$port (log: $dir/server.log)"
  [ -f "$dir/server.log" ] && mv "$dir/server.log" "$dir/server.log.1"  # this start's log alone: readiness reads it
  ( umask 077; nohup "${jvm[@]}" -cp "$cp" kafka.Kafka "$dir/server.properties" > "$dir/stdout.log" 2>&1 & echo $! > "$(kafka_pidfile "$n")" )
}

wait_kafka_node() { # wait_kafka_node N CLUSTER_ID: until it listens; a node that died binding its port is started again
  local n="$1" i tries=0 dir; dir="$(kafka_dir "$n")"
  for ((i = 0; i < 450; i++)); do
    if pid_alive "$(kafka_pidfile "$n")"; then
      # "started" in its log, not only an open port: see below
      grep -q "Kafka Server started" "$dir/server.log" 2>/dev/null && port_open "$(kafka_port "$n")" && return 0
    elif grep -q "Address already in use" "$dir/server.log" 2>/dev/null && [ $((tries += 1)) -le 30 ]; then
      # While a node is down, a client retrying 127.0.0.1:<port> can connect to itself when the
      # port lies in the ephemeral range (32768-60999): the port is busy until it lets go.
      say "kafka node $n: port $(kafka_port "$n") was busy, starting it again"
      sleep 3; start_kafka_node "$n" "$2"
    else
      break
    fi
    sleep 0.2
  done
  echo "kafka node $n did not open port $(kafka_port "$n")" >&2
  tail -n 30 "$dir/stdout.log" "$dir/server.log" >&2
  exit 1
}

start_kafka() {
  local made_for n cluster_id="" cp="$CACHE_DIR/kafka/libs/*" jvm
  # storage formatted for one node cannot join three (and the other way round): say so
  made_for="$(cat "$RUN_DIR/kafka/brokers" 2>/dev/null || { [ -f "$RUN_DIR/kafka/data/meta.properties" ] && echo 1; } || true)"
  if [ -n "$made_for" ] && [ "$made_for" != "$BROKERS" ]; then
    echo "the Kafka data under $RUN_DIR/kafka was made for BROKERS=$made_for, not BROKERS=$BROKERS;" \
      "to switch (its events are lost): make down && rm -rf $RUN_DIR/kafka $RUN_DIR/kafka-*" >&2
    exit 1
  fi
  if [ -f "$RUN_DIR/kafka/data/meta.properties" ] && [ ! -f "$RUN_DIR/kafka/data/.sasl" ]; then
    # SCRAM credentials are written when the storage is formatted: older data has none
    echo "the Kafka data under $RUN_DIR/kafka was made before SASL/SCRAM and ACLs;" \
      "to make it again (its events are lost): make down && rm -rf $RUN_DIR/kafka $RUN_DIR/kafka-*" >&2
    exit 1
  fi
  cluster_id="$(grep -h '^cluster.id=' "$RUN_DIR"/kafka*/data/meta.properties 2>/dev/null | head -n 1 | cut -d= -f2 || true)"
  if [ -z "$cluster_id" ]; then
    read -r -a jvm <<< "$(kafka_jvm) -Dkafka.logs.dir=$RUN_DIR/kafka"
    cluster_id="$("${jvm[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid | tail -n 1)"
  fi
  for ((n = 1; n <= BROKERS; n++)); do start_kafka_node "$n" "$cluster_id"; done
  for ((n = 1; n <= BROKERS; n++)); do wait_kafka_node "$n" "$cluster_id"; done
}

# Postgres locked down (docs/security.md): SCRAM-SHA-256 passwords for every role (the admin's
# generated into .run/secrets/pg-postgres.password), TCP only over TLS with the local CA's
# certificate, the socket in a 0700 directory, data and log readable by the server alone.
pg_hba() {
  printf '%s\n' "# written by deploy/local/infra.sh: passwords (SCRAM) everywhere, TCP only over TLS" \
    "local   all all                scram-sha-256" \
    "hostssl all all 127.0.0.1/32   scram-sha-256" \
    "hostssl all all ::1/128        scram-sha-256"
}

pg_options() {
  echo "-p $PGPORT -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB" \
    "-k $PG_DIR/socket -c unix_socket_permissions=0700 -c hba_file=$PG_DIR/pg_hba.conf" \
    "-c password_encryption=scram-sha-256 -c ssl=on -c ssl_min_protocol_version=TLSv1.2" \
    "-c ssl_cert_file=$PG_DIR/tls/server.pem -c ssl_key_file=$PG_DIR/tls/server.key -c ssl_ca_file=$PG_DIR/tls/ca.pem" \
    "$PG_LOG_OPTIONS"
}
# The server's log carries no patient data (issue 12): an error is logged by its message alone —
# no DETAIL, CONTEXT or QUERY lines (they quote the rows and JSON that failed), no statement text
# and no bind parameters.
PG_LOG_OPTIONS="-c log_error_verbosity=terse -c log_min_error_statement=panic -c log_parameter_max_length_on_error=0"

start_postgres() {
  if port_open "$PGPORT"; then say "postgres already listening on :$PGPORT"; return; fi
  local bin owner=postgres; bin="$(pg_bin)"
  [ "$(id -u)" -eq 0 ] || owner="$(id -un)"
  mkdir -p "$PG_DIR/tls" "$PG_DIR/socket"
  chmod 711 "$RUN_DIR"  # the server's user passes through .run to its own 0700 directory
  # the server's certificate and key, its own copy (a key must belong to the server's user, 0600)
  cp "$RUN_DIR/tls/postgres.pem" "$PG_DIR/tls/server.pem"; cp "$RUN_DIR/tls/postgres.key" "$PG_DIR/tls/server.key"
  cp "$RUN_DIR/tls/ca.pem" "$PG_DIR/tls/ca.pem"
  pg_hba > "$PG_DIR/pg_hba.conf"
  local admin_password; admin_password="$("$PY" -c 'from shared import credentials; print(credentials.password("pg-postgres"))')"
  if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    say "initialising a PostgreSQL cluster in $PG_DIR/data (SCRAM-SHA-256, TLS)"
    printf '%s\n' "$admin_password" > "$PG_DIR/pwfile"
    chown -R "$owner" "$PG_DIR"; chmod -R go-rwx "$PG_DIR"
    as_postgres "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=scram-sha-256 --pwfile="$PG_DIR/pwfile" \
      -E UTF8 --locale=C.UTF-8 > "$PG_DIR/initdb.log"
    rm -f "$PG_DIR/pwfile"
  elif ! grep -q "^# written by deploy/local/infra.sh" "$PG_DIR/data/pg_hba.conf" 2>/dev/null; then
    # a cluster made before passwords (trust): give the admin its password once, over the socket
    say "postgres: setting the admin password on a cluster made with trust"
    chown -R "$owner" "$PG_DIR"; chmod -R go-rwx "$PG_DIR"
    as_postgres "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
      -o "-p $PGPORT -c listen_addresses= -k $PG_DIR/socket" start > /dev/null
    as_postgres "$bin/psql" -h "$PG_DIR/socket" -p "$PGPORT" -U postgres -d postgres -q \
      -c "SET password_encryption = 'scram-sha-256'" -c "ALTER ROLE postgres PASSWORD '$admin_password'" > /dev/null
    as_postgres "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop > /dev/null
  fi
  pg_hba > "$PG_DIR/data/pg_hba.conf"  # the marker above; the server reads $PG_DIR/pg_hba.conf
  chown -R "$owner" "$PG_DIR"; chmod -R go-rwx "$PG_DIR"; chmod 700 "$PG_DIR" "$PG_DIR/socket"
  say "starting postgres on :$PGPORT (log: $PG_DIR/postgres.log)"
  as_postgres "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 -o "$(pg_options)" start > /dev/null
}

start_prometheus() {
  if port_open "$PROMETHEUS_PORT"; then say "prometheus already listening on :$PROMETHEUS_PORT"; return; fi
  mkdir -p "$PROM_DIR/data" "$ROOT/deploy/prometheus/targets"
  say "starting prometheus on :$PROMETHEUS_PORT (log: $PROM_DIR/prometheus.log)"
  # the config with absolute paths: this run's CA, the rules and targets beside the original
  local scheme=https; [ "${RCM_INSECURE_HTTP:-0}" = 1 ] && scheme=http
  sed -e "s#ca_file: .*#ca_file: $RUN_DIR/tls/ca.pem#" -e "s#scheme: https#scheme: $scheme#" \
      -e "s#\"alerts.yml\"#\"$ROOT/deploy/prometheus/alerts.yml\"#" -e "s#\"targets/#\"$ROOT/deploy/prometheus/targets/#" \
      "$ROOT/deploy/prometheus/prometheus.yml" > "$PROM_DIR/prometheus.yml"
  nohup prometheus --config.file="$PROM_DIR/prometheus.yml" \
    --storage.tsdb.path="$PROM_DIR/data" --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
    > "$PROM_DIR/prometheus.log" 2>&1 &
  echo $! > "$RUN_DIR/pids/prometheus.pid"
  wait_port "$PROMETHEUS_PORT" 30 prometheus
}

stop_kafka() { # every node that has a pid file, whatever BROKERS says now
  local f
  for f in "$RUN_DIR"/pids/kafka.pid "$RUN_DIR"/pids/kafka-*.pid; do
    [ -e "$f" ] && stop_pidfile "$f" "$(basename "$f" .pid)"
  done
  return 0
}
stop_prometheus() { stop_pidfile "$RUN_DIR/pids/prometheus.pid" prometheus; }
stop_postgres() { # stop_postgres [MODE]: fast (default) or immediate (a crash, for fault drills)
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then
    as_postgres "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m "${1:-fast}" -w stop > /dev/null && say "stopped postgres"
  fi
}

status() {
  local pairs=("kafka:$KAFKA_PORT") n
  for ((n = 2; n <= BROKERS; n++)); do pairs+=("kafka-$n:$(kafka_port "$n")"); done
  for pair in "${pairs[@]}" "postgres:$PGPORT" "prometheus:$PROMETHEUS_PORT"; do
    if port_open "${pair#*:}"; then echo "${pair%%:*}: up (:${pair#*:})"; else echo "${pair%%:*}: down"; fi
  done
}

ensure_tls() { # the local CA and certificates (shared/tls.py), made once under .run/tls
  "$PY" -m shared.tls
  private_run_dirs
}

cmd="${1:-status}"; shift || true
parts=("$@"); [ ${#parts[@]} -gt 0 ] || parts=(postgres kafka prometheus)
case "$cmd" in
  start) ensure_tls; for p in "${parts[@]}"; do "start_$p"; done ;;
  stop) for ((i = ${#parts[@]} - 1; i >= 0; i--)); do "stop_${parts[i]}"; done ;;
  stop-immediate) stop_postgres immediate ;;  # Postgres crashes: what the fault harness does
  status) status ;;
  *) echo "usage: $0 start|stop|status [kafka|postgres|prometheus] | stop-immediate postgres" >&2; exit 2 ;;
esac
