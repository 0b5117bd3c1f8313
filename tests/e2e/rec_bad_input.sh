# Bad input to `heapql run`: clear one-line errors, right exit codes, no
# half-written database left behind.
. "$(dirname "$0")/lib.sh"

"$HEAPQL_BIN" run -o x.db -- /nonexistent/prog >out 2>err; rc=$?
check_eq 127 "$rc" "unknown program exits 127"
check_match "not found" "$(cat err)" "unknown program message"
check_eq 1 "$(wc -l <err)" "one line"
check_true "no database left behind" test ! -e x.db

"$HEAPQL_BIN" run -o x.db -- no-such-program-heapql >out 2>err; rc=$?
check_eq 127 "$rc" "unknown program on PATH exits 127"

"$HEAPQL_BIN" run -o /nonexistent-dir/x.db -- "$HQ_PROGS/rec_env" >out 2>err; rc=$?
check_eq 1 "$rc" "unwritable output directory"
check_eq "" "$(cat out)" "the program never started"
check_match "/nonexistent-dir/x.db" "$(cat err)" "message names the path"

touch exists.db
"$HEAPQL_BIN" run -o exists.db -- "$HQ_PROGS/rec_exit" 0 >out 2>err; rc=$?
check_eq 1 "$rc" "existing output refused"
check_match "exists" "$(cat err)" "existing output message"
check_eq 0 "$(stat -c %s exists.db)" "existing file untouched"
"$HEAPQL_BIN" run -q --force -o exists.db -- "$HQ_PROGS/rec_exit" 0 >out 2>err; rc=$?
check_eq 0 "$rc" "--force replaces it"
check_eq complete "$(q exists.db "SELECT value FROM meta WHERE key='status'")" "--force database complete"
check_eq 600 "$(stat -c %a exists.db)" "database mode 0600"

echo secret >target
ln -s target link.db
"$HEAPQL_BIN" run --force -o link.db -- "$HQ_PROGS/rec_exit" 0 >out 2>err; rc=$?
check_eq 1 "$rc" "symlink output refused even with --force"
check_eq secret "$(cat target)" "symlink target untouched"

for bad in 0 1025 abc -1 ""; do
    "$HEAPQL_BIN" run --depth "$bad" -o d.db -- "$HQ_PROGS/rec_exit" 0 >out 2>err; rc=$?
    check_eq 2 "$rc" "--depth '$bad' is a usage error"
    check_match "depth" "$(cat err)" "--depth '$bad' message"
done
check_true "no database for bad depth" test ! -e d.db
"$HEAPQL_BIN" run --bogus -- true >out 2>err; rc=$?
check_eq 2 "$rc" "unknown option"
"$HEAPQL_BIN" run >out 2>err; rc=$?
check_eq 2 "$rc" "no program"

# Default name: heapql.<program>.<pid>.db in the current directory.
"$HEAPQL_BIN" run -q -- "$HQ_PROGS/rec_exit" 0 2>err; rc=$?
check_eq 0 "$rc" "default output run"
check_eq 1 "$(ls heapql.rec_exit.*.db | wc -l)" "default output name"
pid=$(q heapql.rec_exit.*.db 'SELECT pid FROM processes')
check_true "name carries the pid" test -e "heapql.rec_exit.$pid.db"

# The user's own LD_PRELOAD is kept, after ours.  (An ASan build of heapql
# itself must be told that a preloaded library ahead of its runtime is fine.)
LD_PRELOAD=libm.so.6 ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$HEAPQL_BIN" run -q -o p.db -- "$HQ_PROGS/rec_env" >out 2>err; rc=$?
check_eq 0 "$rc" "own LD_PRELOAD run"
check_match "^LD_PRELOAD=.*libheapql.so libm.so.6$" "$(cat out)" "both preloads"
check_eq 1 "$(qm p.db 'SELECT count(*) FROM mine WHERE size = 99')" "still recorded"
finish
