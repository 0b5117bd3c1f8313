# Fault matrix, the collector dies: SIGKILL to the `heapql run` process in
# the middle of a recording.  The program runs on (its rings fill, the shim
# sees the collector's pid gone and detaches), ends with its own output and
# exit status, and the database keeps everything committed before the kill:
# valid SQLite, status left 'recording', and `heapql report` calls it a
# recording that did not finish instead of failing.
. "$(dirname "$0")/lib.sh"
. "$HQ_SRC/tests/fuzz/rel_lib.sh"
N=20000
M=300000

# rel_reaper adopts the program once heapql is gone, and reports its status.
"$HQ_PROGS/rel_reaper" reap.txt -- "$HEAPQL_BIN" run -q --ring-mb 1 -o k.db -- \
    "$HQ_PROGS/rel_collkill" "$T" "$N" "$M" >out 2>err &
reaper=$!
check_true "the program reached its pause" wait_until 120 test -e "$T/ready"
hq=$(awk '/^child / { print $2 }' reap.txt)
target=$(cat "$T/pid")
committed() { [ "$(q k.db 'SELECT count(*) FROM allocations WHERE size = 101' 2>/dev/null)" = "$N" ]; }
check_true "phase 1 committed and visible to a reader" wait_until 120 committed
check_eq recording "$(meta k.db status)" "live status"
check_eq "600 600" "$(stat -c %a k.db-wal k.db-shm 2>/dev/null | xargs)" "WAL files are private too"
kill -9 "$hq"
touch "$T/go"
if ! wait_until 120 eval '! kill -0 $reaper 2>/dev/null'; then
    check_true "the program finished without its collector" false
    kill -9 "$target" "$reaper" 2>/dev/null
fi
wait "$reaper" 2>/dev/null

check_match "^$hq signal 9$" "$(cat reap.txt)" "heapql died by SIGKILL"
check_match "^$target exit 42$" "$(cat reap.txt)" "the program's own exit status"
check_eq "collkill done $M" "$(cat out)" "the program's own output"
check_valid k.db "after the kill"
check_eq recording "$(meta k.db status)" "status left 'recording'"
check_eq "$N" "$(q k.db 'SELECT count(*) FROM allocations WHERE size = 101')" "everything committed is kept"
check_eq "$N.0|0" "$(q k.db "SELECT sum(weight), (SELECT count(*) FROM pragma_table_info('alloc_rows')
    WHERE name = 'weight') FROM allocations WHERE size = 101")" "no weight column yet, the view reads 1"

out=$("$HEAPQL_BIN" report k.db 2>rep.err); rc=$?
check_eq 0 "$rc" "report on a crashed recording works"
check_match "did not finish|unfinished" "$out" "report says the recording crashed"
check_match "allocations +[0-9,]+ calls" "$out" "report counts what was committed"
no_crash_in rep.err "report"
out=$("$HEAPQL_BIN" sql k.db "SELECT count(*) FROM allocations WHERE size = 101" 2>sql.err); rc=$?
check_eq "0|$N" "$rc|$(echo "$out" | tail -1 | tr -d ' ')" "sql on a crashed recording"
check_match "did not finish" "$(cat sql.err)" "sql warns it did not finish"
finish
