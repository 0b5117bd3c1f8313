# Every report in every format on real recordings: JSON parses and says
# which report it is, CSV rows all have the header's column count, text is
# non-empty; folded stacks parse as flamegraph.pl reads them.
. "$(dirname "$0")/lib.sh"
H=$HEAPQL_BIN
command -v python3 >/dev/null || { echo "report_formats.sh: python3 missing, skipped"; exit 0; }

record a.db "$HQ_PROGS/rep_leaks"
record b.db "$HQ_PROGS/rep_leaks" 7
record c.db "$HQ_PROGS/rep_lines"

json_ok() { python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d.get("report")==sys.argv[1] else 1)' "$1"; }
csv_ok() { python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
sys.exit(0 if rows and all(len(r) == len(rows[0]) for r in rows) else 1)'; }

run_all() { # DB REPORT ARGS...
    local db=$1 rep=$2; shift 2
    local name=${rep%% *}
    "$H" report "$db" $rep "$@" --format json >"$T/j" 2>"$T/e"
    check_eq 0 "$?" "$rep json: exit 0"
    check_true "$rep json parses" json_ok "$name" <"$T/j"
    "$H" report "$db" $rep "$@" --format csv >"$T/c" 2>"$T/e"
    check_eq 0 "$?" "$rep csv: exit 0"
    check_true "$rep csv is rectangular" csv_ok <"$T/c"
    "$H" report "$db" $rep "$@" >"$T/t" 2>"$T/e"
    check_eq 0 "$?" "$rep text: exit 0"
    check_true "$rep text not empty" test -s "$T/t"
}

run_all a.db summary
run_all a.db top --inclusive
run_all a.db leaks --all
run_all a.db temporary
run_all c.db "lines build"
run_all a.db histogram
run_all a.db timeline
run_all a.db "diff b.db"
run_all a.db flamegraph
run_all a.db top --from 0 --to peak

# flamegraph.pl's parse: the count after the last space, frames split on ';'
"$H" report c.db flamegraph --metric allocs > "$T/f"
check_eq 0 "$(python3 -c '
import sys
bad = 0
for line in open(sys.argv[1]):
    stack, _, n = line.rstrip("\n").rpartition(" ")
    bad += not (stack and n.isdigit() and all(stack.split(";")))
print(bad)' "$T/f")" "folded lines parse"
check_eq 3 "$(awk '{s += $NF} END {print s}' "$T/f")" "folded allocation count"
finish
