#!/usr/bin/env bash
# End-to-end push benchmark: `deltasync push --once` vs rsync to a local rsync daemon, over 127.0.0.1.
#
# A file of SIZE random bytes (seed SEED) is copied to a replica; then FRACTION of the source's PAGE-sized
# pages are rewritten with new random bytes (seed SEED+1). Each case starts from a fresh copy of the original
# replica, updates it in place from the mutated source, and is checked with cmp afterwards (independently of
# the tool's own verification). Prints a markdown table on stdout; progress and logs go to stderr.
#
# Usage: bench/push-vs-rsync.sh [-h]          (settings via environment, defaults in brackets)
#   SIZE=1GiB  FRACTION=0.01  PAGE=4KiB  SEED=42
#   DATA_DIR=bench-data/push-vs-rsync   (git-ignored; removed at the end unless KEEP_DATA=1)
#   KEEP_DATA=0    1 keeps the data and reuses it on the next run with the same settings
#   RUN_TIMEOUT=300  seconds allowed per push / rsync run; SERVER_WAIT=60 seconds for a server to listen
#   QUICK=0        1 runs only the two headline cases (deltasync default, rsync default)
#   RSYNC=1        0 skips rsync even when it is installed; DELTASYNC=0 likewise skips deltasync
#
# Needs: a built tree (./mvnw -B -q package -DskipTests), jq, ss, cmp; rsync optional.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 0
fi

export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java_bin="$JAVA_HOME/bin/java"
SIZE="${SIZE:-1GiB}"
FRACTION="${FRACTION:-0.01}"
PAGE="${PAGE:-4KiB}"
SEED="${SEED:-42}"
DATA_DIR="${DATA_DIR:-$root/bench-data/push-vs-rsync}"
KEEP_DATA="${KEEP_DATA:-0}"
RUN_TIMEOUT="${RUN_TIMEOUT:-300}"
SERVER_WAIT="${SERVER_WAIT:-60}"
QUICK="${QUICK:-0}"
RSYNC="${RSYNC:-1}"
DELTASYNC="${DELTASYNC:-1}"
REGION=bench
DS="$root/bin/deltasync"
BENCH_JAR="$root/bench/target/benchmarks.jar"

log() { printf '[push-vs-rsync %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for tool in jq ss cmp timeout /usr/bin/time; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
[[ -x "$java_bin" ]] || die "no java at $java_bin (set JAVA_HOME)"
[[ -f "$BENCH_JAR" ]] || die "bench/target/benchmarks.jar missing; build first: ./mvnw -B -q package -DskipTests"
"$DS" --help >/dev/null 2>&1 || die "bin/deltasync does not run; build first: ./mvnw -B -q package -DskipTests"

# ---------------------------------------------------------------- cleanup of everything we start
pids=()
work=""
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  [[ -n "$work" ]] && rm -rf "$work"
  if [[ "$KEEP_DATA" != 1 ]]; then
    rm -f "$DATA_DIR"/{base.bin,source.bin,replica.bin,stamp,mutation.json}
    rmdir "$DATA_DIR" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$DATA_DIR"
work="$(mktemp -d "${TMPDIR:-/tmp}/push-vs-rsync.XXXXXX")"
base="$DATA_DIR/base.bin"        # the replica's starting content
source="$DATA_DIR/source.bin"    # base with FRACTION of its pages rewritten
replica="$DATA_DIR/replica.bin"  # what each case updates in place

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    [[ -z "$(ss -Hltn "sport = :$p")" ]] && { echo "$p"; return; }
  done
  die "no free port found"
}

wait_listening() { # PORT PID NAME
  local deadline=$((SECONDS + SERVER_WAIT))
  until [[ -n "$(ss -Hltn "sport = :$1")" ]]; do
    kill -0 "$2" 2>/dev/null || die "$3 exited before listening on 127.0.0.1:$1 (log: $4)"
    ((SECONDS < deadline)) || die "$3 not listening on 127.0.0.1:$1 after ${SERVER_WAIT}s"
    sleep 0.1
  done
}

clk_tck="$(getconf CLK_TCK)"
# CPU seconds of a process and its reaped children (utime + stime + cutime + cstime).
cpu_seconds() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo "nan"; return; }
  stat="${stat##*) }"
  awk -v t="$clk_tck" '{ printf "%.2f", ($12 + $13 + $14 + $15) / t }' <<<"$stat"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

fresh_replica() {
  cp "$base" "$replica"
}

identical() { cmp -s "$source" "$replica" && echo yes || echo NO; }

# ---------------------------------------------------------------- data
stamp="size=$SIZE fraction=$FRACTION page=$PAGE seed=$SEED"
if [[ "$KEEP_DATA" == 1 && -f "$DATA_DIR/stamp" && "$(cat "$DATA_DIR/stamp")" == "$stamp" \
      && -f "$base" && -f "$source" && -f "$DATA_DIR/mutation.json" ]]; then
  log "reusing data in $DATA_DIR ($stamp)"
else
  rm -f "$DATA_DIR/stamp"
  log "generating $SIZE of random bytes (seed $SEED) in $DATA_DIR"
  "$java_bin" -cp "$BENCH_JAR" dev.deltasync.bench.TestData random "$base" "$SIZE" "$SEED"
  cp "$base" "$source"
  "$java_bin" -cp "$BENCH_JAR" dev.deltasync.bench.TestData mutate "$source" "$FRACTION" "$PAGE" \
    $((SEED + 1)) >"$DATA_DIR/mutation.json"
  echo "$stamp" >"$DATA_DIR/stamp"
fi
mutation="$(cat "$DATA_DIR/mutation.json")"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
log "mutation: $mutation"
file_bytes="$(jq -r .file_bytes <<<"$mutation")"

# One result row per case, tab-separated:
# tool case wall_s tool_s client_cpu_s server_cpu_s chunks changed_bytes sent received identical exit
results="$work/results.tsv"
: >"$results"
row() { local IFS=$'\t'; echo "$*" >>"$results"; }

# ---------------------------------------------------------------- deltasync
/usr/bin/time -f '%e' -o "$work/jvm.time" "$DS" --help >/dev/null 2>&1 || true
jvm_start="$(tail -n1 "$work/jvm.time")"
log "JVM start (bin/deltasync --help): ${jvm_start}s"

# ds_push CASE SERVER_PID PORT [push options...]: one timed push --once, appends a row.
ds_push() {
  local name="$1" spid="$2" port="$3"
  shift 3
  local out="$work/push-$name.json" err="$work/push-$name.err" tf="$work/push-$name.time"
  local cpu0 cpu1 t0 t1 rc=0
  cpu0="$(cpu_seconds "$spid")"
  t0="$(now)"
  /usr/bin/time -f '%U %S %M' -o "$tf" timeout "$RUN_TIMEOUT" \
    "$DS" push "$source" "127.0.0.1:$port/$REGION" --once --stats --json --insecure "$@" >"$out" 2>"$err" || rc=$?
  t1="$(now)"
  sleep 0.2
  cpu1="$(cpu_seconds "$spid")"
  local line
  line="$(jq -R -c --arg r "$REGION" 'fromjson? | select(type == "object" and .region == $r)' "$out" 2>/dev/null \
    | tail -n1 || true)"
  if [[ $rc -ne 0 || -z "$line" ]]; then
    log "deltasync $name: exit $rc; stdout: $(head -c 2000 "$out"); stderr: $(tail -c 2000 "$err")"
    log "server log: $(tail -c 3000 "$work/serve-$SERVE_NAME.log" 2>/dev/null)"
    line='{}'
  fi
  local client_cpu
  client_cpu="$(awk 'NF == 3 { c = $1 + $2 } END { if (c != "") printf "%.2f", c }' "$tf" 2>/dev/null)"
  row deltasync "$name" "$(elapsed "$t0" "$t1")" "$(jq -r '.seconds // "-"' <<<"$line")" "${client_cpu:--}" \
    "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')" \
    "$(jq -r '.chunks_changed // "-"' <<<"$line")" "$(jq -r '.changed_bytes // "-"' <<<"$line")" \
    "$(jq -r '.wire_bytes_sent // "-"' <<<"$line")" "$(jq -r '.wire_bytes_received // "-"' <<<"$line")" \
    "$(identical)" "$rc"
  log "deltasync $name: exit $rc, $(tail -n1 "$results" | cut -f3,7,9,10 | tr '\t' ' ') (wall chunks sent received)"
}

# ds_case CASE AGAIN FROM [push options...]: replica := FROM (base, or source for a cold no-change push),
# fresh server, one push; AGAIN=1 adds a second push to the same (now warm) server, with no changes.
ds_case() {
  local name="$1" again="$2" from="$3"
  shift 3
  cp "$from" "$replica"
  SERVE_NAME="$name"
  local port spid slog="$work/serve-$name.log"
  port="$(free_port)"
  # --insecure: plaintext, like the rsync daemon it is compared with (TLS is the default since keygen/pinning)
  "$DS" serve --listen "127.0.0.1:$port" --region "$REGION=$replica:rw" --insecure 2>"$slog" >/dev/null &
  spid=$!
  pids+=("$spid")
  wait_listening "$port" "$spid" "deltasync serve" "$slog"
  ds_push "$name" "$spid" "$port" "$@"
  if [[ "$again" == 1 ]]; then
    ds_push "$name, again, no changes" "$spid" "$port" "$@"
  fi
  kill "$spid" 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
}

if [[ "$DELTASYNC" != 1 ]]; then
  log "deltasync skipped (DELTASYNC=0)"
else
log "deltasync: default (--chunk-size auto: 4 KiB for a region up to 4 GiB, zstd:1)"
ds_case "auto zstd:1 (default)" 1 "$base"
if [[ "$QUICK" != 1 ]]; then
  log "deltasync: no changes, fresh server"
  ds_case "auto zstd:1, no changes, fresh server" 0 "$source"
  log "deltasync: --chunk-size 64KiB"
  ds_case "64KiB zstd:1" 1 "$base" --chunk-size 64KiB
  ds_case "64KiB none" 0 "$base" --chunk-size 64KiB --compress none
  log "deltasync: --chunk-size 4KiB"
  ds_case "4KiB zstd:1" 0 "$base" --chunk-size 4KiB
  ds_case "4KiB none" 0 "$base" --chunk-size 4KiB --compress none
fi
fi

# ---------------------------------------------------------------- rsync
rsync_note=""
if [[ "$RSYNC" != 1 ]]; then
  rsync_note="rsync skipped (RSYNC=0)"
elif ! command -v rsync >/dev/null; then
  rsync_note="rsync not installed, skipping"
else
  rport="$(free_port)"
  conf="$work/rsyncd.conf"
  cat >"$conf" <<EOF
pid file = $work/rsyncd.pid
log file = $work/rsyncd.log
use chroot = no
uid = $(id -u)
gid = $(id -g)
address = 127.0.0.1
[$REGION]
    path = $DATA_DIR
    read only = no
    list = no
EOF
  rsync --daemon --no-detach --address 127.0.0.1 --port "$rport" --config "$conf" 2>"$work/rsyncd.err" &
  rpid=$!
  pids+=("$rpid")
  wait_listening "$rport" "$rpid" "rsync --daemon" "$work/rsyncd.err"

  # rsync_run CASE [rsync options...]: replica as it is now, one timed rsync, appends a row.
  # --inplace updates the file where it is (as deltasync does; the default would build a temp copy and rename),
  # --no-whole-file forces the delta algorithm, --ignore-times makes it compare content even if size and mtime
  # match (deltasync always compares); no -z: random data does not compress.
  rsync_run() {
    local name="$1"
    shift
    local out="$work/rsync-$name.out" tf="$work/rsync-$name.time" cpu0 cpu1 t0 t1 rc=0
    cpu0="$(cpu_seconds "$rpid")"
    t0="$(now)"
    /usr/bin/time -f '%U %S %M' -o "$tf" timeout "$RUN_TIMEOUT" \
      rsync --inplace --no-whole-file --ignore-times --stats --no-human-readable "$@" \
      "$source" "rsync://127.0.0.1:$rport/$REGION/replica.bin" >"$out" 2>&1 || rc=$?
    t1="$(now)"
    sleep 0.3 # let the daemon reap its child so cutime/cstime include it
    cpu1="$(cpu_seconds "$rpid")"
    [[ $rc -eq 0 ]] || log "rsync $name: exit $rc: $(tail -c 2000 "$out")"
    stat_of() { sed -n "s/^$1: \([0-9,]*\).*/\1/p" "$out" | tr -d , | head -n1; }
    local literal matched
    literal="$(stat_of 'Literal data')"
    row rsync "$name" "$(elapsed "$t0" "$t1")" "-" \
      "$(awk 'NF == 3 { c = $1 + $2 } END { if (c != "") printf "%.2f", c }' "$tf" 2>/dev/null)" \
      "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')" \
      "-" "${literal:--}" "$(stat_of 'Total bytes sent')" "$(stat_of 'Total bytes received')" \
      "$(identical)" "$rc"
    log "rsync $name: exit $rc, $(tail -n1 "$results" | cut -f3,8,9,10 | tr '\t' ' ') (wall literal sent received)"
  }

  log "rsync: default block size"
  fresh_replica
  rsync_run "default block ($(awk -v n="$file_bytes" 'BEGIN { b = int(sqrt(n) / 8) * 8; if (b < 700) b = 700;
    if (b > 131072) b = 131072; printf "%d", b }') B)"
  rsync_run "default block, again, no changes"
  if [[ "$QUICK" != 1 ]]; then
    log "rsync: -B 4096 / -B 65536"
    fresh_replica
    rsync_run "-B 4096" -B 4096
    fresh_replica
    rsync_run "-B 65536" -B 65536
  fi
  kill "$rpid" 2>/dev/null || true
  wait "$rpid" 2>/dev/null || true
fi

# ---------------------------------------------------------------- report
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"
mib() { awk -v b="$1" 'BEGIN { if (b == "-" || b == "") print "-"; else printf "%.2f", b / 1048576 }'; }
echo "## Push vs rsync: $SIZE, $(jq -r .pages_rewritten <<<"$mutation") of $(jq -r .pages <<<"$mutation")" \
  "$(jq -r .page <<<"$mutation")-byte pages rewritten (seed $SEED)"
echo
echo "Touched blocks: 4 KiB $(jq -r .blocks_touched_4096 <<<"$mutation"), 32 KiB $(jq -r .blocks_touched_32768 <<<"$mutation")," \
  "64 KiB $(jq -r .blocks_touched_65536 <<<"$mutation") (of $((file_bytes / 65536))). JVM start (\`bin/deltasync --help\`): ${jvm_start} s."
echo
echo "Machine: $(nproc) cores, load average (1/5/15 min) $load_start at the start, $load_end at the end;" \
  "all files in the page cache; $(uname -r)."
echo
echo "| tool | case | wall s | tool-reported s | client CPU s | server CPU s | chunks sent | changed / literal MiB | wire sent MiB | wire received MiB | wire total MiB | identical (cmp) | exit |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
while IFS=$'\t' read -r tool name wall ts ccpu scpu chunks changed sent recv same rc; do
  total="-"
  [[ "$sent" =~ ^[0-9]+$ && "$recv" =~ ^[0-9]+$ ]] && total=$((sent + recv))
  echo "| $tool | $name | $wall | $ts | $ccpu | $scpu | $chunks | $(mib "$changed") | $(mib "$sent") | $(mib "$recv") | $(mib "$total") | $same | $rc |"
done <"$results"
echo
# Ratios deltasync / rsync: at the defaults, and at equal block sizes.
ratio() { # DELTASYNC_CASE RSYNC_CASE LABEL
  local d r
  d="$(awk -F'\t' -v c="$1" '$1 == "deltasync" && $2 == c' "$results")"
  r="$(awk -F'\t' -v c="$2" '$1 == "rsync" && index($2, c) == 1' "$results" | head -n1)"
  [[ -n "$d" && -n "$r" ]] || return 0
  awk -F'\t' -v ds="$d" -v rs="$r" -v label="$3" 'BEGIN {
    split(ds, d, "\t"); split(rs, r, "\t");
    dw = d[9] + d[10]; rw = r[9] + r[10];
    if (rw > 0 && r[3] > 0)
      printf "- deltasync / rsync, %s: wire bytes %.2fx, wall time %.2fx\n", label, dw / rw, d[3] / r[3];
  }'
}
ratio "auto zstd:1 (default)" "default block (" "defaults (auto chunks vs rsync's default block)"
ratio "64KiB zstd:1" "-B 65536" "64 KiB both"
ratio "4KiB zstd:1" "-B 4096" "4 KiB both"
ratio "auto zstd:1 (default), again, no changes" "default block, again" "no changes, defaults"
echo
if [[ -n "$rsync_note" ]]; then
  echo "$rsync_note"
else
  echo "rsync: $(rsync --version | head -n1 | tr -s ' '), options: --inplace --no-whole-file --ignore-times --stats," \
    "to an rsync daemon on 127.0.0.1."
fi
exit 0
