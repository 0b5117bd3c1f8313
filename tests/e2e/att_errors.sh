# heapql attach refusing, with a clear message and exit status 1 (2 for
# usage), and leaving nothing behind: no database, the target untouched.
#   usage errors; a pid that does not exist; a statically linked program
#   (built here with gcc -static); a process traced already (by another
#   heapql attach holding it, through the HEAPQL_TEST_ATTACH_PAUSE_MS test
#   hook); a process that exits during the attach (killed while the hook
#   holds it); a process of another user (as root: a user made with useradd
#   runs heapql against a process of root; otherwise pid 1).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/att_lib.bash"

# attach ARGS...: heapql attach; sets RC and OUT (its stderr)
attach() {
    OUT=$("$HEAPQL_BIN" attach "$@" 2>&1 >/dev/null)
    RC=$?
}

attach
check_eq 2 "$RC" "no pid: usage"
check_match "needs the PID" "$OUT" "no pid: message"
attach 12x
check_eq 2 "$RC" "not a number: usage"
attach 1 2
check_eq 2 "$RC" "two pids: usage"
attach 1 --duration 5parsecs
check_eq 2 "$RC" "bad duration: usage"
check_match "30, 30s, 500ms, 2m" "$OUT" "bad duration: the accepted forms"
attach 1 --bogus
check_eq 2 "$RC" "unknown option: usage"

nopid=$(($(cat /proc/sys/kernel/pid_max) + 1))
attach "$nopid" -o none.db
check_eq "1|heapql: no such process: $nopid" "$RC|$OUT" "no such process"
check_true "no such process: no database" test ! -e none.db

if command -v gcc >/dev/null && echo 'int main(void){return 0;}' | gcc -static -x c -o static_probe - 2>/dev/null; then
    gcc -O0 -static -o srv_static "$HQ_SRC/tests/progs/att_server.c" || exit 1
    att_start ./srv_static
    attach "$APID" -o static.db
    check_eq 1 "$RC" "static: exit status"
    check_eq "heapql: cannot attach: $APID is statically linked (no libc.so in /proc/$APID/maps): a library cannot be loaded into it" \
        "$OUT" "static: message"
    check_true "static: no database" test ! -e static.db
    att_stop
    check_eq "0|served" "$PRC|$(cut -d' ' -f1 "$T/prog.out")" "static: the program ran on"
else
    echo "att_errors: static linking unavailable (libc.a missing): static case skipped"
fi

# traced already: a first heapql holds a thread (test hook), a second one comes
# (the server leaves this shell's jobs: it gets killed below, quietly)
(cd / && exec "$HQ_PROGS/att_server" >/dev/null 2>&1 </dev/null) &
APID=$!
disown "$APID"
sleep 0.3
check_match "att_server" "$(readlink "/proc/$APID/exe")" "traced: the server is the process attached to"
HEAPQL_TEST_ATTACH_PAUSE_MS=3000 "$HEAPQL_BIN" attach "$APID" -o first.db >/dev/null 2>"$T/first.err" &
first=$!
for _ in $(seq 1 100); do
    [ "$(awk '/^TracerPid/ {print $2}' "/proc/$APID/status")" = "$first" ] && break
    sleep 0.02
done
attach "$APID" -o second.db
check_eq 1 "$RC" "traced: exit status"
check_match "cannot attach: process $APID is already being traced by process $first \(heapql\)" "$OUT" \
    "traced: message names the tracer"
check_true "traced: no database" test ! -e second.db

# ... and the target dies while the first one holds it
kill -KILL "$APID"
wait "$first"
check_eq 1 "$?" "exits during attach: exit status"
check_eq "heapql: cannot attach: process $APID exited during attach" "$(cat "$T/first.err")" \
    "exits during attach: message"
check_true "exits during attach: no database" test ! -e first.db

# another user's process
att_start "$HQ_PROGS/att_server"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && command -v useradd >/dev/null; then
    id heapql-e2e >/dev/null 2>&1 || useradd -M -r -s /usr/sbin/nologin heapql-e2e || exit 1
    uid=$(id -u heapql-e2e)
    OUT=$(cd / && setpriv --reuid=heapql-e2e --regid=heapql-e2e --clear-groups -- \
        "$HEAPQL_BIN" attach "$APID" -o /tmp/heapql-e2e-never.db 2>&1 >/dev/null)
    RC=$?
    check_eq 1 "$RC" "other user: exit status"
    check_match "cannot attach to process $APID: not permitted \(it runs as uid 0, heapql as uid $uid" "$OUT" \
        "other user: message with both uids"
    check_match "same user with /proc/sys/kernel/yama/ptrace_scope set to 0, or as root \(CAP_SYS_PTRACE\)" \
        "$OUT" "other user: the fix"
    check_true "other user: no database" test ! -e /tmp/heapql-e2e-never.db
else
    attach 1 -o pid1.db
    check_eq 1 "$RC" "pid 1 (not ours): exit status"
    check_match "not permitted" "$OUT" "pid 1: message"
fi
check_true "refused: the library never loaded" sh -c "! grep -q libheapql /proc/$APID/maps"
att_stop
check_eq 0 "$PRC" "the server ran on after the refusals"
finish
