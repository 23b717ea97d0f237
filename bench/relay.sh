#!/usr/bin/env bash
# Relay: CPU per epoch of a relay B (`pull --serve`) with 1 and 8 downstream pullers, against a scanning `serve`
# with 8 pullers, at two region sizes, while a writer rewrites WRITES random 4 KiB pages per second of the source.
#
# Cases, for each SIZE, alternating in each of ROUNDS rounds: "relay-N": A serves the source
# (`serve --interval 1s`), B follows it with `pull --serve --interval 1s --json`, and N pullers follow B;
# "serve-8": 8 pullers follow A directly. Every replica starts as a copy of the source (no first full sync).
# After WARMUP s of writing, CPU is measured over DURATION s: B's CPU seconds (relay) or A's (serve), divided by the
# epochs B (relay) or the first puller (serve) completed meanwhile (from its --json lines). Prints a row per
# measurement and a table of medians.
#
# Usage: bench/relay.sh [-h]     (settings via environment, defaults in brackets)
#   SIZES="256MiB 1GiB"  ROUNDS=3  DURATION=20  WARMUP=8  WRITES=100  DATA_DIR=bench-data/relay (removed after)
#   DS=bin/deltasync
#
# Needs: a built tree (package), python3, ss.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0
fi
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
SIZES="${SIZES:-256MiB 1GiB}"; ROUNDS="${ROUNDS:-3}"; DURATION="${DURATION:-20}"; WARMUP="${WARMUP:-8}"
WRITES="${WRITES:-100}"; DATA_DIR="${DATA_DIR:-$root/bench-data/relay}"; DS="${DS:-$root/bin/deltasync}"
BENCH_JAR="$root/bench/target/benchmarks.jar"
log() { printf '[relay %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for tool in python3 ss; do command -v "$tool" >/dev/null || die "$tool is required"; done

pids=()
stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
cleanup() { stop_all; rm -rf "$DATA_DIR"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$DATA_DIR"
clk_tck="$(getconf CLK_TCK)"
cpu_seconds() { local s; s="$(cat "/proc/$1/stat")"; s="${s##*) }"; awk -v t="$clk_tck" '{ print ($12 + $13) / t }' <<<"$s"; }
epochs() { grep -c '"type":"epoch"' "$1" || true; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
await_port() { until [[ -n "$(ss -Hltn "sport = :$1")" ]]; do kill -0 "$2" || die "$3 exited"; sleep 0.2; done; }
# Waits until FILE has at least N epoch lines: the replica is following.
await_epochs() { until (( $(epochs "$1") >= $2 )); do sleep 0.5; done; }
writer() {
  python3 - "$1" "$WRITES" "$2" <<'PY'
import mmap, os, random, sys, time
path, rate, duration = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
fd = os.open(path, os.O_RDWR); size = os.fstat(fd).st_size; m = mmap.mmap(fd, size)
pages = size // 4096; end = time.time() + duration; rnd = random.Random(7)
while time.time() < end:
    start = time.time()
    for _ in range(rate):
        p = rnd.randrange(pages) * 4096; m[p:p + 4096] = os.urandom(4096)
    time.sleep(max(0, 1 - (time.time() - start)))
PY
}

# run SIZE CASE: prints "CASE SIZE cpu_per_epoch epochs"
run() {
  local size="$1" case="$2" dir="$DATA_DIR/run" n measured json
  rm -rf "$dir"; mkdir -p "$dir"
  cp "$DATA_DIR/base-$size.bin" "$dir/source.bin"
  local a_port; a_port="$(free_port)"
  "$DS" serve --listen "127.0.0.1:$a_port" --region "r=$dir/source.bin:ro" --insecure --interval 1s -q 2>"$dir/a.log" &
  local a=$!; pids+=("$a"); await_port "$a_port" "$a" serve
  local upstream="127.0.0.1:$a_port/r"
  n="${case#*-}"
  if [[ "$case" == relay-* ]]; then
    cp "$DATA_DIR/base-$size.bin" "$dir/b.bin"
    local b_port; b_port="$(free_port)"
    "$DS" pull "$upstream" "$dir/b.bin" --insecure --interval 1s --json --serve "127.0.0.1:$b_port" -q \
      >"$dir/b.json" 2>"$dir/b.log" &
    measured=$!; pids+=("$measured"); json="$dir/b.json"
    await_port "$b_port" "$measured" "relay"
    upstream="127.0.0.1:$b_port/r"
  else
    measured="$a"; json="$dir/puller-1.json"
  fi
  for i in $(seq 1 "$n"); do
    cp "$DATA_DIR/base-$size.bin" "$dir/replica-$i.bin"
    "$DS" pull "$upstream" "$dir/replica-$i.bin" --insecure --interval 1s --json -q >"$dir/puller-$i.json" 2>/dev/null &
    pids+=("$!")
  done
  for i in $(seq 1 "$n"); do await_epochs "$dir/puller-$i.json" 1; done
  writer "$dir/source.bin" $((WARMUP + DURATION)) &
  local w=$!; pids+=("$w")
  sleep "$WARMUP"
  local c0 e0 c1 e1
  c0="$(cpu_seconds "$measured")"; e0="$(epochs "$json")"
  sleep "$DURATION"
  c1="$(cpu_seconds "$measured")"; e1="$(epochs "$json")"
  stop_all
  awk -v c="$case" -v s="$size" -v c0="$c0" -v c1="$c1" -v e0="$e0" -v e1="$e1" \
    'BEGIN { e = e1 - e0; printf "%s %s %.4f %d\n", c, s, (e > 0 ? (c1 - c0) / e : -1), e }'
  rm -rf "$dir"
}

results="$DATA_DIR/results.txt"; : >"$results"
for size in $SIZES; do
  log "making a $size source"
  "$JAVA_HOME/bin/java" -cp "$BENCH_JAR" dev.deltasync.bench.TestData random "$DATA_DIR/base-$size.bin" "$size" 42 2>/dev/null
  for round in $(seq 1 "$ROUNDS"); do
    for case in relay-1 relay-8 serve-8; do
      log "$size round $round: $case"
      run "$size" "$case" | tee -a "$results" >&2
    done
  done
  rm -f "$DATA_DIR/base-$size.bin"
done
echo "| case | region | runs | CPU s per epoch, median (range) | epochs per run |"
echo "|---|---|---:|---:|---:|"
python3 - "$results" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    case, size, cpu, epochs = line.split(); rows[(case, size)].append((float(cpu), int(epochs)))
names = {"relay-1": "relay B, 1 downstream puller", "relay-8": "relay B, 8 downstream pullers",
         "serve-8": "scanning serve A, 8 pullers"}
for (case, size), runs in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    cpus = [c for c, _ in runs]
    print(f"| {names[case]} | {size} | {len(runs)} | {statistics.median(cpus):.3f} ({min(cpus):.3f}-{max(cpus):.3f}) "
          f"| {statistics.median([e for _, e in runs]):.0f} |")
PY
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores; $WRITES page writes/s, ${DURATION}s measured per run"
