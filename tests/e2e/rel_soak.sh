# Soak: a program allocating at full speed for HEAPQL_SOAK_SECONDS (CI: 20;
# the issue's full length: HEAPQL_SOAK_SECONDS=120, see docs/RELIABILITY.md)
# while a reader runs `heapql report` and `heapql sql` on the live database
# every second.  The readers always succeed and see the recording grow, the
# resident memory of the collector and of the program levels off, and no
# event is lost.
. "$(dirname "$0")/lib.sh"
. "$HQ_SRC/tests/fuzz/rel_lib.sh"
D=${HEAPQL_SOAK_SECONDS:-20}
# A sanitized heapql holds freed memory in quarantine; keep that small so
# the plateau is the collector's own.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"

"$HEAPQL_BIN" run -q -o s.db -- "$HQ_PROGS/rel_soak" "$D" "$T/pid" >out 2>err &
hq=$!
check_true "the program started" wait_until 60 test -s "$T/pid"
target=$(cat "$T/pid")
# memory, sampled twice a second apart from the readers, next to the bytes
# written to the database so far (the SQLite page cache grows with them, up
# to its 128 MiB)
db_kb() { stat -c %s s.db s.db-wal 2>/dev/null | awk '{ s += $1 } END { print int(s / 1024) }'; }
(while kill -0 "$hq" 2>/dev/null; do
    echo "$SECONDS $(rss_kb "$hq") $(rss_kb "$target") $(db_kb)"
    sleep 0.5
done) >samples &
sampler=$!
reads=0; bad_reads=0; last=0; regress=0
while kill -0 "$hq" 2>/dev/null; do
    t0=$SECONDS
    timeout 30 "$HEAPQL_BIN" report s.db >rep.out 2>rep.err; rc1=$?
    n=$(timeout 30 "$HEAPQL_BIN" sql --csv s.db "SELECT count(*) FROM allocations" 2>sql.err | tail -1); rc2=$?
    if kill -0 "$hq" 2>/dev/null; then # (the recording may have ended meanwhile)
        reads=$((reads + 1))
        if [ "$rc1" != 0 ] || [ "$rc2" != 0 ] || ! [ "$n" -ge 0 ] 2>/dev/null; then
            bad_reads=$((bad_reads + 1))
            echo "read failed: report $rc1, sql $rc2 ($n): $(cat rep.err sql.err | head -3)" >&2
        elif [ "$n" -lt "$last" ]; then
            regress=$((regress + 1))
        fi
        [ "${n:-0}" -ge 0 ] 2>/dev/null && last=$n
    fi
    no_crash_in rep.err "live report"; no_crash_in sql.err "live sql"
    while [ "$SECONDS" -eq "$t0" ] && kill -0 "$hq" 2>/dev/null; do sleep 0.1; done
done
wait "$hq"; rc=$?
wait "$sampler"

check_eq 0 "$rc" "exit status"
check_match "^soak [0-9]+$" "$(cat out)" "program output"
calls=$(awk '{ print $2 }' out)
check_true "live reads happened ($reads)" test "$reads" -ge 3
check_eq 0 "$bad_reads" "every live report and sql succeeded"
check_eq 0 "$regress" "the live row count never went back"
check_true "the readers saw the recording grow ($last rows)" test "$last" -gt 0
check_valid s.db "soak"
check_eq complete "$(meta s.db status)" "status"
check_eq "0|0" "$(meta s.db events_lost)|$(q s.db 'SELECT lost_events FROM processes')" "no event lost"
check_eq "$calls|0" "$(q s.db "SELECT count(*), sum(free_ns IS NULL) FROM allocations
    WHERE size BETWEEN 96 AND 344 AND (size - 96) % 8 = 0")" "every allocation recorded, all freed"

# Plateau: the peak of the last third is no more than 25% (+16 MiB) above
# the peak of the first half.  For the collector, what it holds beyond its
# page cache (which fills at the pace of the writes, slower on a loaded or
# sanitized build): RSS - min(128 MiB, bytes written).
plateau() { # COLUMN WHAT CACHE(0|1)
    awk -v col="$1" -v d="$D" -v what="$2" -v cache="$3" '
        $col != "" && NF == 4 { t[NR] = $1; v[NR] = $col - (cache ? ($4 < 131072 ? $4 : 131072) : 0); n = NR }
        END {
            t0 = t[1]; a = 0; b = 0
            for (i = 1; i <= n; i++) {
                if (t[i] - t0 <= d / 2 && v[i] > a) a = v[i]
                if (t[i] - t0 >= 2 * d / 3 && v[i] > b) b = v[i]
            }
            printf "%s: first half %d KiB, last third %d KiB\n", what, a, b > "/dev/stderr"
            exit !(a > 0 && b > 0 && b <= a * 1.25 + 16384)
        }' samples
}
check_true "the collector's memory (beyond its page cache) levels off" plateau 2 collector 1
check_true "the program's memory levels off" plateau 3 program 0
finish
