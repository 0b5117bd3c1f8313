# root attaching to a process of another user (tests/progs/att_server run
# by a user made with useradd): the target connects to heapql's socket,
# which heapql hands over to that user (nobody else can reach it), and
# the recording is as exact as in att_server.sh.  Needs root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/att_lib.bash"

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null || ! command -v useradd >/dev/null; then
    echo "att_user: needs root, setpriv and useradd: skipped"
    exit 0
fi
id heapql-e2e >/dev/null 2>&1 || useradd -M -r -s /usr/sbin/nologin heapql-e2e || exit 1
cd / && att_start setpriv --reuid=heapql-e2e --regid=heapql-e2e --clear-groups -- "$HQ_PROGS/att_server"
cd "$T" || exit 1
check_eq heapql-e2e "$(ps -o user= -p "$APID")" "the server runs as heapql-e2e"
if att_attach u.db; then
    sleep 1
    att_detach
    check_eq 0 "$ARC" "heapql attach exit status"
else
    check_true "attached ($(cat "$T/att.err"))" false
fi
check_eq complete "$(q u.db "SELECT value FROM meta WHERE key='status'")" "status"
a=$(tq u.db "SELECT min(i) FROM tags")
b=$(tq u.db "SELECT max(i) FROM tags")
check_eq "$((b - a + 1))|0" "$(tq u.db "SELECT count(*), sum(free_ns IS NULL) FROM tags")" \
    "requests $a..$b all recorded and freed"
check_eq "$((b / 7 - (a - 1) / 7))" "$(q u.db "SELECT count(*) FROM allocations WHERE size = 4242")" "its leaks"
check_eq "detached|0" "$(q u.db "SELECT end_reason, preexisting_frees FROM processes")" "process row"
check_eq 0 "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'heapql-??????' -user heapql-e2e | wc -l)" \
    "the socket directory is gone"
att_stop
check_eq 0 "$PRC" "exit status of the server"
check_match "^served [0-9]+ requests, leaked [0-9]+$" "$(cat "$T/prog.out")" "its output"
finish
