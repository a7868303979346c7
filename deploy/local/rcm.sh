#!/usr/bin/env bash
# `rcm` with the local stack's addresses (KAFKA_PORT, PGPORT ... as the other scripts use them).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
exec "$RCM" "$@"
