#!/bin/sh
# Starts one Kafka node in compose with the local stack's settings (deploy/kafka/server.properties:
# SASL_SSL + SCRAM-SHA-512, controllers over mutual TLS, StandardAuthorizer): fills in the
# template, formats the storage once with every principal's SCRAM credential (passwords from the
# env file), then runs the broker. Env: NODE_ID, QUORUM, REPLICATION, MIN_ISR, ADVERTISED_HOST.
set -eu
conf=/tmp/server.properties
cat /tls/kafka.key /tls/kafka.pem > /tmp/keystore.pem && chmod 600 /tmp/keystore.pem
sed -e "s#SASL_SSL://127.0.0.1:@KAFKA_PORT@,CONTROLLER://127.0.0.1:@CONTROLLER_PORT@#SASL_SSL://:9092,CONTROLLER://:9093#" \
    -e "s#advertised.listeners=SASL_SSL://127.0.0.1:@KAFKA_PORT@#advertised.listeners=SASL_SSL://${ADVERTISED_HOST}:9092#" \
    -e "s#@DATA_DIR@#/var/lib/kafka/data#" -e "s#@NODE_ID@#${NODE_ID}#" -e "s#@QUORUM@#${QUORUM}#" \
    -e "s#@REPLICATION@#${REPLICATION:-1}#g" -e "s#@MIN_ISR@#${MIN_ISR:-1}#g" \
    -e "s#@BROKER_SESSION_MS@#${BROKER_SESSION_MS:-6000}#" -e "s#@BROKER_HEARTBEAT_MS@#${BROKER_HEARTBEAT_MS:-1500}#" \
    -e "s#@KEYSTORE@#/tmp/keystore.pem#" -e "s#@CA_FILE@#/tls/ca.pem#" \
    -e "s#@BROKER_PASSWORD@#${RCM_SECRET_KAFKA_BROKER}#" /opt/rcmflow/server.properties > "$conf"
chmod 600 "$conf"
printf '%s\n' "security.protocol=SASL_SSL" "sasl.mechanism=SCRAM-SHA-512" "ssl.truststore.type=PEM" \
  "ssl.truststore.location=/tls/ca.pem" \
  "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"${RCM_SECRET_KAFKA_ADMIN}\";" \
  > /tmp/admin.properties  # for the health check
scram() { echo "SCRAM-SHA-512=[name=$1,password=$2]"; }
if [ ! -f /var/lib/kafka/data/meta.properties ]; then
  standalone=""; [ "${QUORUM#controller.quorum.bootstrap}" != "$QUORUM" ] && standalone="--standalone"
  /opt/kafka/bin/kafka-storage.sh format $standalone -t "$CLUSTER_ID" -c "$conf" \
    --add-scram "$(scram admin "$RCM_SECRET_KAFKA_ADMIN")" --add-scram "$(scram broker "$RCM_SECRET_KAFKA_BROKER")" \
    --add-scram "$(scram encounter "$RCM_SECRET_KAFKA_ENCOUNTER")" --add-scram "$(scram coder "$RCM_SECRET_KAFKA_CODER")" \
    --add-scram "$(scram biller "$RCM_SECRET_KAFKA_BILLER")" --add-scram "$(scram payer-sim "$RCM_SECRET_KAFKA_PAYER_SIM")" \
    --add-scram "$(scram console "$RCM_SECRET_KAFKA_CONSOLE")"
fi
exec /opt/kafka/bin/kafka-server-start.sh "$conf"
