# heapql tui refuses what every command refuses, with one line on stderr
# and no terminal set-up: not SQLite, empty, a newer schema, a damaged
# file, a missing file; usage errors exit 2; standard input that is not a
# terminal is refused; a nearly empty recording (no rows yet) opens; a
# fatal signal restores the terminal before the process dies.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.bash"

H=$HEAPQL_BIN
bad() { # bad EXPECTED_RC REGEX WHAT ARGS...
    local rc=$1 re=$2 what=$3; shift 3
    "$H" tui "$@" >"$T/o" 2>"$T/e" </dev/null
    check_eq "$rc" "$?" "$what: exit status"
    check_match "$re" "$(cat "$T/e")" "$what: message"
    check_eq 1 "$(wc -l <"$T/e")" "$what: one line"
    check_eq 0 "$(wc -c <"$T/o")" "$what: nothing on stdout (no terminal set-up)"
}
printf 'hello, not a database\n' >text.db
: >empty.db
sqlite3 newer.db "CREATE TABLE meta(key TEXT PRIMARY KEY, value); PRAGMA user_version = 99;"
schema_db() { { cat "$HQ_SRC/schema/v1.sql"; echo "PRAGMA user_version = 1; $2"; } | sqlite3 "$1"; }
schema_db damaged.db "DROP TABLE samples;"
bad 1 "^heapql: text\.db is not a SQLite database$" "not SQLite" text.db
bad 1 "^heapql: empty\.db is empty: not a heapql database$" "empty" empty.db
bad 1 "^heapql: newer\.db has schema version 99, newer than this heapql understands" "newer schema" newer.db
bad 1 "^heapql: damaged\.db is damaged: table 'samples' is missing$" "damaged" damaged.db
bad 1 "^heapql: cannot open missing\.db: No such file or directory$" "missing" missing.db
bad 2 "^heapql: tui needs a database" "no database"
bad 2 "^heapql: unknown option '--bogus'" "unknown option" --bogus x.db
bad 2 "^heapql: --view takes summary, sites" "bad --view" --view nope x.db
# --wait: a recording that appears a moment later is opened (here: then
# refused for want of a terminal, which proves it was opened); a file that
# never appears is an error once the time is up
( sleep 0.5; schema_db late.db "INSERT INTO meta VALUES ('status','recording');" ) &
"$H" tui --wait 10 late.db >"$T/o" 2>"$T/e" </dev/null
check_eq 1 "$?" "--wait: exit status"
check_match "^heapql: tui needs a terminal" "$(cat "$T/e")" "--wait: the late file was opened"
wait
start=$(date +%s%N)
bad 1 "^heapql: cannot open never\.db: No such file or directory$" "--wait times out" --wait 1 never.db
check_true "--wait 1 waited about a second" test $(( ($(date +%s%N) - start) / 1000000 )) -ge 900
bad 2 "^heapql: --wait takes whole seconds" "bad --wait" --wait soon x.db
"$H" tui --help >"$T/o" 2>&1
check_eq 0 "$?" "--help: exit 0"
check_match "usage: heapql tui DB" "$(cat "$T/o")" "--help: usage"

# a valid recording, but not on a terminal
schema_db bare.db "INSERT INTO meta VALUES ('status', 'complete'), ('symbolized', 1);"
bad 1 "^heapql: tui needs a terminal" "stdin not a terminal" bare.db

# nearly empty: no process, no sample, no row, no callsite_stats
tui_start 100 30 "env TERM=xterm-256color LANG=C.UTF-8 $H tui bare.db"
check_screen "^ Summary " "empty recording: summary"
check_screen "no samples yet" "empty recording: no chart yet"
check_screen "processes +none yet" "empty recording: no process"
for v in 2:"no allocations yet" 3:"no allocations yet" 4:"no source yet" 5:"no leaks" \
         6:"the recording has no process|no allocation|outside" 7:"pick a stack"; do
    tui_keys "${v%%:*}"
    check_screen "${v#*:}" "empty recording: view ${v%%:*}"
done
tui_keys q
check_eq 0 "$(tui_exited 10)" "empty recording: q quits cleanly"

# a terminal too small from the start
tui_start 30 8 "env TERM=xterm-256color LANG=C.UTF-8 $H tui bare.db"
check_screen "terminal too small: 30x8" "too small at start"
tui_keys q
check_eq 0 "$(tui_exited 10)" "too small: q still quits"

# SIGTERM and SIGINT (^C): the handler leaves the alternate screen and
# restores the modes, then the signal kills the process
record leaky.db "$HQ_EXAMPLES/leaky"
tui_start 100 30 "env PS1='PROMPT$ ' TERM=xterm-256color LANG=C.UTF-8 bash --norc --noprofile -i"
check_screen "^PROMPT\\$" "shell"
tui_keys "$H tui leaky.db; echo rc=\$?" Enter
check_screen "^ Summary " "tui under the shell"
pid=$(pgrep -n -f "$H tui leaky\.db")
check_true "found the tui's pid" test -n "$pid"
kill -TERM "$pid"
check_screen "^rc=143$" "SIGTERM: died of SIGTERM (143)"
check_no_screen "^ Summary |Call sites" "SIGTERM: the alternate screen is gone"
tui_keys "clear; $H tui leaky.db" Enter
check_screen "^ Summary " "tui again"
tui_keys C-c
check_screen "^PROMPT\\$ ?$" "^C: the prompt is back"
tui_keys "echo rc=\$?" Enter
check_screen "^rc=130$" "^C: died of SIGINT (130)"
check_no_screen "^ Summary |Call sites" "^C: the alternate screen is gone"
# a crash: SIGSEGV (as sent by kill) restores the terminal, then the
# signal's previous disposition runs: death by SIGSEGV (139), or under a
# sanitizer its report and exit status 1 (SIGABRT, 134, with abort_on_error)
tui_keys "clear; $H tui leaky.db; echo rc=\$?" Enter
check_screen "^ Summary " "tui once more"
pid=$(pgrep -n -f "$H tui leaky\.db")
kill -SEGV "$pid"
check_screen "^rc=(139|134|1)([^0-9]|$)" "SIGSEGV: died of SIGSEGV (139), or a sanitizer reported it"
check_no_screen "^ Summary |Call sites" "SIGSEGV: the alternate screen is gone"
tui_keys "clear; stty -a | grep -c -- '-icanon\\|-echo '" Enter
check_screen "^0$" "SIGSEGV: no raw mode left"
finish
