# heapql attach to a running single-threaded server (tests/progs/att_server:
# a request about every millisecond, the tag block of request i is 40000 +
# i bytes, a 4242-byte leak every 7th request, 50 blocks allocated before
# the attach that SIGUSR1 lets go of: 25 freed, 25 realloc'ed to 5025..5049).
# The server sleeps in nanosleep between requests, and heapql borrows a
# thread blocked in a system call: the recording starts and stops between
# two requests, so its content is exact: requests a..b, every one of them,
# nothing else.  Same with the server built non-PIE and with full RELRO
# (read-only GOT).  The server runs on and exits as usual; every GOT slot
# heapql changed holds its old value again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/att_lib.bash"

command -v gcc >/dev/null || { echo "att_server: gcc not installed: skipped"; exit 0; }
SRC=$HQ_SRC/tests/progs/att_server.c
gcc -O0 -g -fno-builtin -fno-pie -no-pie -o srv_nopie "$SRC" || exit 1
gcc -O0 -g -fno-builtin -Wl,-z,relro,-z,now -o srv_now "$SRC" || exit 1
check_match "BIND_NOW" "$(readelf -d srv_now)" "srv_now: full RELRO"
check_match "EXEC" "$(readelf -h srv_nopie)" "srv_nopie: not PIE"

# variant NAME BINARY: one attach with SIGUSR1 in the middle of it
variant() {
    local name=$1 bin=$2 db=$1.db got0 got1 n a b
    att_start "$bin"
    got0=$(att_got "$APID")
    check_match "malloc -> libc" "$got0" "$name: malloc bound to libc before"
    if ! att_attach "$db"; then
        check_true "$name: attached ($(cat "$T/att.err"))" false
        att_stop
        return
    fi
    sleep 0.7
    kill -USR1 "$APID"
    sleep 0.7
    got1=$(att_got "$APID")
    check_match "malloc -> libheapql.so" "$got1" "$name: the executable's malloc slot leads to heapql while attached"
    check_match "libc.so.6 malloc -> libheapql.so" "$got1" "$name: libc's own malloc slot too"
    att_detach
    check_eq 0 "$ARC" "$name: heapql attach exit status"
    check_eq "$got0" "$(att_got "$APID")" "$name: every GOT slot holds its old value after the detach"
    sleep 0.3

    check_eq complete "$(q "$db" "SELECT value FROM meta WHERE key='status'")" "$name: status"
    check_eq attach "$(q "$db" "SELECT value FROM meta WHERE key='mode'")" "$name: mode"
    check_eq "$APID" "$(q "$db" "SELECT value FROM meta WHERE key='attach_pid'")" "$name: attach_pid"
    check_eq 1 "$(q "$db" "SELECT (SELECT value FROM meta WHERE key='attach_stop_ns') -
        (SELECT value FROM meta WHERE key='attach_start_ns') >= 1200000000")" "$name: attach_start/stop 1.4 s apart"
    check_match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$(q "$db" "SELECT value FROM meta WHERE key='attach_stop'")" "$name: attach_stop time"
    check_eq "1|detached||50|0|0|0" "$(q "$db" "SELECT count(*), end_reason, end_ns, preexisting_frees,
        unknown_frees, missed_frees, lost_events FROM processes")" "$name: process row (50 frees of pre-existing blocks)"

    # requests a..b: every tag recorded, allocated and freed, none missing
    a=$(tq "$db" "SELECT min(i) FROM tags")
    b=$(tq "$db" "SELECT max(i) FROM tags")
    n=$(tq "$db" "SELECT count(*) FROM tags")
    check_true "$name: some 1000 requests recorded ($a..$b)" test "$n" -ge 500
    check_eq "$((b - a + 1))|0" "$(tq "$db" "SELECT count(*), sum(free_ns IS NULL) FROM tags")" \
        "$name: requests $a..$b all recorded, all freed"
    check_eq "0" "$(tq "$db" "SELECT count(*) FROM tags WHERE prev IS NOT NULL AND i != prev + 1")" "$name: in order"
    check_eq "$((b / 7 - (a - 1) / 7))|$((b / 7 - (a - 1) / 7))" \
        "$(q "$db" "SELECT count(*), sum(free_ns IS NULL) FROM allocations WHERE size = 4242")" \
        "$name: one 4242-byte leak per 7 requests in the window"
    check_eq "$n|$n" "$(q "$db" "SELECT count(*), sum(free_ns IS NOT NULL) FROM allocations WHERE size = 64")" \
        "$name: one response block per request, freed"
    check_eq "25|5025|5049|25" "$(q "$db" "SELECT count(*), min(size), max(size), sum(free_ns IS NULL)
        FROM allocations a JOIN kinds k ON k.id = a.kind WHERE k.name = 'realloc'")" \
        "$name: a realloc of a pre-existing block starts a new block"
    check_eq 0 "$(q "$db" "SELECT count(*) FROM allocations WHERE size BETWEEN 3000 AND 3049")" \
        "$name: blocks from before the attach are not in the recording"
    check_eq "$((2 * n + b / 7 - (a - 1) / 7 + 25))" "$(q "$db" "SELECT count(*) FROM allocations")" \
        "$name: nothing else was recorded"
    check_match "request \(.*att_server\.c:[0-9]+\)" "$("$HEAPQL_BIN" report "$db" leaks 2>&1)" \
        "$name: leaks report names request()"
    check_eq "$(basename "$bin" | cut -c1-15)" "$(q "$db" "SELECT name FROM threads")" "$name: thread name"

    # it runs on, then ends as usual
    att_stop
    check_eq 0 "$PRC" "$name: exit status of the server"
    n=$(sed -nE 's/^served ([0-9]+) requests, leaked ([0-9]+)$/\1/p' "$T/prog.out")
    check_true "$name: served more requests after the detach ($n > $b)" test "${n:-0}" -gt "$b"
    check_eq "served $n requests, leaked $(((n - 1) / 7 + 1))" "$(cat "$T/prog.out")" "$name: its output"
}

variant pie "$HQ_PROGS/att_server"
variant nopie ./srv_nopie
variant relro ./srv_now
finish
