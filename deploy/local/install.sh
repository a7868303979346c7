#!/usr/bin/env bash
# Installs what is missing, and nothing twice: Debian's PostgreSQL and Prometheus, the Kafka
# jars from Maven Central, and a virtualenv holding rcmflow. Safe to run again.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

apt_pkgs=()
[ -n "$(pg_bin)" ] || apt_pkgs+=(postgresql)
command -v prometheus >/dev/null || apt_pkgs+=(prometheus)
command -v java >/dev/null || apt_pkgs+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || apt_pkgs+=(maven)
command -v openssl >/dev/null || apt_pkgs+=(openssl)  # the local CA and certificates (shared/tls.py)
# the console's browser tests (tests/browser) drive a real headless Chromium
command -v chromium >/dev/null || apt_pkgs+=(chromium)
command -v chromedriver >/dev/null || apt_pkgs+=(chromium-driver)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  say "installing Debian packages: ${apt_pkgs[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # policy-rc.d may forbid starting services; we start our own cluster anyway.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" >/dev/null
  # Where the package started its own default cluster or Prometheus, stop them: rcmflow runs its
  # own under .run/ on the same ports.
  if [[ " ${apt_pkgs[*]} " == *" postgresql "* ]] && command -v pg_lsclusters >/dev/null; then
    pg_lsclusters -h 2>/dev/null | awk '$4 == "online" {print $1, $2}' | while read -r ver name; do
      $SUDO pg_ctlcluster "$ver" "$name" stop || true
    done
  fi
  if [[ " ${apt_pkgs[*]} " == *" prometheus "* ]]; then $SUDO pkill -x prometheus 2>/dev/null || true; fi
fi

KAFKA_LIBS="$CACHE_DIR/kafka/libs"
if [ ! -f "$KAFKA_LIBS/.complete" ] || [ "$ROOT/deploy/kafka/pom.xml" -nt "$KAFKA_LIBS/.complete" ]; then
  say "fetching Apache Kafka jars from Maven Central into $KAFKA_LIBS"
  rm -rf "$KAFKA_LIBS"
  mvn -q -B -f "$ROOT/deploy/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS"
  touch "$KAFKA_LIBS/.complete"
fi

if [ ! -x "$PY" ]; then
  say "creating virtualenv $VENV"
  PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
  "$PYTHON" -m venv "$VENV"
fi
# Dependencies from the lock file (exact versions and hashes: every install resolves the same
# set), then rcmflow itself, editable, without resolving anything again. `make lock` renews it.
stamp="$VENV/.rcmflow-installed"
if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ] || [ "$ROOT/requirements.lock" -nt "$stamp" ]; then
  say "installing rcmflow and its locked dependencies into $VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check --require-hashes -r "$ROOT/requirements.lock"
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps -e "$ROOT"
  touch "$stamp"
fi
