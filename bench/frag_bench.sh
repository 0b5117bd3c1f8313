#!/usr/bin/env bash
# bench/frag_bench.sh -- how long `heapql frag` takes on a recording with
# LIVE blocks live at the moment analysed (default 1,000,000; the issue's
# bound: map and metrics under 2 s).
#   usage: bench/frag_bench.sh [LIVE] [REPEATS=3]
# The recording is made with sqlite3 from schema/v1.sql: 2 x LIVE blocks
# allocated over 4 s in the brk heap (1% in four 64 MiB-aligned arena heaps,
# a few 1 MiB mmap chunks), half of them freed before the peak at 5 s, so
# LIVE are live there, laid out with holes (and 2 x LIVE at 4.2 s); 100 call sites; samples every
# 10 ms.  Prints the median wall and CPU (user + system) time of each
# variant (CPU time is the steadier on a busy machine) and the peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
LIVE=${1:-1000000}
REPEATS=${2:-3}
HEAPQL=${HEAPQL:-build/bin/heapql}
WORK=$(mktemp -d /tmp/heapql-frag-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
DB=$WORK/frag.db
command -v sqlite3 >/dev/null || { echo "frag_bench: sqlite3 is not installed" >&2; exit 1; }
[ -x "$HEAPQL" ] || { echo "frag_bench: $HEAPQL not built (scripts/build.sh)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "frag_bench: /usr/bin/time is not installed (package time)" >&2; exit 1; }

now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

make_db() {
    local n=$((LIVE * 2))
    {
        cat schema/v1.sql
        cat <<SQL
PRAGMA user_version = 1;
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
BEGIN;
INSERT INTO meta VALUES ('status', 'complete'), ('symbolized', '1');
INSERT INTO processes (id, pid, exe, start_ns, end_ns, peak_ns)
    VALUES (1, 1, '/bench/frag', 0, 6000000000, 5000000000);
INSERT INTO modules (id, pid, path, start, end, file_offset, load_bias, is_main)
    VALUES (1, 1, '/bench/frag', 93824992231424, 93824992251904, 0, 93824992231424, 1);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 100)
INSERT INTO frames (id, module_id, rel_pc, function, file, line)
    SELECT i, 1, 4096 + i * 16, 'site_' || i, 'bench.c', i FROM s;
INSERT INTO callsites (id, parent_id, frame_id, depth) SELECT id, NULL, id, 0 FROM frames;
-- block i: brk heap at a 256-byte stride, every 100th in an arena heap,
-- every 200000th a 1 MiB mmap chunk; odd blocks freed at 4.5 s + i ns.
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < $n - 1),
b(i, size) AS (SELECT i, 16 + (i * 7919) % 200 FROM s)
INSERT INTO allocations (id, pid, tid, kind, ptr, size, usable_size, callsite_id, alloc_ns, free_ns)
SELECT i + 1, 1, 1, 0,
    CASE WHEN i % 200000 = 4 THEN 140736951484432 - (i / 200000) * 2097152
         WHEN i % 100 = 8 THEN 139637976727552 + (i / 100 % 4) * 67108864 + 2240 + (i / 400) * 256
         ELSE 93824994328576 + 16 + i * 256 END,
    CASE WHEN i % 200000 = 4 THEN 1048576 ELSE size END,
    CASE WHEN i % 200000 = 4 THEN 1052656 ELSE max(24, ((size + 8 + 15) / 16) * 16 - 8) END,
    1 + (i * 31) % 100, 1000 + i * (4000000000 / $n),
    CASE WHEN i % 2 = 1 THEN 4500000000 + i ELSE NULL END
FROM b;
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 600)
INSERT INTO samples (pid, ns, rss_bytes, heap_bytes, heap_blocks)
    SELECT 1, i * 10000000, 600000000 + i * 100000, 0, 0 FROM s;
COMMIT;
SQL
    } | sqlite3 "$DB" >/dev/null
}

# time_ms ARGS...: one timed run of heapql frag: "wall_ms cpu_ms".
time_ms() {
    local t0 t1 cpu
    t0=$(now_ns)
    cpu=$( { /usr/bin/time -f '%U %S' "$HEAPQL" frag "$DB" "$@" >/dev/null; } 2>&1 | tail -n 1)
    t1=$(now_ns)
    echo "$(( (t1 - t0) / 1000000 )) $(awk -v c="$cpu" 'BEGIN { split(c, a, " "); printf "%d", (a[1] + a[2]) * 1000 }')"
}

run() {
    local what=$1; shift
    local runs wall cpu
    runs=$(for _ in $(seq 1 "$REPEATS"); do time_ms "$@"; done)
    wall=$(printf '%s\n' "$runs" | cut -d' ' -f1 | median)
    cpu=$(printf '%s\n' "$runs" | cut -d' ' -f2 | median)
    printf '%-44s %6s ms wall %6s ms cpu\n' "$what" "$wall" "$cpu"
}

t0=$(now_ns)
make_db
echo "recording: $((LIVE * 2)) blocks, $(sqlite3 "$DB" "SELECT count(*) FROM allocations WHERE alloc_ns <= 5000000000 AND (free_ns IS NULL OR free_ns > 5000000000)") live at the peak, $(du -h "$DB" | cut -f1) (made in $(( ($(now_ns) - t0) / 1000000 )) ms)"
run "frag --at peak --points 0 (map and metrics)" --at peak --points 0
run "frag --at peak (with the 100-point series)" --at peak
run "frag --at peak --format json" --at peak --format json
run "frag --at 4.2 (all $((LIVE * 2)) blocks live)" --at 4.2
if [ -x build/bench/maxrss ]; then
    echo "peak RSS of frag --at peak: $(build/bench/maxrss "$HEAPQL" frag "$DB" 2>&1 >/dev/null | tail -n 1) KiB"
fi
