# C++ exceptions and new-handlers inside operator new (tests/progs/
# rel_cxxexc.cpp): the exception objects libstdc++ allocates inside the real
# operator new (std::bad_alloc thrown by each throwing variant, and thrown
# and caught again inside each nothrow variant) and whatever a new-handler
# allocates and frees are recorded like any other block, each paired with
# its free: no unknown or missed frees.  The failures are counted as before
# and the program's behaviour is unchanged.
. "$(dirname "$0")/lib.sh"
. "$HQ_SRC/tests/fuzz/rel_lib.sh"

R=10 # rounds
N=3  # threads

# by_caller DB WHERE: "function|blocks|live" of the allocations matching
# WHERE, grouped by the innermost frame of the program in their stacks.
by_caller() {
    q "$1" "WITH RECURSIVE up(aid, cid) AS (
                SELECT a.id, a.callsite_id FROM allocations a
                JOIN callsites c ON c.id = a.callsite_id JOIN frames f ON f.id = c.frame_id
                WHERE $2
                UNION ALL
                SELECT up.aid, c.parent_id FROM up JOIN callsites c ON c.id = up.cid
                WHERE c.parent_id IS NOT NULL),
            caller(aid, fn, d) AS (
                SELECT up.aid, f.function, max(c.depth) FROM up
                JOIN callsites c ON c.id = up.cid JOIN frames f ON f.id = c.frame_id
                JOIN modules m ON m.id = f.module_id WHERE m.is_main = 1 GROUP BY up.aid)
            SELECT fn, count(*), sum(a.free_ns IS NULL)
            FROM caller JOIN allocations a ON a.id = caller.aid GROUP BY 1 ORDER BY 1" | tr '\n' ' '
}
EXC="f.function = '__cxa_allocate_exception'"

# -- throws and nothrow failures on N threads ---------------------------------
bare=$("$HQ_PROGS/rel_cxxexc" $R $N 2>&1); brc=$?
check_eq "0|cxxexc $((5 * R * N)) $((4 * R * N))" "$brc|$bare" "the program without heapql"
record e.db "$HQ_PROGS/rel_cxxexc" $R $N
check_eq 0 "$RC" "exit status"
check_eq "$bare" "$(cat "$T/out")" "program output unchanged"
check_valid e.db "threads"
check_eq complete "$(meta e.db status)" "status"
check_eq "$((8 * R * N))|0|0" \
    "$(q e.db 'SELECT failed_allocs, unknown_frees, missed_frees FROM processes')" \
    "failures counted, nothing unpaired"
# the failures at their call sites, as before
check_eq "nothrow_ops|$((4 * R * N)) throwing_ops|$((4 * R * N)) " \
    "$(q e.db "SELECT f.function, sum(s.failed_count)
        FROM callsite_stats s JOIN callsites c ON c.id = s.callsite_id
        JOIN frames f ON f.id = c.frame_id WHERE s.failed_count > 0 GROUP BY 1 ORDER BY 1" | tr '\n' ' ')" \
    "failed allocations by call site"
# one exception object per throw: 4 bad_alloc from the throwing operators,
# 4 thrown and caught inside libstdc++'s nothrow operators (GCC >= 9 builds
# them on the throwing ones), 1 int; each freed
check_eq "nothrow_ops|$((4 * R * N))|0 own_throw|$((R * N))|0 throwing_ops|$((4 * R * N))|0 " \
    "$(by_caller e.db "$EXC")" "exception objects by the program's function, all freed"
check_eq "$N|$((9 * R))|$((9 * R))" \
    "$(q e.db "SELECT count(*), min(n), max(n) FROM (SELECT count(*) AS n FROM allocations a
        JOIN callsites c ON c.id = a.callsite_id JOIN frames f ON f.id = c.frame_id
        WHERE $EXC GROUP BY a.tid)")" "exception objects per thread"
check_eq 0 "$(q e.db "SELECT count(*) FROM allocations WHERE size > 1000000000000")" \
    "failures are never blocks"

# -- a new-handler that frees, allocates and throws --------------------------
bare=$("$HQ_PROGS/rel_cxxexc" $R handler 2>&1); brc=$?
check_eq "0|cxxexc $R 0" "$brc|$bare" "handler: the program without heapql"
record h.db "$HQ_PROGS/rel_cxxexc" $R handler
check_eq 0 "$RC" "handler: exit status"
check_eq "$bare" "$(cat "$T/out")" "handler: program output unchanged"
check_valid h.db "handler"
check_eq "$R|0|0" "$(q h.db 'SELECT failed_allocs, unknown_frees, missed_frees FROM processes')" \
    "handler: failures counted, nothing unpaired"
check_eq "handler_rounds|$R|0 " "$(by_caller h.db "a.size = 4096")" \
    "handler: each reserve block freed by the handler"
check_eq "oom_handler|$R|0 " "$(by_caller h.db "a.size = 24")" \
    "handler: each note it allocates, freed after the catch"
check_eq "oom_handler|$R|0 " "$(by_caller h.db "$EXC")" "handler: the std::bad_alloc it throws"
finish
