#!/usr/bin/env bash
# Crash soak for a benchmark machine: CrashRecoveryTest with many more kill -9 points than CI's 20.
#   ITERATIONS=500 bench/crash-soak.sh          # a fresh random seed, printed at the start
#   SEED=1234 ITERATIONS=50 bench/crash-soak.sh # replay a run
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
args=(-B -q -pl cli -am install -DskipTests)
./mvnw "${args[@]}"
./mvnw -B -pl cli surefire:test -Dtest=CrashRecoveryTest -Dcrash.iterations="${ITERATIONS:-200}" \
  ${SEED:+-Dcrash.seed="$SEED"} | grep -E "seed|Tests run|FAIL|expected" 
