# The target exits while heapql is attached (tests/progs/att_server, told
# to stop with SIGTERM): heapql notices, finishes the database and exits 0
# by itself; the process row says how it ended (exit status 0, through
# the shim's on_exit handler: glibc calls exit() after main without any
# GOT) and attach_stop is its end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/att_lib.bash"

att_start "$HQ_PROGS/att_server"
if att_attach x.db; then
    sleep 0.8
    att_stop
    check_eq 0 "$PRC" "exit status of the server"
    check_match "^served [0-9]+ requests, leaked [0-9]+$" "$(cat "$T/prog.out")" "its output"
    att_wait_attach
    check_eq 0 "$ARC" "heapql attach ends by itself, exit status 0"
    check_match "then it exited" "$(cat "$T/att.err")" "its summary"
else
    check_true "attached ($(cat "$T/att.err"))" false
    att_stop
fi
check_eq complete "$(q x.db "SELECT value FROM meta WHERE key='status'")" "status"
check_eq "exit|0|1" "$(q x.db "SELECT end_reason, exit_code, end_ns IS NOT NULL FROM processes")" \
    "the process row: exited with 0"
check_eq 1 "$(q x.db "SELECT (SELECT value FROM meta WHERE key='attach_stop_ns') =
    (SELECT end_ns FROM processes)")" "attach_stop is the process's end"
a=$(tq x.db "SELECT min(i) FROM tags")
b=$(tq x.db "SELECT max(i) FROM tags")
check_eq "$((b - a + 1))|0" "$(tq x.db "SELECT count(*), sum(free_ns IS NULL) FROM tags")" \
    "requests $a..$b all recorded and freed"
finish
