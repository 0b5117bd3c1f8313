# Fault matrix, the target dies: by SIGKILL, SIGSEGV, SIGABRT, _exit, exit
# from a thread that is not main, exec into another program (from main and
# from a thread).  Every event written before the fault is in the database,
# the file is valid SQLite, its status is complete (or truncated, truthfully,
# when other threads were killed in the middle of writing a record).
. "$(dirname "$0")/lib.sh"
. "$HQ_SRC/tests/fuzz/rel_lib.sh"
N=2000

# die MODE RC: record rel_die MODE, check the exit status and the figures of
# the image that died.
die() {
    local mode=$1 want=$2 db=$1.db pid; shift 2
    record "$db" "$HQ_PROGS/rel_die" "$mode" "$N" "$@"
    check_eq "$want" "$RC" "$mode: heapql passes the status on"
    check_valid "$db" "$mode"
    check_truthful "$db" "$mode"
    pid=$(q "$db" "SELECT pid FROM processes ORDER BY id LIMIT 1")
    check_eq "$N|$((N * 64))|$N" "$(q "$db" "SELECT count(*), sum(size), sum(free_ns IS NULL)
        FROM allocations WHERE pid = $pid AND size = 64")" "$mode: every live block"
    check_eq "$N|$N" "$(q "$db" "SELECT count(*), sum(free_ns > alloc_ns)
        FROM allocations WHERE pid = $pid AND size = 65")" "$mode: every freed block"
    no_crash_in "$T/err" "$mode"
}

die kill 137
check_eq "9|signal" "$(q kill.db 'SELECT exit_signal, end_reason FROM processes')" "kill: death recorded"
check_eq complete "$(meta kill.db status)" "kill: nothing was in flight"

die segv 139
check_eq "11|signal" "$(q segv.db 'SELECT exit_signal, end_reason FROM processes')" "segv: death recorded"
check_eq complete "$(meta segv.db status)" "segv: nothing was in flight"

die abort 134
check_eq "6|signal" "$(q abort.db 'SELECT exit_signal, end_reason FROM processes')" "abort: death recorded"
check_eq complete "$(meta abort.db status)" "abort: nothing was in flight"

die _exit 7
check_eq "7|exit" "$(q _exit.db 'SELECT exit_code, end_reason FROM processes')" "_exit: status recorded"
check_eq complete "$(meta _exit.db status)" "_exit: nothing was in flight"

# exit() from a second thread while main allocates non-stop: main may be
# killed in the middle of a record (then: truncated, one lost event each).
die thread-exit 9
check_eq "9|exit" "$(q thread-exit.db 'SELECT exit_code, end_reason FROM processes')" "thread-exit: status"
check_true "thread-exit: the main thread's allocations too" \
    test "$(q thread-exit.db 'SELECT count(*) FROM allocations WHERE size = 66')" -gt 0
check_true "thread-exit: at most one record lost per killed thread" \
    test "$(q thread-exit.db 'SELECT lost_events FROM processes')" -le 1

# exec: the old image ends by exec with its blocks, the new one runs on.
die exec 4 "$HQ_PROGS/rec_exit" 4
check_eq "exec|
exit|4" "$(q exec.db "SELECT end_reason, exit_code FROM processes ORDER BY id")" "exec: two images"
check_eq 1 "$(q exec.db 'SELECT count(DISTINCT pid) FROM processes')" "exec: one pid"
check_eq complete "$(meta exec.db status)" "exec: nothing was in flight"
check_eq 0 "$(q exec.db "SELECT count(*) FROM allocations a JOIN processes p ON a.pid = p.pid
    AND p.end_reason = 'exec' WHERE a.alloc_ns >= p.end_ns OR a.free_ns > p.end_ns")" \
    "exec: the old image's blocks end with it"

# exec from a second thread while main allocates: main is killed by the exec.
die thread-exec 4 "$HQ_PROGS/rec_exit" 4
check_eq "exec
exit" "$(q thread-exec.db "SELECT end_reason FROM processes ORDER BY id")" "thread-exec: two images"
check_true "thread-exec: at most one record lost" \
    test "$(q thread-exec.db "SELECT lost_events FROM processes WHERE end_reason = 'exec'")" -le 1
finish
