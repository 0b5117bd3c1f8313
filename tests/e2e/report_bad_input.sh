# Bad input for `heapql report`: one clear line on stderr, exit 1 (runtime)
# or 2 (usage), never a crash or a hang.
. "$(dirname "$0")/lib.sh"
H=$HEAPQL_BIN

# expect RC MESSAGE-REGEX ARGS...: exit status, exactly one stderr line matching
expect() {
    local want=$1 re=$2; shift 2
    timeout 20 "$H" report "$@" >"$T/o" 2>"$T/e"
    local rc=$?
    check_eq "$want" "$rc" "exit status of 'report $*'"
    check_eq 1 "$(wc -l < "$T/e")" "one stderr line for 'report $*'"
    check_match "^heapql: $re" "$(cat "$T/e")" "message for 'report $*'"
}

record good.db "$HQ_PROGS/rep_leaks"
check_eq 0 "$RC" "recording exit status"

printf 'hello, not a database at all\n' > text.db
expect 1 "text\.db is not a SQLite database" text.db
: > empty.db
expect 1 "empty\.db is empty" empty.db top
expect 1 "cannot open missing\.db: No such file" missing.db leaks
head -c 8192 good.db > trunc.db
expect 1 ".*(malformed|damaged|not a heapql)" trunc.db
for r in summary top leaks temporary histogram flamegraph timeline; do
    cp good.db corrupt.db
    dd if=/dev/zero of=corrupt.db bs=4096 seek=3 count=64 conv=notrunc 2>/dev/null
    expect 1 ".*(malformed|damaged)" corrupt.db "$r"
done
cp good.db newer.db
q newer.db "PRAGMA user_version = 2" >/dev/null
expect 1 "newer\.db has schema version 2, newer than this heapql understands" newer.db
cp good.db dropped.db
q dropped.db "DROP TABLE samples" >/dev/null
expect 1 "dropped\.db is damaged: table 'samples' is missing" dropped.db timeline

# usage errors: exit 2
expect 2 "unknown report 'nosuch'" good.db nosuch
expect 2 "unknown option '--bogus' for 'report top'" good.db top --bogus
expect 2 "option --sort does not apply to 'report leaks'" good.db leaks --sort peak
expect 2 "bad --function regex '\(\[': " good.db top --function '(['
expect 2 "bad --module regex" good.db flamegraph --module '*x'
expect 2 "--top needs a whole number from 0 to" good.db top --top -3
expect 2 "--format must be text, json or csv, not 'xml'" good.db --format xml
expect 2 "--from must be seconds since the start" good.db top --from yesterday
expect 2 "--sort must be one of allocs, bytes, peak, leaked, temporary; not 'size'" good.db top --sort size
expect 2 "--max-lifetime needs milliseconds above 0" good.db temporary --max-lifetime 0
expect 2 "option --top needs a value" good.db top --top
expect 2 "'report lines' needs FUNCTION\|FILE" good.db lines
expect 2 "'report diff' needs B\.db" good.db diff
expect 2 "unexpected argument 'extra' for 'report top'" good.db top extra
expect 1 "cannot open other\.db" good.db diff other.db
expect 2 "the database comes first: heapql report DB top" top good.db
expect 1 "no callsite with id 123456" good.db histogram --callsite 123456
"$H" report >/dev/null 2>"$T/e"; check_eq 2 "$?" "no database: usage"
check_match "^usage: heapql report DB" "$(cat "$T/e")" "usage text"
"$H" report --help >"$T/o" 2>&1; check_eq 0 "$?" "--help exits 0"
check_match "flamegraph" "$(cat "$T/o")" "help lists the reports"

# no allocations, so no peak to start a window at
"$H" run -q -o none.db -- /bin/true >/dev/null 2>&1
expect 1 "the recording has no heap peak to use as a time" none.db top --to peak
out=$("$H" report none.db 2>&1); check_eq 0 "$?" "empty recording: summary works"
check_match "allocations    0 calls, 0 B" "$out" "empty recording: zero figures"

# unsymbolized and read-only: addresses, with a note, still exit 0
"$H" run -q --no-symbolize -o raw.db -- "$HQ_PROGS/rep_leaks" >/dev/null 2>&1
cp raw.db ro.db
chmod 444 ro.db
if [ "$(id -u)" != 0 ]; then # root may write anyway
    out=$("$H" report ro.db leaks 2>&1); rc=$?
    check_eq 0 "$rc" "read-only unsymbolized: exit 0"
    check_match "^note: not symbolized: frames show module\+offset" "$out" "read-only: the note"
    check_match "#0  rep_leaks\+0x[0-9a-f]+" "$out" "read-only: addresses"
fi
# writable and unsymbolized: the report symbolizes first
out=$("$H" report raw.db leaks 2>/dev/null)
check_match "#0  leak_three \(" "$out" "symbolized on demand"
check_eq 1 "$(q raw.db "SELECT value FROM meta WHERE key='symbolized'")" "symbolized flag stored"
finish
