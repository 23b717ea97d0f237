#!/usr/bin/env bash
# First full sync vs a raw TCP copy of the same bytes, over 127.0.0.1, plaintext.
#
# For each SIZE: a file of random bytes is (1) copied over one plain TCP connection by RawTcpCopy (1 MiB buffers,
# like nc), (2) pulled with `deltasync pull --once` from `serve --insecure` into a missing replica, (3) pushed with
# `deltasync push --once` into a missing `:rw` region of `serve --insecure`. Each result is checked with cmp.
# With BASE_DS, another build's launcher runs the same cases in turn (raw, this, base, raw, this, base, ...: ROUNDS
# times, so load from elsewhere hits both alike). Prints a markdown table on stdout, the median of the rounds: wall,
# MB/s, CPU seconds per GiB on each side, and the ratio to the raw TCP copy.
#
# Usage: bench/full-sync-vs-tcp.sh [-h]       (settings via environment, defaults in brackets)
#   SIZES="1GiB 4GiB"  SEED=42  DATA_DIR=bench-data/full-sync (git-ignored; removed at the end unless KEEP_DATA=1)
#   BASE_DS=        path to another tree's bin/deltasync, measured as "base" (e.g. a build of main)
#   ROUNDS=1        rounds of every case; the table shows each case's median
#   COMPRESS=zstd   the --compress of the source (zstd or none)
#   EXTRA_ARGS=""   more options for push/pull (e.g. "--chunk-size 1MiB")
#   WARM=0          1: each serve first serves one untimed sync of the same size (pull: into a throwaway replica;
#                   push: into a second region), so the timed one meets a serve past its JIT warm-up, as a
#                   long-lived serve is; 0: every timed sync meets a serve started for it
#   DELTASYNC_JAVA_OPTS is passed on (e.g. -XX:StartFlightRecording=filename=/tmp/x-%p.jfr for a profile)
#
# Needs: a built tree (./mvnw -B -q package -DskipTests), ss, cmp, python3, /usr/bin/time.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 0
fi

export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java_bin="$JAVA_HOME/bin/java"
SIZES="${SIZES:-1GiB 4GiB}"
SEED="${SEED:-42}"
DATA_DIR="${DATA_DIR:-$root/bench-data/full-sync}"
KEEP_DATA="${KEEP_DATA:-0}"
COMPRESS="${COMPRESS:-zstd}"
EXTRA_ARGS="${EXTRA_ARGS:-}"
DS="$root/bin/deltasync"
BASE_DS="${BASE_DS:-}"
ROUNDS="${ROUNDS:-1}"
WARM="${WARM:-0}"
BENCH_JAR="$root/bench/target/benchmarks.jar"

log() { printf '[full-sync-vs-tcp %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for tool in ss cmp python3 /usr/bin/time; do command -v "$tool" >/dev/null || die "$tool is required"; done
[[ -f "$BENCH_JAR" ]] || die "bench/target/benchmarks.jar missing; build first: ./mvnw -B -q package -DskipTests"
"$DS" --help >/dev/null 2>&1 || die "bin/deltasync does not run; build first"
[[ -z "$BASE_DS" ]] || "$BASE_DS" --help >/dev/null 2>&1 || die "BASE_DS=$BASE_DS does not run"
tools=(this); [[ -z "$BASE_DS" ]] || tools+=(base)

pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -f "$DATA_DIR"/{replica.bin,replica.bin.deltasync-state,warm.bin,warm.bin.deltasync-state,serve.log,time.txt}
  rm -f "$DATA_DIR"/{receiver-time.txt,table.md}
  [[ "$KEEP_DATA" == 1 ]] || { rm -f "$DATA_DIR"/source-*.bin; rmdir "$DATA_DIR" 2>/dev/null || true; }
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$DATA_DIR"

clk_tck="$(getconf CLK_TCK)"
cpu_seconds() { # PID: utime + stime + children
  local stat; stat="$(cat "/proc/$1/stat")"; stat="${stat##*) }"
  awk -v t="$clk_tck" '{ printf "%.2f", ($12 + $13 + $14 + $15) / t }' <<<"$stat"
}
now() { date +%s.%N; }
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000)); [[ -z "$(ss -Hltn "sport = :$p")" ]] && { echo "$p"; return; }
  done
  die "no free port"
}
wait_listening() { # PORT PID
  local deadline=$((SECONDS + 60))
  until [[ -n "$(ss -Hltn "sport = :$1")" ]]; do
    kill -0 "$2" 2>/dev/null || die "server exited before listening"; ((SECONDS < deadline)) || die "no listener"
    sleep 0.1
  done
}

# result SIZE CASE WALL BYTES CLIENT_CPU SERVER_CPU: one measurement, tab-separated, for the medians at the end
result() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$DATA_DIR/table.md"; }

: >"$DATA_DIR/table.md"
replica="$DATA_DIR/replica.bin"
for round in $(seq 1 "$ROUNDS"); do
for size in $SIZES; do
  source="$DATA_DIR/source-$size.bin"
  [[ -f "$source" ]] || "$java_bin" -cp "$BENCH_JAR" dev.deltasync.bench.TestData random "$source" "$size" "$SEED"
  bytes="$(stat -c %s "$source")"
  cat "$source" >/dev/null # both tools read it from the page cache

  # raw TCP: the receiver is the "server", the sender the "client"
  rm -f "$replica"
  coproc RAW { exec /usr/bin/time -f "%U %S" -o "$DATA_DIR/receiver-time.txt" "$java_bin" -cp "$BENCH_JAR" \
    dev.deltasync.bench.RawTcpCopy receive 0 "$replica"; }
  raw_pid=$RAW_PID; pids+=("$raw_pid"); read -r port <&"${RAW[0]}"
  start="$(now)"
  /usr/bin/time -f "%U %S" -o "$DATA_DIR/time.txt" "$java_bin" -cp "$BENCH_JAR" dev.deltasync.bench.RawTcpCopy \
    send 127.0.0.1 "$port" "$source"
  wait "$raw_pid" || true
  server_cpu="$(awk '{print $1 + $2}' "$DATA_DIR/receiver-time.txt")"
  raw_wall="$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')"
  cmp -s "$source" "$replica" || die "raw copy differs"
  result "$size" "raw TCP (receiver = server)" "$raw_wall" "$bytes" "$(awk '{print $1 + $2}' "$DATA_DIR/time.txt")" \
    "$server_cpu"
  log "$size raw: $raw_wall s"

  for tool in "${tools[@]}"; do
  launcher="$DS"; [[ "$tool" == base ]] && launcher="$BASE_DS"
  for mode in pull push; do
    rm -f "$replica" "$replica.deltasync-state"
    port="$(free_port)"
    if [[ "$mode" == pull ]]; then
      regions=(--region "r=$source:ro")
    else
      regions=(--region "r=$replica:rw" --region "w=$DATA_DIR/warm.bin:rw")
    fi
    "$launcher" serve --listen "127.0.0.1:$port" "${regions[@]}" --insecure --compress "$COMPRESS" \
      2>"$DATA_DIR/serve.log" &
    serve_pid=$!; pids+=("$serve_pid")
    wait_listening "$port" "$serve_pid"
    if [[ "$WARM" == 1 ]]; then
      rm -f "$DATA_DIR"/warm.bin{,.deltasync-state}
      if [[ "$mode" == pull ]]; then
        # shellcheck disable=SC2086
        "$launcher" pull "127.0.0.1:$port/r" "$DATA_DIR/warm.bin" --once --insecure $EXTRA_ARGS 2>/dev/null
      else
        # shellcheck disable=SC2086
        "$launcher" push "$source" "127.0.0.1:$port/w" --once --insecure --compress "$COMPRESS" $EXTRA_ARGS 2>/dev/null
      fi
      rm -f "$DATA_DIR"/warm.bin{,.deltasync-state}
    fi
    sleep 1 # let the server's start-up settle before its CPU is counted
    before="$(cpu_seconds "$serve_pid")"
    start="$(now)"
    if [[ "$mode" == pull ]]; then
      # shellcheck disable=SC2086
      /usr/bin/time -f "%U %S" -o "$DATA_DIR/time.txt" "$launcher" pull "127.0.0.1:$port/r" "$replica" --once --insecure \
        $EXTRA_ARGS 2>/dev/null
    else
      # shellcheck disable=SC2086
      /usr/bin/time -f "%U %S" -o "$DATA_DIR/time.txt" "$launcher" push "$source" "127.0.0.1:$port/r" --once --insecure \
        --compress "$COMPRESS" $EXTRA_ARGS 2>/dev/null
    fi
    wall="$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')"
    server_cpu="$(awk -v a="$before" -v b="$(cpu_seconds "$serve_pid")" 'BEGIN { printf "%.2f", b - a }')"
    kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
    cmp -s "$source" "$replica" || die "$mode: replica differs"
    name="deltasync $mode --once"; [[ "$tool" == base ]] && name="base $mode --once"
    [[ "$WARM" == 1 ]] && name+=" (warm serve)"
    result "$size" "$name" "$wall" "$bytes" "$(awk '{print $1 + $2}' "$DATA_DIR/time.txt")" "$server_cpu"
    log "$size $tool $mode: $wall s"
  done
  done
done
done

echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores; compress $COMPRESS $EXTRA_ARGS;" \
  "$([[ "$WARM" == 1 ]] && echo "serve warmed by one untimed sync;" || echo "a serve started for each sync;")" \
  "median of $ROUNDS round(s)${BASE_DS:+; base = $BASE_DS}"
echo
echo "| size | case | wall s | MB/s | client CPU s/GiB | server CPU s/GiB | x raw TCP speed |"
echo "|---|---|---:|---:|---:|---:|---:|"
# per (size, case) in order of appearance: the median of each column; the ratio uses the raw copy's median wall
python3 - "$DATA_DIR/table.md" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    size, case, wall, size_bytes, client, server = line.rstrip("\n").split("\t")
    rows.setdefault((size, case), []).append((float(wall), int(size_bytes), float(client), float(server)))
for (size, case), runs in rows.items():
    wall = statistics.median(r[0] for r in runs); gib = runs[0][1] / 2**30
    raw = statistics.median(r[0] for r in rows[(size, "raw TCP (receiver = server)")])
    print(f"| {size} | {case} | {wall:.2f} | {runs[0][1] / wall / 1e6:.0f} | "
          f"{statistics.median(r[2] for r in runs) / gib:.2f} | {statistics.median(r[3] for r in runs) / gib:.2f} | "
          f"{raw / wall:.2f} |")
PY
rm -f "$DATA_DIR/table.md"
