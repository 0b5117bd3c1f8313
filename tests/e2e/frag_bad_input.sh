# heapql frag on bad input: one clear line on stderr, a non-zero status,
# never a crash.
. "$(dirname "$0")/lib.sh"

# bad CODE REGEX WHAT ARGS...: exit status CODE, one stderr line matching REGEX.
bad() {
    local code=$1 re=$2 what=$3; shift 3
    "$HEAPQL_BIN" frag "$@" >"$T/o" 2>"$T/e"
    check_eq "$code" "$?" "$what: status"
    check_eq "1" "$(wc -l <"$T/e")" "$what: one line"
    check_match "^heapql: $re" "$(cat "$T/e")" "$what: message"
    check_eq "" "$(cat "$T/o")" "$what: nothing on stdout"
}

echo "hello" >text.db
bad 1 ".*is not a SQLite database" "not a database" text.db
: >empty.db
bad 1 ".*empty" "empty file" empty.db
bad 1 "cannot open" "missing file" nope.db
sqlite3 plain.db "CREATE TABLE t (x)"
bad 1 ".*not a heapql database" "no schema version" plain.db
sqlite3 future.db "CREATE TABLE t (x); PRAGMA user_version = 99"
bad 1 ".*newer than this heapql" "newer schema" future.db
sqlite3 damaged.db "CREATE TABLE meta (key, value); PRAGMA user_version = 1"
bad 1 ".*table '.*' is missing" "missing tables" damaged.db

record ok.db "$HQ_PROGS/frag_alternate"
check_eq 0 "$RC" "recorded"
PID=$(q ok.db "SELECT pid FROM processes")
bad 1 "no process with pid 1234567" "no such pid" ok.db --pid 1234567
bad 1 "--at 99999.000 s is outside the run: pid $PID" "--at beyond the run" ok.db --at 99999
bad 2 "--at takes seconds" "--at not a number" ok.db --at soon
bad 2 "--at takes seconds" "--at negative" ok.db --at -1
bad 2 "--format does not take 'xml'" "bad format" ok.db --format xml
bad 2 "--pid must be a whole number" "bad pid" ok.db --pid x
bad 2 "option --at needs a value" "missing value" ok.db --at
bad 2 "unknown option '--bogus'" "unknown option" ok.db --bogus
bad 2 "frag needs a database" "no database" --at end
"$HEAPQL_BIN" frag --help >"$T/o" 2>"$T/e"
check_eq "0|" "$?|$(cat "$T/e")" "--help"
check_match "usage: heapql frag DB" "$(cat "$T/o")" "--help prints the usage"

record none.db /bin/true
check_eq 0 "$RC" "recorded /bin/true"
bad 1 "pid [0-9]+ recorded no allocations" "a run with no allocations" none.db
# the same pid asked explicitly, and at a moment: still one line
bad 1 "pid [0-9]+ recorded no allocations" "no allocations, --at 0" none.db --at end
finish
