# Every C allocation kind once, with exactly known figures (tests/progs/rec_basic.c).
. "$(dirname "$0")/lib.sh"

record b.db "$HQ_PROGS/rec_basic"
check_eq 0 "$RC" "exit status"
check_eq "basic done" "$(cat "$T/out")" "program stdout untouched"
check_match "database: b.db" "$(cat "$T/err")" "summary names the database"
check_eq complete "$(q b.db "SELECT value FROM meta WHERE key='status'")" "status"
check_eq 1 "$(q b.db 'PRAGMA user_version')" "user_version"
check_eq 1 "$(q b.db "SELECT value FROM meta WHERE key='schema_version'")" "meta schema_version"
check_eq 0 "$(q b.db "SELECT value FROM meta WHERE key='events_lost'")" "events lost"
check_eq "1|0|exit" "$(q b.db 'SELECT count(*), max(exit_code), max(end_reason) FROM processes')" "one process, exit 0"

# kinds: malloc 0, calloc 1, realloc 2, reallocarray 3, posix_memalign 4,
# aligned_alloc 5, memalign 6, valloc 7, pvalloc 8
check_eq "0|11 1|1 2|3 3|1 4|1 5|1 6|1 7|1 8|1" \
    "$(qm b.db 'SELECT kind, count(*) FROM mine GROUP BY kind ORDER BY kind' | tr '\n' ' ' | sed 's/ $//')" \
    "allocations per kind"
check_eq "21|6885" "$(qm b.db 'SELECT count(*), sum(size) FROM mine')" "allocation count and bytes"
check_eq "21" "$(q b.db 'SELECT count(*) FROM allocations')" "nothing else recorded"
check_eq "5|500" "$(qm b.db 'SELECT count(*), sum(size) FROM mine WHERE free_ns IS NULL')" "leaks"
check_eq "5|500" "$(q b.db 'SELECT count(*), sum(size) FROM leaks')" "leaks view"
check_eq "2" "$(q b.db 'SELECT failed_allocs FROM processes')" "failed allocations"
check_eq "5500" "$(q b.db 'SELECT peak_heap_bytes FROM processes')" "peak heap"
check_eq "6|5500" "$(q b.db 'SELECT count(*), sum(size) FROM live_at_peak')" "blocks live at the peak"
check_eq "0" "$(q b.db 'SELECT count(*) FROM allocations WHERE usable_size < size')" "usable_size recorded"
check_eq "1" "$(q b.db 'SELECT count(*) FROM allocations a, processes p WHERE a.kind=0 AND a.size=5000 AND a.alloc_ns = p.peak_ns')" "peak time is the big block's"

# The 5000-byte block's innermost frame is a return address inside main().
read -r start size <<<"$(nm -S "$HQ_PROGS/rec_basic" | awk '$4=="main"{print $1, $2}')"
rel=$(qm b.db 'SELECT f.rel_pc FROM mine a JOIN callsites c ON c.id=a.callsite_id JOIN frames f ON f.id=c.frame_id WHERE a.size=5000')
check_true "leaf frame $rel inside main [0x$start, +0x$size)" \
    test "$rel" -gt "$((16#$start))" -a "$rel" -le "$((16#$start + 16#$size))"
# ... and its parent frame is in libc (__libc_start_call_main).
check_match "libc" "$(q b.db "SELECT m.path FROM allocations a JOIN callsites c ON c.id=a.callsite_id
    JOIN callsites p ON p.id=c.parent_id JOIN frames f ON f.id=p.frame_id JOIN modules m ON m.id=f.module_id
    WHERE a.size=5000")" "caller of main is in libc"
check_eq "1" "$(q b.db "SELECT count(*) FROM modules WHERE is_main=1 AND path LIKE '%/rec_basic' AND build_id IS NOT NULL")" "main module with build-id"

# --depth bounds the stacks
"$HEAPQL_BIN" run -q --depth 3 -o d3.db --force -- "$HQ_PROGS/rec_basic" >/dev/null 2>&1
check_eq "2" "$(q d3.db 'SELECT max(depth) FROM callsites')" "--depth 3 gives depths 0..2"

# the finished view has meta's constants written in, its triggers made again
check_eq "0|3" "$(q d3.db "SELECT (SELECT count(*) FROM sqlite_master WHERE name = 'allocations'
    AND sql LIKE '%FROM meta%'), (SELECT count(*) FROM sqlite_master WHERE type = 'trigger'
    AND tbl_name = 'allocations')")" "finished view: constants in, triggers kept"
# a full recording writes its rows without alloc_rows.weight (a byte each)
# and adds the column at the end: NULL in every row, 1.0 in the view
check_eq "7|weight" "$(q b.db "SELECT cid, name FROM pragma_table_info('alloc_rows') WHERE cid >= 7")" \
    "finished alloc_rows has weight, last"
check_eq "21|0|21.0" "$(q b.db 'SELECT count(*), (SELECT count(weight) FROM alloc_rows), sum(weight)
    FROM allocations')" "weight: NULL stored, 1 read"
# alloc_rows.alloc_ns is relative to meta 'ns_base' (2^31: 4-byte values
# for the first 4.29 s)
check_eq "2147483648|21" "$(q b.db "SELECT value, (SELECT count(*) FROM allocations a JOIN alloc_rows r
    ON r.rowid = a.id WHERE a.alloc_ns = r.alloc_ns + 2147483648 AND r.alloc_ns < 0)
    FROM meta WHERE key = 'ns_base'")" "alloc_ns stored from ns_base"
check_eq "$(q d3.db "SELECT value FROM meta WHERE key = 'pid_base'")" \
    "$(q d3.db 'SELECT min(pid) FROM allocations')" "finished view: pids decoded"
finish
