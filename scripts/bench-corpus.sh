# Sourced by scripts/bench-ingest and scripts/bench-query: where their shared corpus of recorded
# exporter requests lives, and how it is recorded (examples' RecordCorpus: demo services running
# the service-shaped workload with the Ember exporter, each request written as NNNNNN.pb).
EMBER_BENCH_SERVICES=${EMBER_BENCH_SERVICES:-3}
EMBER_BENCH_SECONDS=${EMBER_BENCH_SECONDS:-90}
EMBER_BENCH_INTERVAL=${EMBER_BENCH_INTERVAL:-10s}
EMBER_BENCH_RATE=${EMBER_BENCH_RATE:-100}
# Named after its recording settings, so that other settings never reuse an older corpus.
EMBER_BENCH_CORPUS_DEFAULT="target/bench/corpus-${EMBER_BENCH_SERVICES}svc-${EMBER_BENCH_SECONDS}s-${EMBER_BENCH_INTERVAL}-${EMBER_BENCH_RATE}rps"

# Records a corpus into $1 unless it already holds requests.
ember_bench_record() {
  local dir="$1"
  if ls "$dir"/*.pb >/dev/null 2>&1; then
    return 0
  fi
  if [ ! -f examples/target/demo-app.jar ]; then
    echo "building the demo app..." >&2
    mvn -B -ntp -q -DskipTests -pl examples -am package
  fi
  echo "recording ${EMBER_BENCH_SERVICES} demo services for ${EMBER_BENCH_SECONDS} s" \
    "(${EMBER_BENCH_INTERVAL} windows, ${EMBER_BENCH_RATE} requests/s each) into $dir..." >&2
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
    -cp examples/target/demo-app.jar dev.ember.examples.corpus.RecordCorpus "$dir" \
    "$EMBER_BENCH_SERVICES" "$EMBER_BENCH_SECONDS" "$EMBER_BENCH_INTERVAL" "$EMBER_BENCH_RATE"
}
