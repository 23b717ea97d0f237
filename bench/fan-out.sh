#!/usr/bin/env bash
# Fan-out: N continuous pullers of one region while a writer changes it, plaintext over 127.0.0.1.
#
# A SIZE file of random bytes is served (`serve --interval 1s`); for each N in PULLERS, N replicas (copies of the
# source, so the first epoch is cheap) run `pull --interval 1s --json` for DURATION seconds while a writer
# rewrites WRITES random 4 KiB pages per second through its own shared mapping. Prints, per N: the mean, median and
# 90th percentile of the time between a puller's verified epochs (over all pullers, the first 3 epochs of each
# left out; the mean is the epoch period, as the gaps around a late epoch are one long and one short), the server's
# CPU seconds per second, and the replicas' msync/state-file seconds per epoch (from --json, deltasync builds that
# report them).
#
# Usage: bench/fan-out.sh [-h]     (settings via environment, defaults in brackets)
#   SIZE=1GiB  PULLERS="1 8"  DURATION=30  WRITES=100  DATA_DIR=bench-data/fan-out (removed unless KEEP_DATA=1)
#   DS=bin/deltasync (another build to compare)
#
# Needs: a built tree, python3, jq, ss.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0
fi
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
SIZE="${SIZE:-1GiB}"; PULLERS="${PULLERS:-1 8}"; DURATION="${DURATION:-30}"; WRITES="${WRITES:-100}"
DATA_DIR="${DATA_DIR:-$root/bench-data/fan-out}"; KEEP_DATA="${KEEP_DATA:-0}"
DS="${DS:-$root/bin/deltasync}"
BENCH_JAR="$root/bench/target/benchmarks.jar"
log() { printf '[fan-out %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for tool in python3 jq ss; do command -v "$tool" >/dev/null || die "$tool is required"; done

pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -f "$DATA_DIR"/replica-* "$DATA_DIR"/*.json "$DATA_DIR"/serve.log
  [[ "$KEEP_DATA" == 1 ]] || { rm -f "$DATA_DIR"/source.bin "$DATA_DIR"/base.bin; rmdir "$DATA_DIR" 2>/dev/null || true; }
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$DATA_DIR"
[[ -f "$DATA_DIR/base.bin" ]] || "$JAVA_HOME/bin/java" -cp "$BENCH_JAR" dev.deltasync.bench.TestData random \
  "$DATA_DIR/base.bin" "$SIZE" 42
clk_tck="$(getconf CLK_TCK)"
cpu_seconds() { local s; s="$(cat "/proc/$1/stat")"; s="${s##*) }"; awk -v t="$clk_tck" '{ print ($12 + $13) / t }' <<<"$s"; }

echo "| pullers | epoch period (mean) s | median s | p90 s | server CPU s/s | replica msync s/epoch | state file s/epoch |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for n in $PULLERS; do
  cp "$DATA_DIR/base.bin" "$DATA_DIR/source.bin"
  for i in $(seq 1 "$n"); do cp "$DATA_DIR/base.bin" "$DATA_DIR/replica-$i.bin"; done
  port=$((20000 + RANDOM % 40000))
  "$DS" serve --listen "127.0.0.1:$port" --region "r=$DATA_DIR/source.bin:ro" --insecure --interval 1s \
    2>"$DATA_DIR/serve.log" &
  serve=$!; pids+=("$serve")
  until [[ -n "$(ss -Hltn "sport = :$port")" ]]; do kill -0 "$serve" || die "serve exited"; sleep 0.1; done
  for i in $(seq 1 "$n"); do
    "$DS" pull "127.0.0.1:$port/r" "$DATA_DIR/replica-$i.bin" --insecure --interval 1s --json \
      >"$DATA_DIR/puller-$i.json" 2>/dev/null &
    pids+=("$!")
  done
  # the window starts once every puller verified its first epoch (a JVM start and a hash of its copy each, which
  # on a loaded machine can take longer than the window itself)
  deadline=$((SECONDS + 600))
  for i in $(seq 1 "$n"); do
    until grep -q '"type":"epoch".*"verified":true' "$DATA_DIR/puller-$i.json" 2>/dev/null; do
      (( SECONDS < deadline )) || die "puller $i verified no epoch within 600 s"
      sleep 0.5
    done
  done
  python3 - "$DATA_DIR/source.bin" "$WRITES" "$DURATION" <<'PY' &
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
  writer=$!; pids+=("$writer")
  sleep 5 # the first epochs under writes and JIT warm-up are left out of the CPU figure
  cpu0="$(cpu_seconds "$serve")"; t0="$(date +%s.%N)"
  wait "$writer" || true
  cpu1="$(cpu_seconds "$serve")"; t1="$(date +%s.%N)"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
  # epoch periods: gaps between a puller's verified epoch events, its first 3 left out
  periods="$(for i in $(seq 1 "$n"); do
      jq -r 'select(.type == "epoch" and .verified) | .time' "$DATA_DIR/puller-$i.json" \
        | python3 -c 'import sys, datetime
ts = [datetime.datetime.fromisoformat(l.strip().replace("Z", "+00:00")).timestamp() for l in sys.stdin if l.strip()]
for a, b in list(zip(ts, ts[1:]))[3:]: print(b - a)'
    done | sort -n)"
  count="$(wc -l <<<"$periods")"
  mean="$(awk '{ s += $1 } END { if (NR) printf "%.2f", s / NR }' <<<"$periods")"
  median="$(awk -v c="$count" 'NR == int((c + 1) / 2) { printf "%.2f", $1 }' <<<"$periods")"
  p90="$(awk -v c="$count" 'NR == int(c * 0.9 + 0.5) { printf "%.2f", $1 }' <<<"$periods")"
  durability="$(cat "$DATA_DIR"/puller-*.json | jq -s -r '[.[] | select(.type == "epoch")] | group_by(.local)
      | map(max_by(.epochs)) | (map(.msync_seconds // 0) | add // 0) as $m | (map(.state_write_seconds // 0) | add // 0) as $s
      | ((map(.epochs) | add) // 1) as $e | "\($m / $e) \($s / $e)"')"
  awk -v n="$n" -v mean="$mean" -v med="$median" -v p="$p90" -v c0="$cpu0" -v c1="$cpu1" -v t0="$t0" -v t1="$t1" -v d="$durability" \
    'BEGIN { split(d, x, " "); printf "| %d | %s | %s | %s | %.2f | %.3f | %.3f |\n", n, mean, med, p, (c1 - c0) / (t1 - t0), x[1], x[2] }'
  rm -f "$DATA_DIR"/replica-* "$DATA_DIR"/*.json
done
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores; $SIZE, $WRITES page writes/s, ${DURATION}s per row"
