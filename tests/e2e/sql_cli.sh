# heapql sql: output formats, statements from stdin, SQL errors, the TEMP
# helpers leaving the file alone, symbolizing on first use, bad input.
. "$(dirname "$0")/lib.sh"

H=$HEAPQL_BIN
"$H" run --no-symbolize -o p.db -- "$HQ_PROGS/sym_prog" >/dev/null 2>&1
check_eq "" "$(q p.db "SELECT value FROM meta WHERE key = 'symbolized'")" "recorded unsymbolized"

# Formats.  The first query symbolizes the database.
check_eq "a  bb  c
-  --  -
1  xy
2  x" "$("$H" sql p.db "SELECT 1 AS a, 'xy' AS bb, NULL AS c UNION ALL SELECT 2, 'x', NULL")" \
    "table: header, aligned, numbers right"
check_eq 1 "$(q p.db "SELECT value FROM meta WHERE key = 'symbolized'")" "symbolized on first use"
check_eq "n
--
 7
12" "$("$H" sql p.db "SELECT 7 AS n UNION ALL SELECT 12")" "table: right-aligned numbers"
check_eq "s  n
-  -
a  1
b" "$("$H" sql p.db "SELECT 'a' || char(10) || 'b' AS s, 1 AS n")" "table: a cell of two lines"
check_eq 'a,b
1,"x,""y"""
,2.5' "$("$H" sql --csv p.db "SELECT 1 AS a, 'x,\"y\"' AS b UNION ALL SELECT NULL, 2.5")" "csv"
"$H" sql --json p.db "SELECT size, kind_name(kind) AS kind, NULL AS z, 'é\"' AS t
                      FROM allocations WHERE size IN (11, 22) ORDER BY size" >j.json
check_eq "1|2|11|malloc|1|é\"|22" \
    "$(sqlite3 :memory: "SELECT json_valid(x), json_array_length(x), json_extract(x, '\$[0].size'),
       json_extract(x, '\$[0].kind'), json_type(x, '\$[0].z') = 'null', json_extract(x, '\$[0].t'),
       json_extract(x, '\$[1].size') FROM (SELECT readfile('j.json') AS x)")" "json"
check_eq "[]" "$("$H" sql --json p.db "SELECT 1 WHERE 0")" "json: no rows"

# The helpers.
cs=$(q p.db "SELECT callsite_id FROM allocations WHERE size = 22")
check_eq "inl_alloc|1 outer|0 main|0" \
    "$("$H" sql --csv p.db "SELECT function || '|' || inlined FROM callsite_frames
                            WHERE callsite_id = $cs AND depth < 3" | tail -n +2 | tr '\n' ' ' |
       sed 's/ $//')" "callsite_frames"
check_match "^inl_alloc \(.*sym_prog.c:[0-9]+\) \[inlined\]$" \
    "$("$H" sql --csv p.db "SELECT stack($cs)" | sed -n 2p | tr -d '"')" "stack(): inlined frame"
check_eq "malloc" "$("$H" sql --csv p.db "SELECT kind_name(0)" | tail -1)" "kind_name()"

# Statements from stdin (not a terminal): ';' ends them, across lines;
# '.quit' stops; the last one may lack its ';'.
out=$(printf 'SELECT 1 AS one;\nSELECT\n 2 AS two; SELECT 3 AS three\n' | "$H" sql --csv p.db)
check_eq "one
1
two
2
three
3" "$out" "stdin statements"
out=$(printf '.mode csv\nSELECT 4 AS x;\n.quit\nSELECT 5;\n' | "$H" sql p.db)
check_eq "x
4" "$out" "stdin .mode and .quit"
out=$(printf 'SELECT nope;\nSELECT 6 AS y;\n' | "$H" sql --csv p.db 2>"$T/e")
check_eq "1|y
6" "$?|$out" "stdin: an error does not stop the rest, exit 1"
check_eq "heapql: sql error: no such column: nope" "$(cat "$T/e")" "stdin: the error"

# SQL errors: one line, exit 1.
"$H" sql p.db "SELECT nope" >"$T/o" 2>"$T/e"
check_eq "1|heapql: sql error: no such column: nope|" "$?|$(cat "$T/e")|$(cat "$T/o")" "bad SQL"
"$H" sql p.db "DELETE FROM frames" 2>"$T/e"
check_eq "1|heapql: sql error: attempt to write a readonly database" "$?|$(cat "$T/e")" \
    "the database is read-only"
check_eq "9" "$("$H" sql --csv p.db "CREATE TEMP TABLE t AS SELECT 9 AS v; SELECT v FROM t" |
               tail -1)" "TEMP tables work"
"$H" sql p.db "SELECT 1; SELECT nope; SELECT 2" >"$T/o" 2>/dev/null
check_eq "1|1" "$?|$(tail -1 "$T/o")" "the first error stops a QUERY"

# Plain sqlite3 sees the file as the collector left it.
check_eq "0|ok" "$(q p.db "SELECT count(*) FROM sqlite_schema WHERE name LIKE '%callsite_frames%'")|$(
    q p.db "PRAGMA integrity_check")" "no trace in the file"

# Usage errors: exit 2.
"$H" sql 2>/dev/null
check_eq 2 "$?" "sql without a database"
"$H" sql --bogus p.db 2>/dev/null
check_eq 2 "$?" "sql with an unknown option"
"$H" symbolize 2>/dev/null
check_eq 2 "$?" "symbolize without a database"

# Bad input for both commands: one line, exit 1, no crash.
echo "not a database" >text.db
: >empty.db
head -c 3000 p.db >trunc.db
cp p.db newer.db && sqlite3 newer.db "PRAGMA user_version = 9"
cp p.db live.db && sqlite3 live.db "UPDATE meta SET value = 'recording' WHERE key = 'status';
    INSERT OR REPLACE INTO meta VALUES ('collector_pid', $$); DELETE FROM meta WHERE key = 'symbolized'"
for cmd in sql symbolize; do
    for f in text empty trunc newer missing; do
        if [ $cmd = sql ]; then "$H" sql $f.db "SELECT 1" >"$T/o" 2>"$T/e"; else
            "$H" symbolize $f.db >"$T/o" 2>"$T/e"; fi
        rc=$?
        check_eq "1|1|0" "$rc|$(wc -l <"$T/e")|$(wc -c <"$T/o")" "$cmd $f.db: exit 1, one line"
        check_match "^heapql: .*$f\.db" "$(cat "$T/e")" "$cmd $f.db: message names the file"
    done
done
check_match "not a SQLite database" "$("$H" sql text.db "SELECT 1" 2>&1)" "text file"
check_match "newer than this heapql" "$("$H" sql newer.db "SELECT 1" 2>&1)" "newer schema"

# Still being recorded: sql warns and answers; symbolize refuses.
out=$("$H" sql --csv live.db "SELECT count(*) AS n FROM allocations WHERE size = 11" 2>"$T/e")
check_eq "0|n
1" "$?|$out" "live: answered"
check_match "^heapql: warning: live.db is still being recorded" "$(cat "$T/e")" "live: warned"
check_eq "" "$(q live.db "SELECT value FROM meta WHERE key = 'symbolized'")" "live: not symbolized"
"$H" symbolize live.db >/dev/null 2>"$T/e"
check_eq "1|heapql: live.db is still being recorded: symbolize it when the recording ends" \
    "$?|$(cat "$T/e")" "live: symbolize refuses"
finish
