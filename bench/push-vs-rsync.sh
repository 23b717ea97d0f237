#!/usr/bin/env bash
# End-to-end push benchmark: `deltasync push --once` against rsync to an rsync daemon, side by side in one run,
# on loopback and over shaped links between two network namespaces.
#
# A file of SIZE random bytes (seed SEED) is the replica's starting content; the source is a copy with FRACTION
# of its PAGE-sized pages rewritten (seed SEED+1). Both are written back once after they are made (sync FILE: files
# at rest, as a user's files are between pushes; freshly written pages stay dirty for up to 30 s, and a source
# with dirty pages trusts no scan of its own, PROTOCOL.md §9.7). For every link and every round, each tool in turn
# (alternating, so that the machine's load hits them alike) updates a fresh copy of the starting content from the
# source ("1 % changed", checked with cmp afterwards), then runs once more with nothing changed ("unchanged"). For
# deltasync, "changed" is what a user's next push sees: the replica was pushed the starting content before
# (untimed, and given time to trust its table), and the source file was written since its last scan (touched: its
# times moved, so it must hash it). The table gives medians over the rounds (and the range), client and server CPU
# seconds and the bytes on the wire.
#
# Usage: bench/push-vs-rsync.sh [-h]          (settings via environment, defaults in brackets)
#   SIZE=1GiB  FRACTION=0.01  PAGE=4KiB  SEED=42  ROUNDS=3
#   LINKS="loopback 1gbit 100mbit"   loopback is 127.0.0.1; a rate is a veth pair between two network
#                  namespaces with a tbf qdisc of that rate on both ends (needs root: ip netns, tc)
#   TOOLS="ds rsync"   ds: this tree's bin/deltasync, plaintext (--insecure) and TLS (pinned identities);
#                  ds-c2: the same with C2 on (-XX:TieredStopAtLevel=4: the launcher runs --once on C1 alone);
#                  base: BASE_DS's deltasync, plaintext and TLS (e.g. another build, for before/after);
#                  rsync: rsync to an rsync daemon (plaintext: rsync has no TLS of its own)
#   BASE_DS=       path to another tree's bin/deltasync, for the "base" tool
#   DATA_DIR=bench-data/push-vs-rsync   (git-ignored; removed at the end unless KEEP_DATA=1)
#   KEEP_DATA=0    1 keeps the data and reuses it on the next run with the same settings
#   RUN_TIMEOUT=600  seconds allowed per run; SERVER_WAIT=60 seconds for a server to listen
#   SETTLE=0       seconds to wait (untimed, every tool alike) before each run: the replica at rest, as between a
#                  user's pushes, so that a serve replica has passed over its file (PROTOCOL.md §9.7), and the
#                  source's change time is no longer racy (>= 4 s: else no scan of the touched source is trusted
#                  and the unchanged push hashes it again); 0: back to back
#
# Needs: a built tree (./mvnw -B -q package -DskipTests), jq, ss, cmp, rsync; root for the shaped links.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,31p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 0
fi

export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java_bin="$JAVA_HOME/bin/java"
SIZE="${SIZE:-1GiB}"
FRACTION="${FRACTION:-0.01}"
PAGE="${PAGE:-4KiB}"
SEED="${SEED:-42}"
ROUNDS="${ROUNDS:-3}"
LINKS="${LINKS:-loopback 1gbit 100mbit}"
TOOLS="${TOOLS:-ds rsync}"
BASE_DS="${BASE_DS:-}"
DATA_DIR="${DATA_DIR:-$root/bench-data/push-vs-rsync}"
KEEP_DATA="${KEEP_DATA:-0}"
RUN_TIMEOUT="${RUN_TIMEOUT:-600}"
SERVER_WAIT="${SERVER_WAIT:-60}"
SETTLE="${SETTLE:-0}"
REGION=bench
DS="$root/bin/deltasync"
BENCH_JAR="$root/bench/target/benchmarks.jar"
NS_CLIENT="dsbench-client-$$"
NS_SERVER="dsbench-server-$$"
CLIENT_IP=10.231.0.1
SERVER_IP=10.231.0.2

log() { printf '[push-vs-rsync %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for tool in jq ss cmp timeout rsync /usr/bin/time; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
[[ -x "$java_bin" ]] || die "no java at $java_bin (set JAVA_HOME)"
[[ -f "$BENCH_JAR" ]] || die "bench/target/benchmarks.jar missing; build first: ./mvnw -B -q package -DskipTests"
"$DS" --help >/dev/null 2>&1 || die "bin/deltasync does not run; build first: ./mvnw -B -q package -DskipTests"
if [[ " $TOOLS " == *" base "* ]]; then
  [[ -n "$BASE_DS" ]] && "$BASE_DS" --help >/dev/null 2>&1 || die "TOOLS has base: set BASE_DS to a built bin/deltasync"
fi
if [[ "$LINKS" != loopback ]]; then
  [[ "$(id -u)" == 0 ]] || die "shaped links need root (ip netns, tc); run with LINKS=loopback otherwise"
fi

# ---------------------------------------------------------------- cleanup of everything we start
pids=()
work=""
stop_servers() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
cleanup() {
  stop_servers
  ip netns del "$NS_CLIENT" 2>/dev/null || true
  ip netns del "$NS_SERVER" 2>/dev/null || true
  [[ -n "$work" ]] && rm -rf "$work"
  if [[ "$KEEP_DATA" != 1 ]]; then
    rm -f "$DATA_DIR"/{base.bin,source.bin,stamp,mutation.json} "$DATA_DIR"/replica-*.bin*
    rmdir "$DATA_DIR" 2>/dev/null || true
  else
    rm -f "$DATA_DIR"/replica-*.bin*
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$DATA_DIR"
work="$(mktemp -d "${TMPDIR:-/tmp}/push-vs-rsync.XXXXXX")"
base="$DATA_DIR/base.bin"        # the replicas' starting content
source="$DATA_DIR/source.bin"    # base with FRACTION of its pages rewritten

# free_port: sets $port to a port nobody listens on in the server's namespace (not in a subshell: $RANDOM
# would repeat there).
free_port() {
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    [[ -z "$(in_ns server ss -Hltn "sport = :$port")" ]] && return
  done
  die "no free port found"
}

# in_ns SIDE COMMAND...: runs COMMAND in the client's or the server's namespace (as is on loopback).
in_ns() {
  local side="$1"
  shift
  if [[ "$link" == loopback ]]; then
    "$@"
  elif [[ "$side" == client ]]; then
    ip netns exec "$NS_CLIENT" "$@"
  else
    ip netns exec "$NS_SERVER" "$@"
  fi
}

wait_listening() { # PORT PID NAME LOG
  local deadline=$((SECONDS + SERVER_WAIT))
  until [[ -n "$(in_ns server ss -Hltn "sport = :$1")" ]]; do
    kill -0 "$2" 2>/dev/null || die "$3 exited before listening on port $1 (log: $(tail -c 2000 "$4"))"
    ((SECONDS < deadline)) || die "$3 not listening on port $1 after ${SERVER_WAIT}s"
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

# ---------------------------------------------------------------- links
# set_up_link LINK: the two namespaces joined by a veth pair, tbf at LINK's rate on both ends; sets $host.
set_up_link() {
  link="$1"
  ip netns del "$NS_CLIENT" 2>/dev/null || true
  ip netns del "$NS_SERVER" 2>/dev/null || true
  server_ns=()
  if [[ "$link" == loopback ]]; then
    host=127.0.0.1
    return
  fi
  server_ns=(ip netns exec "$NS_SERVER")
  local burst
  case "$link" in
    *gbit) burst=1mb ;;
    *) burst=128kb ;;
  esac
  ip netns add "$NS_CLIENT"
  ip netns add "$NS_SERVER"
  ip link add dsb-c$$ type veth peer name dsb-s$$
  ip link set dsb-c$$ netns "$NS_CLIENT"
  ip link set dsb-s$$ netns "$NS_SERVER"
  ip -n "$NS_CLIENT" addr add "$CLIENT_IP/24" dev dsb-c$$
  ip -n "$NS_SERVER" addr add "$SERVER_IP/24" dev dsb-s$$
  for ns_dev in "$NS_CLIENT dsb-c$$" "$NS_SERVER dsb-s$$"; do
    set -- $ns_dev
    ip -n "$1" link set lo up
    ip -n "$1" link set "$2" up
    tc -n "$1" qdisc add dev "$2" root tbf rate "$link" burst "$burst" latency 50ms
  done
  host="$SERVER_IP"
}

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
sync "$base" "$source" # at rest: no page waiting for writeback (a no-op for data already written back)
mutation="$(cat "$DATA_DIR/mutation.json")"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
log "mutation: $mutation"

# identities for the TLS runs, pinned both ways
"$DS" keygen "$work/id-server" >/dev/null 2>&1
"$DS" keygen "$work/id-client" >/dev/null 2>&1
fp() { "$DS" keygen --show "$1" 2>&1 | grep -o 'SHA256:[0-9a-f]\{64\}' | head -n1; }
server_fp="$(fp "$work/id-server")"
client_fp="$(fp "$work/id-client")"
[[ -n "$server_fp" && -n "$client_fp" ]] || die "deltasync keygen gave no fingerprints"

# The combinations measured, "TOOL TRANSPORT": each has its own replica file and server.
combos=()
for tool in $TOOLS; do
  case "$tool" in
    ds | ds-c2 | base) combos+=("$tool plain" "$tool tls") ;;
    rsync) combos+=("rsync plain") ;;
    *) die "unknown tool in TOOLS: $tool" ;;
  esac
done
launcher() { [[ "$1" == base ]] && echo "$BASE_DS" || echo "$DS"; }
label() {
  case "$1" in
    ds) echo "deltasync" ;;
    ds-c2) echo "deltasync, C2 on" ;;
    base) echo "deltasync (base build)" ;;
    rsync) echo "rsync daemon" ;;
  esac
}

# One result row per run, tab-separated: link transport case tool wall client_cpu server_cpu wire_bytes identical
results="$work/results.tsv"
: >"$results"
row() { local IFS=$'\t'; echo "$*" >>"$results"; }

declare -A server_pid server_port
# start_server TOOL TRANSPORT: the combination's server on this link, serving its replica.
start_server() {
  local tool="$1" transport="$2" key="$1 $2" port spid slog replica
  replica="$DATA_DIR/replica-$tool-$transport.bin"
  cp "$base" "$replica"
  free_port
  slog="$work/serve-$tool-$transport-$link.log"
  if [[ "$tool" == rsync ]]; then
    local conf="$work/rsyncd-$link.conf"
    cat >"$conf" <<EOF
pid file = $work/rsyncd-$link.pid
log file = $work/rsyncd-$link.log
use chroot = no
uid = $(id -u)
gid = $(id -g)
[$REGION]
    path = $DATA_DIR
    read only = no
    list = no
EOF
    "${server_ns[@]}" rsync --daemon --no-detach --address "$host" --port "$port" --config "$conf" 2>"$slog" &
  else
    local security=(--insecure)
    [[ "$transport" == tls ]] && security=(--identity "$work/id-server" --peer-fingerprint "$client_fp")
    "${server_ns[@]}" "$(launcher "$tool")" serve --listen "$host:$port" --region "$REGION=$replica:rw" \
      "${security[@]}" >/dev/null 2>"$slog" &
  fi
  spid=$! # not through in_ns: a function in the background is a subshell, and $! would be that, not the server
  pids+=("$spid")
  wait_listening "$port" "$spid" "$tool server" "$slog"
  server_pid[$key]=$spid
  server_port[$key]=$port
}

# client TOOL TRANSPORT OUT ERR [FILE]: one push (or rsync) of FILE (the source) from the client's side of the link.
client() {
  local tool="$1" transport="$2" out="$3" err="$4" key="$1 $2" file="${5:-$source}"
  local port="${server_port[$key]}"
  if [[ "$tool" == rsync ]]; then
    in_ns client /usr/bin/time -f '%U %S' -o "$out.time" timeout "$RUN_TIMEOUT" \
      rsync --inplace --no-whole-file --ignore-times --stats --no-human-readable \
      "$source" "rsync://$host:$port/$REGION/replica-rsync-plain.bin" >"$out" 2>"$err"
  else
    local security=(--insecure) opts=()
    [[ "$transport" == tls ]] && security=(--identity "$work/id-client" --peer-fingerprint "$server_fp")
    opts=(env "DELTASYNC_STATE=$work/state-$tool-$transport")
    [[ "$tool" == ds-c2 ]] && opts+=("DELTASYNC_JAVA_OPTS=-XX:TieredStopAtLevel=4")
    in_ns client /usr/bin/time -f '%U %S' -o "$out.time" timeout "$RUN_TIMEOUT" "${opts[@]}" \
      "$(launcher "$tool")" push "$file" "$host:$port/$REGION" --once --json "${security[@]}" >"$out" 2>"$err"
  fi
}

# measure TOOL TRANSPORT CASE: one timed run, appends a row.
measure() {
  local tool="$1" transport="$2" case="$3" key="$1 $2"
  local spid="${server_pid[$key]}" out="$work/run.out" err="$work/run.err" rc=0 cpu0 cpu1 t0 t1 wire same
  cpu0="$(cpu_seconds "$spid")" # before the wait: a serve replica's background pass counts to the next run
  sleep "$SETTLE"
  t0="$(now)"
  client "$tool" "$transport" "$out" "$err" || rc=$?
  t1="$(now)"
  sleep 0.3 # let an rsync daemon reap its child so cutime/cstime include it
  cpu1="$(cpu_seconds "$spid")"
  if [[ "$tool" == rsync ]]; then
    wire="$(awk -F': ' '/^Total bytes (sent|received)/ { gsub(/,/, "", $2); s += $2 } END { print s + 0 }' "$out")"
  else
    wire="$(jq -R -r --arg r "$REGION" 'fromjson? | select(type == "object" and .region == $r)
      | (.wire_bytes_sent + .wire_bytes_received)' "$out" 2>/dev/null | tail -n1 || true)"
  fi
  same=yes
  if [[ "$case" == changed ]]; then
    cmp -s "$source" "$DATA_DIR/replica-$tool-$transport.bin" || same=NO
  fi
  [[ $rc -eq 0 && "$same" == yes ]] || log "$tool $transport $case on $link: exit $rc, identical $same;" \
    "stdout: $(tail -c 1000 "$out"); stderr: $(tail -c 1000 "$err")"
  local client_cpu
  client_cpu="$(awk 'NF == 2 { c = $1 + $2 } END { if (c != "") printf "%.2f", c }' "$out.time" 2>/dev/null)"
  row "$link" "$transport" "$case" "$tool" "$(elapsed "$t0" "$t1")" "${client_cpu:--}" \
    "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')" "${wire:--}" "$same"
  log "$link $tool $transport $case: $(tail -n1 "$results" | cut -f5-9 | tr '\t' ' ') (wall cpu server-cpu wire identical)"
}

# prime TOOL TRANSPORT: (untimed) the combination's replica, just reset to the starting content, is pushed that
# content, as by a user's last push, and given up to a minute to trust its table (a serve replica passes over its
# file once its change time settled, PROTOCOL.md §9.7); then the source is touched: written since its last scan.
prime() {
  local tool="$1" transport="$2" replica="$DATA_DIR/replica-$1-$2.bin" deadline
  : >"$work/prime.start" # the record, written at the push's end or by a pass after it, is newer than this
  client "$tool" "$transport" "$work/prime.out" "$work/prime.err" "$base" \
    || log "prime $tool $transport: $(tail -c 500 "$work/prime.err")"
  deadline=$((SECONDS + 60))
  until [[ "$replica.deltasync-trust" -nt "$work/prime.start" ]] || ((SECONDS >= deadline)); do
    sleep 0.2
  done
  [[ "$replica.deltasync-trust" -nt "$work/prime.start" ]] || log "prime $tool $transport: the replica trusts no table"
  touch "$source"
}

# Until a launcher's ahead-of-time caches exist (recorded by one run, assembled after the next), runs are not
# what a user sees from the second run on: warm each deltasync combination up first.
warm_up() {
  local combo tool transport
  for combo in "${combos[@]}"; do
    read -r tool transport <<<"$combo"
    [[ "$tool" == rsync ]] && continue
    client "$tool" "$transport" "$work/warm.out" "$work/warm.err" || log "warm-up $combo: $(tail -c 500 "$work/warm.err")"
    client "$tool" "$transport" "$work/warm.out" "$work/warm.err" || true
  done
  local deadline=$((SECONDS + 300))
  while compgen -G "$root/cli/target/aot-*.assembling" >/dev/null && ((SECONDS < deadline)); do
    sleep 1
  done
}

for link in $LINKS; do
  set_up_link "$link"
  log "link $link: servers for ${combos[*]}"
  for combo in "${combos[@]}"; do
    start_server $combo
  done
  warm_up
  for round in $(seq 1 "$ROUNDS"); do
    for combo in "${combos[@]}"; do
      read -r tool transport <<<"$combo"
      cp "$base" "$DATA_DIR/replica-$tool-$transport.bin"
      [[ "$tool" != rsync ]] && prime "$tool" "$transport"
      measure "$tool" "$transport" changed
      measure "$tool" "$transport" unchanged
    done
  done
  stop_servers
done

# ---------------------------------------------------------------- report
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "## Push vs rsync: $SIZE, $(jq -r .pages_rewritten <<<"$mutation") of $(jq -r .pages <<<"$mutation")" \
  "$(jq -r .page <<<"$mutation")-byte pages rewritten (seed $SEED), medians of $ROUNDS alternated rounds"
echo
echo "Runs $SETTLE s apart (SETTLE). Machine: $(nproc) cores, load average (1/5/15 min) $load_start at the start, $load_end at the end;" \
  "all files in the page cache; $(uname -r); $(rsync --version | head -n1 | tr -s ' ')."
echo
echo "| link | case | tool | transport | wall s | range | client CPU s | server CPU s | wire MiB | wall / rsync's |"
echo "|---|---|---|---|---:|---:|---:|---:|---:|---:|"
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
  else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column() { # LINK CASE TOOL TRANSPORT FIELD
  awk -F'\t' -v l="$1" -v c="$2" -v t="$3" -v tr="$4" -v f="$5" '$1 == l && $3 == c && $4 == t && $2 == tr { print $f }' "$results"
}
for link in $LINKS; do
  for case in changed unchanged; do
    rsync_wall="$(column "$link" "$case" rsync plain 5 | median)"
    for combo in "${combos[@]}"; do
      read -r tool transport <<<"$combo"
      wall="$(column "$link" "$case" "$tool" "$transport" 5 | median)"
      range="$(column "$link" "$case" "$tool" "$transport" 5 | sort -g | sed -n '1p;$p' | paste -sd-)"
      wire="$(column "$link" "$case" "$tool" "$transport" 8 | median)"
      ratio="$(awk -v a="$wall" -v b="$rsync_wall" 'BEGIN { if (b + 0 > 0 && a != "-") printf "%.2f", a / b; else print "-" }')"
      echo "| $link | $([[ $case == changed ]] && echo "$FRACTION changed" || echo unchanged) | $(label "$tool") |" \
        "$transport | $wall | $range | $(column "$link" "$case" "$tool" "$transport" 6 | median) |" \
        "$(column "$link" "$case" "$tool" "$transport" 7 | median) |" \
        "$(awk -v b="$wire" 'BEGIN { if (b == "-") print "-"; else printf "%.2f", b / 1048576 }') | $ratio |"
    done
  done
done
echo
if grep -q $'\tNO$' "$results"; then
  echo "**Some replicas were not identical to the source afterwards (cmp): see the log.**"
fi
echo "deltasync: \`push --once\` (a fresh client JVM each run) to a running \`serve\`; plaintext is \`--insecure\`, TLS" \
  "is TLS 1.3 with pinned certificates. rsync: \`--inplace --no-whole-file --ignore-times --stats\` to" \
  "\`rsync --daemon\` (unencrypted). Links other than loopback: a veth pair between two network namespaces with" \
  "\`tc qdisc ... tbf rate RATE\` on both ends."
exit 0
