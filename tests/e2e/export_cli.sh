# heapql export on the command line: folded is the flamegraph report, -o
# writes a file (and removes a failed one), usage errors exit 2 with one
# line, runtime errors 1, pprof is not written to a terminal.
. "$(dirname "$0")/lib.sh"

record l.db "$HQ_EXAMPLES/leaky"
check_eq 0 "$RC" "leaky ran"

for m in bytes leaked allocs; do
    check_eq "$("$HEAPQL_BIN" report l.db flamegraph --metric $m)" \
        "$("$HEAPQL_BIN" export l.db --format folded --metric $m)" "folded = report flamegraph ($m)"
done
check_eq "$("$HEAPQL_BIN" report l.db flamegraph)" "$("$HEAPQL_BIN" export l.db --format=folded)" \
    "folded, default metric, --format=folded"
"$HEAPQL_BIN" export l.db --format csv -o out.csv
check_eq "0|$(($(q l.db 'SELECT count(*) FROM allocations') + 1))" "$?|$(wc -l <out.csv)" "-o FILE"
"$HEAPQL_BIN" export l.db --format csv --output=out2.csv
check_true "--output=FILE" cmp -s out.csv out2.csv

usage() { # usage WHAT MESSAGE-REGEX ARGS...
    local what=$1 re=$2; shift 2
    "$HEAPQL_BIN" export "$@" >"$T/o" 2>"$T/e"
    check_eq "2|1" "$?|$(wc -l <"$T/e")" "$what: exit 2, one line"
    check_match "$re" "$(cat "$T/e")" "$what: message"
    check_eq 0 "$(wc -c <"$T/o")" "$what: nothing on stdout"
}
usage "no arguments" "needs a database and --format"
usage "no --format" "needs a database and --format" l.db
usage "unknown format" "--format must be massif, pprof, speedscope, folded or csv, not 'perf'" \
    l.db --format perf
usage "metric for massif" "--metric does not apply to --format massif" l.db --format massif --metric bytes
usage "two metrics for folded" "takes one --metric" l.db --format folded --metric bytes,peak
usage "temporary for pprof" "allocs, bytes, peak or leaked" l.db --format pprof --metric temporary -o x
usage "unknown metric" "unknown metric 'big'" l.db --format speedscope --metric bytes,big
usage "--pid for csv" "massif only" l.db --format csv --pid 1
usage "bad time unit" "--time-unit must be ms or B" l.db --format massif --time-unit s
usage "bad pid" "--pid needs a process id" l.db --format massif --pid x
usage "unknown option" "unknown option '--frobnicate'" l.db --format csv --frobnicate
usage "two databases" "one database only" l.db l.db --format csv
usage "missing value" "option -o needs a value" l.db --format csv -o
usage "-o the database" "-o ./l.db is the database itself" l.db --format csv -o ./l.db
check_eq "$(q l.db 'SELECT count(*) FROM allocations')" "3001" "the database untouched"

"$HEAPQL_BIN" export nosuch.db --format csv >"$T/o" 2>"$T/e"
check_eq "1|1" "$?|$(wc -l <"$T/e")" "missing database: exit 1, one line"
"$HEAPQL_BIN" export l.db --format csv -o "$T/nodir/x.csv" 2>"$T/e"
check_eq 1 "$?" "unwritable -o: exit 1"
check_match "^heapql: cannot create .*/nodir/x.csv: No such file or directory$" "$(cat "$T/e")" "message"
if [ -w /dev/full ]; then
    "$HEAPQL_BIN" export l.db --format csv >/dev/full 2>"$T/e"
    check_eq 1 "$?" "a full disk: exit 1"
fi

"$HEAPQL_BIN" export --help >"$T/o"
check_eq 0 "$?" "--help: exit 0"
check_match "^usage: heapql export DB --format massif\|pprof\|speedscope\|folded\|csv" "$(cat "$T/o")" "--help: usage"

# pprof refuses a terminal (script(1) gives the command one)
if command -v script >/dev/null 2>&1; then
    script -qec "'$HEAPQL_BIN' export l.db --format pprof" /dev/null >"$T/o" 2>&1
    check_eq 2 "$?" "pprof to a terminal: exit 2"
    check_match "a pprof profile is binary" "$(cat "$T/o")" "pprof to a terminal: message"
fi
finish
