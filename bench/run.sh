#!/usr/bin/env bash
# Drover's load harness: builds bench/ (and what it depends on) and runs dev.drover.bench.Bench on JDK 25.
# Results are printed and written into docs/benchmarks.md; logs, wrk output and databases stay in
# bench/runs/<time>/ (git-ignored). Options: bench/run.sh --help (e.g. --db sqlite --duration 10s).
set -euo pipefail
cd "$(dirname "$0")/.."

export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi

if ! command -v wrk >/dev/null; then
  echo "installing wrk (apt-get)" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq wrk
fi

# build through the reactor (never mvn install), clean so that nothing stale (a removed migration) is measured;
# tests are not the point here
./mvnw -q -B clean package -pl bench -am -DskipTests

export BENCH_COMMAND="bench/run.sh$(printf " %q" "$@")"
# BENCH_JAVA_OPTS: options of the harness's own JVM (not the servers'), e.g. another collector for the client side
# of the watchers suite, whose pauses would be counted as wake latency
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED ${BENCH_JAVA_OPTS:-} \
  -cp "bench/target/drover-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" \
  dev.drover.bench.Bench --doc docs/benchmarks.md "$@"
