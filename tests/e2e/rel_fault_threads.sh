# Fault matrix, SIGKILL during heavy multi-threaded allocation (40 threads):
# every allocation a thread can prove it made before the kill is in the
# database; records that were half written when the kill came are counted
# as lost (at most one per thread) and make the status 'truncated'.
. "$(dirname "$0")/lib.sh"
. "$HQ_SRC/tests/fuzz/rel_lib.sh"
THREADS=40
K=2000

record mt.db "$HQ_PROGS/rel_mtkill" "$THREADS" "$K" "$T/counts"
check_eq 137 "$RC" "killed by SIGKILL"
check_valid mt.db "after the kill"
check_truthful mt.db "after the kill"
lost=$(q mt.db 'SELECT lost_events FROM processes')
check_true "at most one lost record per thread ($lost)" test "$lost" -le "$THREADS"
[ "$lost" -gt 0 ] && check_eq truncated "$(meta mt.db status)" "lost records make it truncated"
check_eq "$THREADS|$((THREADS * K))|$K|$K" "$(q mt.db "SELECT count(DISTINCT tid), count(*), min(n), max(n)
    FROM (SELECT tid, count(*) OVER (PARTITION BY tid) n FROM allocations WHERE size = 200)")" \
    "every thread's first phase, exactly"

# Each thread's published count n: n records sealed before the kill (and
# at most one more that was sealed but not yet counted).
"$HQ_PROGS/rel_mtkill" --dump "$THREADS" "$T/counts" >counts.txt
check_eq "$THREADS" "$(awk '$2 >= 1000' counts.txt | wc -l)" "every thread was busy at the kill"
sql="CREATE TEMP TABLE proven(tid INTEGER, n INTEGER);"
while read -r tid n; do sql="$sql INSERT INTO proven VALUES ($tid, $n);"; done <counts.txt
bad=$(q mt.db "$sql SELECT p.tid || ': proven ' || p.n || ', recorded ' || coalesce(a.k, 0)
    FROM proven p LEFT JOIN (SELECT tid, count(*) k FROM allocations WHERE size = 208 GROUP BY tid) a
    ON a.tid = p.tid WHERE coalesce(a.k, 0) < p.n OR coalesce(a.k, 0) > p.n + 1")
check_eq "" "$bad" "every proven allocation recorded, per thread"
no_crash_in "$T/err" "run"
finish
