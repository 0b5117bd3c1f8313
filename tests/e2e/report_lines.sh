# report lines on tests/progs/rep_lines.c: per-line figures, self and
# inclusive, with the source text; a file instead of a function; a source
# file that cannot be found.
. "$(dirname "$0")/lib.sh"
H=$HEAPQL_BIN
SRC=$HQ_SRC/tests/progs/rep_lines.c
line_of() { grep -n "/\* $1 \*/" "$SRC" | head -1 | cut -d: -f1; }
LA=$(line_of LINE-A); LB=$(line_of LINE-B); LC=$(line_of LINE-C); LH=$(line_of LINE-HELPER)

record li.db "$HQ_PROGS/rep_lines"
check_eq 0 "$RC" "recording exit status"
file=$(q li.db "SELECT DISTINCT file FROM frames WHERE function='build'")
check_match "rep_lines\.c$" "$file" "symbolized source path"

out=$("$H" report li.db lines build 2>"$T/e"); rc=$?
check_eq 0 "$rc" "lines exit status"
check_eq "" "$(cat "$T/e")" "lines: nothing on stderr"
check_match "^build in .*rep_lines\.c, lines $((LA - 3))-$((LC + 3)) -- self" "$out" "header and range"
check_match "^$LA +1000 B +1000 B +0 B +1 +char \*a = malloc\(1000\); /\* LINE-A \*/$" "$out" "line A"
check_match "^$LB +void \*h = helper\(\); +/\* LINE-B \*/$" "$out" "line B has no self figures"
check_match "^$LC +100 B +100 B +100 B +1 +keep = calloc\(10, 10\); +/\* LINE-C \*/$" "$out" "line C"
check_match "^total +1\.07 KiB +1\.07 KiB +100 B +2$" "$out" "total"

csv=$("$H" report li.db lines build --inclusive --format csv)
check_match "^$file,$LA,1000,1000,0,1," "$csv" "inclusive line A"
check_match "^$file,$LB,200,200,0,1,    void \*h = helper\(\); " "$csv" "inclusive line B: the callee"
check_match "^$file,$LC,100,100,100,1," "$csv" "inclusive line C"

csv=$("$H" report li.db lines rep_lines.c --format csv)
check_match "^$file,1,,,,,/\*$" "$csv" "a file: from its first line"
check_match "^$file,$LH,200,200,0,1," "$csv" "a file: helper's line"
check_eq "$(wc -l < "$SRC")" "$(printf '%s\n' "$csv" | tail -n +2 | wc -l)" "a file: every line"

cp li.db gone.db
q gone.db "UPDATE frames SET file='/nonexistent/rep_lines.c' WHERE file='$file'" >/dev/null
out=$("$H" report gone.db lines build 2>"$T/e"); rc=$?
check_eq 1 "$rc" "missing source: exit 1"
check_eq "heapql: source file /nonexistent/rep_lines.c not found: figures shown without source text" "$(cat "$T/e")" "missing source: one line"
check_match "^$LA +1000 B +1000 B +0 B +1$" "$out" "missing source: the table is still there"

out=$("$H" report li.db lines nope 2>&1); rc=$?
check_eq 1 "$rc" "unknown target: exit 1"
check_match "^heapql: no function or source file named 'nope'" "$out" "unknown target message"
finish
