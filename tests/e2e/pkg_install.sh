# cmake --install into a fresh prefix: the layout (binary, shim in
# lib/heapql, schema, man page, bash completion, docs), and the installed
# heapql recording a program with the installed shim -- through `heapql run`
# (heapql finds ../lib/heapql/libheapql.so) and through plain LD_PRELOAD
# (the shim finds ../../bin/heapql to collect) -- with no HEAPQL_SHIM or
# HEAPQL_BIN to help.
. "$(dirname "$0")/lib.sh"

BUILD=$(cd "$(dirname "$HEAPQL_BIN")/.." && pwd)
P=$T/prefix
cmake --install "$BUILD" --prefix "$P" >"$T/install.log" 2>&1
check_eq 0 "$?" "cmake --install (log: $(tail -3 "$T/install.log"))"
for f in bin/heapql lib/heapql/libheapql.so share/heapql/schema/v1.sql \
         share/heapql/schema/README.md share/man/man1/heapql.1.gz \
         share/bash-completion/completions/heapql share/doc/heapql/README.md \
         share/doc/heapql/EXPORTS.md; do
    check_true "installed $f" test -s "$P/$f"
done
check_true "bin/heapql is executable" test -x "$P/bin/heapql"
check_true "the schema as in the source" cmp -s "$P/share/heapql/schema/v1.sql" "$HQ_SRC/schema/v1.sql"
check_eq "$("$HEAPQL_BIN" --version)" "$("$P/bin/heapql" --version)" "--version"
check_eq 0 "$(find "$P" -path '*/tests/*' -o -name 'test_*' | wc -l)" "no test files installed"

# exp_procs' known figures in a database: the child's 16 x 8192 never freed
# (the recording's peak), the parent's 3 x 100 leaked.
check_procs() {
    local db=$1 how=$2
    check_eq "2|131072" "$(q "$db" 'SELECT count(*), max(peak_heap_bytes) FROM processes')" "$how: processes"
    check_eq "16|131072|child_work" "$(q "$db" "SELECT count(*), sum(a.size), f.function
        FROM leaks a JOIN callsites c ON c.id = a.callsite_id JOIN frames f ON f.id = c.frame_id
        WHERE a.size = 8192")" "$how: child_work's blocks, symbolized"
    check_eq "3|300" "$(q "$db" 'SELECT count(*), sum(size) FROM leaks WHERE size = 100')" "$how: parent's leaks"
}

env -u HEAPQL_SHIM -u HEAPQL_BIN "$P/bin/heapql" run -q -o r.db -- "$HQ_PROGS/exp_procs"
check_eq 0 "$?" "installed heapql run"
check_procs r.db "heapql run"
check_eq "$(readlink -f "$P/lib/heapql/libheapql.so")" \
    "$(q r.db "SELECT DISTINCT path FROM modules WHERE path LIKE '%libheapql.so'" | xargs -r readlink -f)" \
    "the program had the installed shim preloaded"

env -u HEAPQL_SHIM -u HEAPQL_BIN LD_PRELOAD="$P/lib/heapql/libheapql.so" HEAPQL_OUTPUT="$T/s.db" \
    "$HQ_PROGS/exp_procs"
check_eq 0 "$?" "standalone LD_PRELOAD run"
# the collector finishes, then symbolizes, in the background
meta_state() { q s.db "SELECT group_concat(value, '|') FROM (SELECT value FROM meta
                       WHERE key IN ('status', 'symbolized') ORDER BY key)" 2>/dev/null; }
for i in $(seq 1 300); do
    [ "$(meta_state)" = "complete|1" ] && break
    sleep 0.1
done
check_eq "complete|1" "$(meta_state)" "the installed collector finished and symbolized"
check_procs s.db "standalone"

# the man page renders without warnings (groff, what man runs); the completion completes
gzip -dc "$P/share/man/man1/heapql.1.gz" | groff -man -Tutf8 -ww -P-cbou >"$T/man.txt" 2>"$T/man.err"
check_eq "0|" "$?|$(cat "$T/man.err")" "groff renders the installed heapql.1 without warnings"
check_match "^EXIT STATUS" "$(cat "$T/man.txt")" "man: exit status section"
out=$(bash -c '. "$1"; COMP_WORDS=(heapql export x.db --format ""); COMP_CWORD=4; _heapql
               echo "${COMPREPLY[*]}"' _ "$P/share/bash-completion/completions/heapql")
check_eq "massif pprof speedscope folded csv" "$out" "installed completion"
finish
