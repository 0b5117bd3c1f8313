# heapql attach to 8 threads busy allocating (tests/progs/att_threads: in
# iteration i a thread allocates a tag of 40000 + i % 65536 bytes and a
# small block, frees the small block, leaks 4242 bytes when i % 4096 == 0,
# frees the tag).  They never pause, so the recording starts and stops in
# the middle of an iteration; what it holds is exact per thread: a run of
# consecutive iterations, every one complete (tag allocated and freed)
# except perhaps each thread's very last, and between a thread's first
# and last complete tag exactly one leak per iteration i % 4096 == 0.
# Twice: with the main thread waiting in pause() (heapql borrows it), and
# with --busy-main (all eight busy: heapql has to catch a running thread
# outside the C library), recording for --duration 400ms.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/att_lib.bash"

variant() {
    local name=$1 db=$1.db; shift
    att_start "$HQ_PROGS/att_threads" "$@"
    if ! att_attach "$db" --duration 400ms --no-symbolize; then
        check_true "$name: attached ($(cat "$T/att.err"))" false
        att_stop
        return
    fi
    att_wait_attach
    check_eq 0 "$ARC" "$name: heapql attach exit status (--duration)"
    # it runs on (stopped now: eight busy threads would slow the queries below)
    check_true "$name: still running after the detach" kill -0 "$APID"
    sleep 0.2
    att_stop
    check_eq 0 "$PRC" "$name: exit status of the program"
    check_match "^threads done: [0-9]+ iterations, [0-9]+ leaks$" "$(cat "$T/prog.out")" "$name: its output"
    check_match "then detached \(it runs on\)" "$(cat "$T/att.err")" "$name: summary says detached"
    check_eq complete "$(q "$db" "SELECT value FROM meta WHERE key='status'")" "$name: status"
    check_eq 1 "$(q "$db" "SELECT (SELECT value FROM meta WHERE key='attach_stop_ns') -
        (SELECT value FROM meta WHERE key='attach_start_ns') BETWEEN 400000000 AND 60000000000")" \
        "$name: recorded for at least --duration"
    check_eq "detached|0|0" "$(q "$db" "SELECT end_reason, missed_frees, lost_events FROM processes")" \
        "$name: process row"
    check_eq 8 "$(tq "$db" "SELECT count(DISTINCT tid) FROM tags")" "$name: the 8 threads recorded"
    check_eq 0 "$(tq "$db" "SELECT count(*) FROM tags WHERE prev IS NOT NULL AND (i - prev + 65536) % 65536 != 1")" \
        "$name: each thread's iterations consecutive"
    check_eq 0 "$(tq "$db" "SELECT count(*) FROM tags WHERE free_ns IS NULL AND from_end != 1")" \
        "$name: every tag freed but perhaps each thread's last"
    check_true "$name: thousands of iterations" test "$(tq "$db" "SELECT count(*) FROM tags")" -ge 8000
    local got want
    want=$(tq "$db" "SELECT count(*) FROM tags WHERE free_ns IS NOT NULL AND i % 4096 = 0")
    got=$(tq "$db" "CREATE TEMP TABLE win AS SELECT tid, min(alloc_ns) lo, max(free_ns) hi FROM tags
        WHERE free_ns IS NOT NULL GROUP BY tid;
        SELECT count(*) FROM allocations a JOIN win w ON a.tid = w.tid
        WHERE a.size = 4242 AND a.alloc_ns BETWEEN w.lo AND w.hi")
    check_eq "$want" "$got" "$name: leaks between each thread's first and last complete iteration"
    check_true "$name: some leaks ($got)" test "$got" -ge 1
    check_true "$name: at most one leak per thread outside those" \
        test "$(q "$db" "SELECT count(*) FROM allocations WHERE size = 4242")" -le $((got + 16))
    check_eq "att_threads" "$(q "$db" "SELECT group_concat(DISTINCT name) FROM threads")" "$name: thread names"
}

variant blocked
variant busy --busy-main
finish
