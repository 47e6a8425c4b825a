#!/bin/sh
# Runs the standard benchmark set and writes benchmarks/RESULTS.md (about 12 minutes).
# Run it on a quiet machine: anything else using the CPU makes the numbers worthless.
set -e
cd "$(dirname "$0")/.."
mvn -B -ntp -q package -DskipTests
exec java -cp benchmarks/target/shunt-benchmarks.jar dev.shunt.benchmarks.RunAll "$@"
