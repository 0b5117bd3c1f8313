# export --format csv, read with python's csv module (what pandas'
# read_csv also parses): one row per allocation, the figures of the
# database, empty free_ns for leaks, the innermost function named.
. "$(dirname "$0")/lib.sh"

record l.db "$HQ_EXAMPLES/leaky"
check_eq 0 "$RC" "leaky ran"
"$HEAPQL_BIN" export l.db --format csv -o l.csv 2>"$T/e"
check_eq "0|" "$?|$(cat "$T/e")" "export csv"
out=$(python3 - l.csv <<'PYEOF' 2>&1
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print("header|" + ",".join(rows[0].keys()))
print("rows|%d|%d" % (len(rows), sum(int(r["size"]) for r in rows)))
print("leaks|%d|%d" % (sum(r["free_ns"] == "" for r in rows),
                       sum(int(r["size"]) for r in rows if r["free_ns"] == "")))
print("ids|%d" % all(int(r["id"]) == i + 1 for i, r in enumerate(rows)))
print("freed_after|%d" % all(int(r["free_ns"]) > int(r["alloc_ns"]) for r in rows if r["free_ns"]))
print("weights|%s" % ",".join(sorted(set(r["weight"] for r in rows))))
fn = collections.Counter((r["function"], r["kind"], r["size"]) for r in rows)
for k in sorted(fn):
    if fn[k] >= 100:
        print("fn|%s|%s|%s|%d" % (k + (fn[k],)))
PYEOF
)
check_match "^header\|id,pid,tid,kind,ptr,size,usable_size,alloc_ns,free_ns,callsite_id,function,weight$" \
    "$out" "header"
check_match "^rows\|$(q l.db 'SELECT count(*), sum(size) FROM allocations')$" "$out" "every allocation"
check_match "^leaks\|$(q l.db 'SELECT count(*), sum(size) FROM leaks')$" "$out" "free_ns empty = never freed"
check_match "^ids\|1$" "$out" "allocation order"
check_match "^freed_after\|1$" "$out" "free after alloc"
check_match "^weights\|1$" "$out" "every row one block (not a sampled run)"
check_match "^fn\|session_open\|malloc\|256\|1000$" "$out" "session_open's 1000 mallocs"
check_match "^fn\|format_reply\|malloc\|512\|1000$" "$out" "format_reply's"
check_match "^fn\|cache_put\|calloc\|1024\|1000$" "$out" "cache_put's callocs"
check_eq "$(q l.db 'SELECT ptr, usable_size, tid FROM allocations WHERE id = 7')" \
    "$(sed -n 8p l.csv | cut -d, -f5,7,3 | awk -F, '{print $2 "|" $3 "|" $1}')" "ptr, usable_size, tid as stored"
finish
