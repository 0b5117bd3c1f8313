# Attach, detach, attach again (tests/progs/att_server, see att_server.sh):
# the library stays loaded but dormant in between, and the second
# recording is as exact as the first: its own requests a2..b2 (after the
# first's), thread names, modules and symbolized stacks of its own, the
# 50 pre-existing blocks freed during it counted, none in the first.
# Every GOT slot is back to its original value after each detach.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/att_lib.bash"

att_start "$HQ_PROGS/att_server"
got0=$(att_got "$APID")

# recording: the tags of the window and its checks; prints "a b"
window() {
    local db=$1 name=$2 a b
    a=$(tq "$db" "SELECT min(i) FROM tags")
    b=$(tq "$db" "SELECT max(i) FROM tags")
    check_eq complete "$(q "$db" "SELECT value FROM meta WHERE key='status'")" "$name: status"
    check_eq "$((b - a + 1))|0" "$(tq "$db" "SELECT count(*), sum(free_ns IS NULL) FROM tags")" \
        "$name: requests $a..$b all recorded and freed"
    check_eq "$((b / 7 - (a - 1) / 7))" "$(q "$db" "SELECT count(*) FROM allocations WHERE size = 4242")" \
        "$name: its leaks"
    check_eq "att_server" "$(q "$db" "SELECT group_concat(name) FROM threads")" "$name: thread name"
    check_eq 1 "$(q "$db" "SELECT count(*) FROM modules WHERE is_main = 1 AND path LIKE '%/att_server'")" \
        "$name: the executable among the modules"
    check_match "request \(.*att_server\.c:[0-9]+\)" "$("$HEAPQL_BIN" report "$db" leaks 2>&1)" \
        "$name: symbolized leaks"
    echo "$a $b" >"$T/$name.window"
}

att_attach one.db || check_true "first attach ($(cat "$T/att.err"))" false
sleep 1
att_detach
check_eq 0 "$ARC" "first: exit status"
check_eq "$got0" "$(att_got "$APID")" "first: GOT slots restored"
check_match "libheapql\.so" "$(cat "/proc/$APID/maps")" "the library stays loaded"
window one.db first
check_eq 0 "$(q one.db "SELECT preexisting_frees FROM processes")" "first: no pre-existing block freed"

sleep 0.5
att_attach two.db || check_true "second attach ($(cat "$T/att.err"))" false
sleep 0.6
kill -USR1 "$APID"
sleep 0.6
att_detach
check_eq 0 "$ARC" "second: exit status"
check_eq "$got0" "$(att_got "$APID")" "second: GOT slots restored"
window two.db second
check_eq "detached|50|0|0" "$(q two.db "SELECT end_reason, preexisting_frees, unknown_frees, missed_frees
    FROM processes")" "second: 50 frees of pre-existing blocks"
check_eq 25 "$(q two.db "SELECT count(*) FROM allocations WHERE size BETWEEN 5025 AND 5049")" \
    "second: the 25 realloc'ed blocks"
read -r a1 b1 <"$T/first.window"
read -r a2 b2 <"$T/second.window"
check_true "second window after the first ($b1 < $a2)" test "$b1" -lt "$a2"

att_stop
check_eq 0 "$PRC" "exit status of the server"
check_match "^served [0-9]+ requests, leaked [0-9]+$" "$(cat "$T/prog.out")" "its output"
finish
