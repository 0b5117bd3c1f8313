#!/usr/bin/env bash
# bench/tui_bench.sh -- how fast `heapql tui` answers on a large recording.
#   usage: bench/tui_bench.sh [ALLOCATIONS=10000000] [REPEATS=3]
# Generates (or reuses) the synthetic recording of bench/gen_db.c that
# report_bench.sh uses ($BENCH_DIR, default /tmp/heapql-report-bench), then
# REPEATS times: starts `heapql tui DB` in a private tmux server at 160x50,
# measures from outside the time until the first screen shows the summary
# figures (polling capture-pane every 5 ms), plays a fixed sequence of keys
# through every view, and reads the in-process timings the TUI logs with
# HEAPQL_TUI_TIMING (from the key read to the end of the paint; the
# background jobs and their durations).  Prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
REPEATS=${2:-3}
BUILD=${BUILD:-build}
HEAPQL=$(realpath "$BUILD/bin/heapql")
DIR=${BENCH_DIR:-/tmp/heapql-report-bench}
SOCK=heapql-tui-bench-$$
mkdir -p "$DIR"
[ -x "$HEAPQL" ] || { echo "bench: build heapql first ($HEAPQL)" >&2; exit 1; }
command -v tmux >/dev/null || { echo "bench: tmux is needed" >&2; exit 1; }
cc -O2 -o "$DIR/gen_db" bench/gen_db.c -lsqlite3 -lm
DB=$DIR/gen_$N.db
[ -s "$DB" ] || "$DIR/gen_db" "$DB" "$N" schema/v1.sql
T() { tmux -L "$SOCK" "$@"; }
trap 'T kill-server 2>/dev/null || true' EXIT
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# wait_for REGEX TIMEOUT_MS: poll the pane; prints the ms it took, or fails
wait_for() {
    local start=$(now_ms) t
    while :; do
        if T capture-pane -p 2>/dev/null | grep -Eq -- "$1"; then
            echo $(( $(now_ms) - start )); return 0
        fi
        t=$(( $(now_ms) - start ))
        [ "$t" -lt "$2" ] || return 1
        sleep 0.005
    done
}

# The keys: every view, moves, sorts, a filter typed and cleared, the tree
# opened and closed wholly, the time cursor over the fragmentation map.
KEYS=(2 j j j k s s r r / r e a d BSpace BSpace BSpace BSpace Escape Enter Escape
      3 j j Right Enter + j j - b j Left b 4 n n p i i 5 j j k a a 6 Right Left 7 s r
      1 Right Right Left p Tab Tab BTab)

first=() snap=() lat=()
for r in $(seq "$REPEATS"); do
    log=$DIR/tui_timing.$r.log
    rm -f "$log"
    t0=$(now_ms)
    T new-session -d -x 160 -y 50 \
        "env TERM=xterm-256color LANG=C.UTF-8 HEAPQL_TUI_TIMING=$log $HEAPQL tui $DB"
    wait_for 'peak heap +[0-9]' 10000 >/dev/null || { echo "bench: no first screen" >&2; exit 1; }
    first+=($(( $(now_ms) - t0 )))
    for _ in $(seq 200); do grep -q '^[0-9.]* job 1 rc 0' "$log" 2>/dev/null && break; sleep 0.05; done
    for k in "${KEYS[@]}"; do T send-keys "$k"; sleep 0.12; done
    sleep 1
    T send-keys q
    sleep 0.3
    T kill-server 2>/dev/null || true
    snap+=($(awk '$2 == "job" && $3 == 1 && $5 == 0 {print $1; exit}' "$log"))
    lat+=($(awk '$2 == "key" {print $6}' "$log"))
done

stats() { sort -n | awk '{a[NR]=$1} END {printf "%.1f | %.1f | %.1f | %d", a[int((NR+1)/2)], a[int(NR*0.95+0.5) < 1 ? 1 : int(NR*0.95+0.5)], a[NR], NR}'; }
echo "| measure | median ms | p95 ms | max ms | samples |"
echo "|---|---:|---:|---:|---:|"
echo "| first screen with figures (exec to pane, via tmux) | $(printf '%s\n' "${first[@]}" | stats) |"
echo "| call-site snapshot ready (worker, after start) | $(printf '%s\n' "${snap[@]}" | stats) |"
echo "| key to painted screen (in-process) | $(printf '%s\n' "${lat[@]}" | stats) |"
echo
echo "background jobs of the last run (kind: 0 summary, 1 snapshot, 2 source, 3 allocations, 4 kinds, 5 map):"
awk '$2 == "job" {printf "  job %s: %s ms\n", $3, $6}' "$DIR/tui_timing.$REPEATS.log"
