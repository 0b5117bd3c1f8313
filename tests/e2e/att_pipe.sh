# heapql attach to a process blocked in read() on a pipe (tests/progs/
# att_pipe: one request per line, a tag of 40000 + id bytes, a 4242-byte
# leak when id % 5 == 0).  heapql borrows that very thread, interrupting
# the read(); the kernel must restart it afterwards (a read() failing with
# EINTR ends the program with status 1).  Requests 1-20 come before the
# attach, 21-40 while attached, 41-60 after the detach: exactly 21..40 are
# in the database, and the program handles all 60.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/att_lib.bash"

mkfifo fifo
exec 3<>fifo # a writer first: the program's open of the fifo does not block
att_start "$HQ_PROGS/att_pipe" <fifo 3>&- # it must not hold a write end itself
send() { for i in $(seq "$1" "$2"); do echo "$i" >&3; done; }
send 1 20
sleep 0.3
check_match "^0 " "$(cat "/proc/$APID/syscall")" "blocked in read() (system call 0)"
if att_attach p.db; then
    sleep 0.3
    check_match "^0 " "$(cat "/proc/$APID/syscall")" "blocked in read() again after the attach"
    send 21 40
    sleep 0.5
    att_detach
    check_eq 0 "$ARC" "heapql attach exit status"
else
    check_true "attached ($(cat "$T/att.err"))" false
fi
send 41 60
exec 3>&-
wait "$APID"
check_eq 0 "$?" "exit status of the program (its read() was restarted)"
check_eq "handled 60 requests, sum 1830" "$(cat "$T/prog.out")" "every request handled"

check_eq complete "$(q p.db "SELECT value FROM meta WHERE key='status'")" "status"
check_eq "20|21|40|0" "$(q p.db "SELECT count(*), min(size) - 40000, max(size) - 40000, sum(free_ns IS NULL)
    FROM allocations WHERE size BETWEEN 40000 AND 40100")" "requests 21..40 recorded, nothing before or after"
check_eq "4|4" "$(q p.db "SELECT count(*), sum(free_ns IS NULL) FROM allocations WHERE size = 4242")" \
    "leaks of requests 25, 30, 35, 40"
check_eq "detached|0|0" "$(q p.db "SELECT end_reason, preexisting_frees, unknown_frees FROM processes")" \
    "process row"
finish
