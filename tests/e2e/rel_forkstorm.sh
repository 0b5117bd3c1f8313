# Fault matrix, fork storm: 300 short-lived children (16 alive at a time),
# each allocating a known amount and ending by exit() or _exit(): every
# child is a process of its own and every allocation is there.
. "$(dirname "$0")/lib.sh"
. "$HQ_SRC/tests/fuzz/rel_lib.sh"
N=300

"$HEAPQL_BIN" run -q --ring-mb 1 -o f.db -- "$HQ_PROGS/rel_forkstorm" "$N" 16 >out 2>err; rc=$?
check_eq 0 "$rc" "every child exited 0"
check_eq "forkstorm $N" "$(cat out)" "program output"
check_eq "" "$(cat err)" "nothing on stderr"
check_valid f.db "fork storm"
check_eq complete "$(meta f.db status)" "status"
check_eq "$N|$N" "$(q f.db 'SELECT sum(forked), count(DISTINCT pid) - 1 FROM processes')" "one process per child"
check_eq "$((3 * N))|$((2 * N))|$N" "$(q f.db 'SELECT count(*), sum(free_ns IS NULL), count(DISTINCT pid)
    FROM allocations WHERE size = 71')" "every child's allocations"
check_eq 0 "$(q f.db 'SELECT count(*) FROM (SELECT pid FROM allocations WHERE size = 71
    GROUP BY pid HAVING count(*) != 3)')" "exactly three per child"
check_eq "$N" "$(q f.db "SELECT count(*) FROM processes WHERE forked = 1 AND end_reason = 'exit'
    AND exit_code = 0 AND end_ns > start_ns")" "every child's end"
check_eq 0 "$(q f.db 'SELECT coalesce(sum(lost_events + unknown_frees), 0) FROM processes WHERE forked = 1')" \
    "nothing lost or unknown in the children"
finish
