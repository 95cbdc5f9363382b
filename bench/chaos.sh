#!/usr/bin/env bash
# Drover's chaos test: kill -9 of the server and of an external worker at random moments (dev.drover.bench.Chaos).
# Builds bench/ through the reactor (never mvn install) and runs it on JDK 25; logs and databases stay in
# bench/runs/chaos-<time>/ (git-ignored), the report is printed and written there as report.md.
# Options: --db sqlite|postgres|both (both) --trials N (200) --max-minutes M (per database) --runs K (6)
#          --slots S (3) --lease SECONDS (5) --seed N
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
./mvnw -q -B package -pl bench -am -DskipTests
export BENCH_COMMAND="bench/chaos.sh$(printf " %q" "$@")"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
  -cp "bench/target/drover-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" \
  dev.drover.bench.Chaos "$@"
