#!/usr/bin/env bash
# Chunk size for big regions: wire bytes for N scattered 4 KiB writes, whole chunks (BASE_DS) vs refinement.
#
# For each SIZE and CHUNK: a sparse SIZE file with PIECES pieces of PIECE random bytes spread evenly (the rest
# holes) is served (`serve --insecure`); a new replica is pulled once (`pull --once`); then WRITES random 4 KiB
# pages inside the data are rewritten in the source (each in another piece, so another chunk), and a second
# `pull --once --json --chunk-size CHUNK` brings the replica up to date. Its wire bytes received and chunk payload
# are what the writes cost (the replica's upload: its DIGESTS table and PAGE_DIGESTS); the replica is compared
# byte for byte where either file has data. With BASE_DS (a build from before refinement, e.g.
# of main at 0215a60) the same case runs with that launcher too, on a fresh copy of the same data and writes.
# Prints a markdown table: bytes received per byte written, for each launcher.
#
# Usage: bench/big-region.sh [-h]       (settings via environment, defaults in brackets)
#   SIZES="16GiB 64GiB"  CHUNKS="16KiB 64KiB 1MiB"  WRITES=1000  PIECES=1024  PIECE=256KiB  SEED=7
#   (pieces smaller than a chunk leave zeros in it, which zstd shrinks: whole chunks then cost less than a chunk)
#   BASE_DS=        path to another tree's bin/deltasync, measured as "whole chunks"
#   DATA_DIR=bench-data/big-region (git-ignored; removed at the end unless KEEP_DATA=1)
#
# Needs: a built tree (./mvnw -B -q package -DskipTests), python3, jq, ss; SIZE of sparse file room, PIECES x
# PIECE of disk for each of source and replica.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 0
fi
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
SIZES="${SIZES:-16GiB 64GiB}"
CHUNKS="${CHUNKS:-16KiB 64KiB 1MiB}"
WRITES="${WRITES:-1000}"
PIECES="${PIECES:-1024}"
PIECE="${PIECE:-256KiB}"
SEED="${SEED:-7}"
DATA_DIR="${DATA_DIR:-$root/bench-data/big-region}"
KEEP_DATA="${KEEP_DATA:-0}"
DS="$root/bin/deltasync"
BASE_DS="${BASE_DS:-}"

log() { printf '[big-region %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for tool in python3 jq ss; do command -v "$tool" >/dev/null || die "$tool is required"; done
"$DS" --help >/dev/null 2>&1 || die "bin/deltasync does not run; build first"
[[ -z "$BASE_DS" ]] || "$BASE_DS" --help >/dev/null 2>&1 || die "BASE_DS=$BASE_DS does not run"
tools=(this); [[ -z "$BASE_DS" ]] || tools=(base this)

pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ "$KEEP_DATA" == 1 ]] || { rm -f "$DATA_DIR"/*; rmdir "$DATA_DIR" 2>/dev/null || true; }
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$DATA_DIR"

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
    kill -0 "$2" 2>/dev/null || die "server exited before listening: $(tail -3 "$DATA_DIR/serve.log")"
    ((SECONDS < deadline)) || die "no listener"
    sleep 0.1
  done
}
bytes_of() { python3 -c 'import sys; n=sys.argv[1]; u={"KiB":1<<10,"MiB":1<<20,"GiB":1<<30,"TiB":1<<40}
print(int(n[:-3]) * u[n[-3:]] if n[-3:] in u else int(n))' "$1"; }

# make_source FILE SIZE: sparse, PIECES pieces of PIECE random bytes evenly spread
make_source() {
  python3 - "$1" "$2" "$PIECES" "$SEED" "$(bytes_of "$PIECE")" <<'PY'
import random, sys
path, size, pieces, seed, piece = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rng = random.Random(seed)
with open(path, "wb") as f:
    f.truncate(size)
    for i in range(pieces):
        f.seek(i * (size // pieces) // 4096 * 4096)
        f.write(rng.randbytes(piece))
PY
}
# write_pages FILE SIZE: WRITES random pages, page i inside piece i % PIECES
write_pages() {
  python3 - "$1" "$2" "$PIECES" "$WRITES" "$SEED" "$(bytes_of "$PIECE")" <<'PY'
import random, sys
path, size, pieces, writes, seed, piece = (int(a) if i else a for i, a in enumerate(sys.argv[1:]))
rng = random.Random(seed + 1)
with open(path, "r+b") as f:
    for i in range(writes):
        f.seek((i % pieces) * (size // pieces) // 4096 * 4096 + rng.randrange(piece // 4096) * 4096)
        f.write(rng.randbytes(4096))
PY
}

# same_bytes A B: equal bytes, reading only where either file has data (lseek SEEK_DATA/SEEK_HOLE): cmp would
# read every hole of a 1 TiB region
same_bytes() {
  python3 - "$1" "$2" <<'PY'
import os, sys
def extents(fd, size):
    out, at = [], 0
    while at < size:
        try:
            start = os.lseek(fd, at, os.SEEK_DATA)
        except OSError:
            break
        end = os.lseek(fd, start, os.SEEK_HOLE)
        out.append((start, end)); at = end
    return out
a, b = (os.open(p, os.O_RDONLY) for p in sys.argv[1:3])
size = os.fstat(a).st_size
if size != os.fstat(b).st_size:
    sys.exit(1)
for start, end in sorted(extents(a, size) + extents(b, size)):
    for at in range(start, end, 1 << 20):
        n = min(1 << 20, end - at)
        if os.pread(a, n, at) != os.pread(b, n, at):
            sys.exit(1)
PY
}

results="$DATA_DIR/results.tsv"
: >"$results"
for size in $SIZES; do
  size_bytes="$(bytes_of "$size")"
  for chunk in $CHUNKS; do
    for tool in "${tools[@]}"; do
      launcher="$DS"; [[ "$tool" == base ]] && launcher="$BASE_DS"
      source="$DATA_DIR/source.bin"; replica="$DATA_DIR/replica.bin"
      rm -f "$source" "$replica" "$replica.deltasync-state"
      make_source "$source" "$size_bytes"
      port="$(free_port)"
      "$launcher" serve --listen "127.0.0.1:$port" --region "r=$source:ro" --insecure 2>"$DATA_DIR/serve.log" &
      serve_pid=$!; pids+=("$serve_pid")
      wait_listening "$port" "$serve_pid"
      "$launcher" pull "127.0.0.1:$port/r" "$replica" --once --insecure --chunk-size "$chunk" >/dev/null 2>&1 \
        || die "$tool $size $chunk: first pull failed"
      write_pages "$source" "$size_bytes"
      line="$("$launcher" pull "127.0.0.1:$port/r" "$replica" --once --insecure --chunk-size "$chunk" --json 2>/dev/null \
        | jq -c 'select(.type == "region_done")')"
      kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
      same_bytes "$source" "$replica" || die "$tool $size $chunk: replica differs"
      [[ "$(jq -r .verified <<<"$line")" == true ]] || die "$tool $size $chunk: not verified: $line"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$chunk" "$tool" "$(jq -r .wire_bytes_received <<<"$line")" \
        "$(jq -r .wire_bytes_sent <<<"$line")" "$(jq -r .chunk_payload_bytes <<<"$line")" "$(jq -r .seconds <<<"$line")" \
        >>"$results"
      log "$size $chunk $tool: $(jq -r .wire_bytes_received <<<"$line") bytes received"
    done
  done
done

written=$((WRITES * 4096))
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores; $WRITES writes of 4 KiB" \
  "($written bytes) in $PIECES pieces of $PIECE of data${BASE_DS:+; whole chunks = $BASE_DS}"
echo
echo "| region | chunk | launcher | replica received | x bytes written | replica sent | chunk payload | pull s |"
echo "|---|---|---|---:|---:|---:|---:|---:|"
while IFS=$'\t' read -r size chunk tool received sent payload seconds; do
  name="refinement"; [[ "$tool" == base ]] && name="whole chunks"
  printf '| %s | %s | %s | %s | %.2f | %s | %s | %.2f |\n' "$size" "$chunk" "$name" "$received" \
    "$(python3 -c "print($received / $written)")" "$sent" "$payload" "$seconds"
done <"$results"
