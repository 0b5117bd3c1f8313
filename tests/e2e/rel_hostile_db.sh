# Hostile and broken databases, case by case (tests/e2e/rel_fuzz.sh throws
# random ones): every analyzer command (each report, sql, symbolize, frag)
# on each case ends within 10 s with a report (exit 0) or one clear line
# (exit 1 or 2); the cases that must be refused say why.
. "$(dirname "$0")/lib.sh"
. "$HQ_SRC/tests/fuzz/rel_lib.sh"
H=$HEAPQL_BIN
"$H" run -q -o good.db -- "$HQ_PROGS/rep_leaks" >/dev/null 2>&1
mkfifo fifo

# mk NAME SQL: a copy of good.db changed by SQL
mk() { cp good.db "$1.db"; q "$1.db" "$2" >/dev/null; }
head -c 50000 /dev/urandom >random.db
: >empty.db
head -c 70000 good.db >truncated.db
mk missing "DROP TABLE frames"
mk reshaped "DROP VIEW allocations; CREATE TABLE allocations(a, b); INSERT INTO allocations VALUES ('x', 1)"
mk reshapedrows "DROP TABLE alloc_rows; CREATE TABLE alloc_rows(a, b); INSERT INTO alloc_rows VALUES ('x', 1)"
mk textnum "UPDATE allocations SET size = 'big', alloc_ns = 'soon', free_ns = x'00ff';
            UPDATE callsites SET depth = 'deep'; UPDATE processes SET peak_ns = 'then'"
mk hugesize "UPDATE allocations SET size = 9223372036854775807"
mk negtime "UPDATE allocations SET alloc_ns = -9223372036854775808 WHERE id % 2 = 0"
mk hugestats "UPDATE callsite_stats SET alloc_bytes = 9223372036854775807, peak_bytes = 9223372036854775807,
              leaked_bytes = 9223372036854775807; UPDATE processes SET alloc_calls = 9223372036854775807"
mk selfparent "UPDATE callsites SET parent_id = id WHERE depth = 2"
mk loop "UPDATE callsites SET parent_id = (SELECT max(id) FROM callsites) WHERE parent_id IS NULL"
mk dangling "UPDATE allocations SET callsite_id = callsite_id + 1000000; UPDATE frames SET module_id = 999"
mk deep "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
         INSERT INTO callsites SELECT 1000000 + i, CASE i WHEN 1 THEN NULL ELSE 999999 + i END,
         (SELECT min(id) FROM frames), i - 1 FROM n;
         UPDATE allocations SET callsite_id = 1100000"
mk badschema "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = 'CREATE TABLE processes (' ||
               char(10) || 'id INTEGER,' || char(10) || ' \"unterminated' || char(10) WHERE name = 'processes'"
mk newer "PRAGMA user_version = 2"
mk noversion "PRAGMA user_version = 0"
mk nometa "DELETE FROM meta"
mk livepid "UPDATE meta SET value = 'recording' WHERE key = 'status'; UPDATE meta SET value = 1 WHERE key = 'collector_pid'"
mk hostilepath "UPDATE modules SET path = '$T/fifo' WHERE is_main = 1; DELETE FROM symbolization;
                UPDATE frames SET function = NULL, file = NULL, line = NULL; DELETE FROM meta WHERE key = 'symbolized'"
mk escapes "UPDATE frames SET function = char(27) || '[2J' || char(7) || 'evil' || char(10) || 'x';
            UPDATE processes SET exe = char(27) || ']0;title' || char(7)"

cmds=("report DB" "report DB top --inclusive" "report DB leaks" "report DB temporary"
      "report DB lines main" "report DB histogram" "report DB timeline" "report DB flamegraph"
      "report DB diff good.db" "report good.db diff DB" "report DB top --format json"
      "sql DB SELECT_STACK" "symbolize DB" "frag DB" "frag DB --format json")
for db in random empty truncated missing badschema reshaped reshapedrows textnum hugesize negtime hugestats \
          selfparent loop dangling deep newer noversion nometa livepid hostilepath escapes; do
    for c in "${cmds[@]}"; do
        read -r -a argv <<<"${c//DB/$db.db}"
        argv=("${argv[@]//SELECT_STACK/SELECT count(*), max(length(stack(callsite_id))) FROM allocations}")
        timeout 10 "$H" "${argv[@]}" >out 2>err; rc=$?
        what="$db: heapql ${argv[*]}"
        if [ "$rc" = 0 ]; then
            CHECKS=$((CHECKS + 1))
        else
            check_match "^[12]$" "$rc" "$what: exit status (124: hang)"
            check_eq 1 "$(grep -vc '^heapql: warning:' err)" "$what: one error line"
            check_eq 0 "$(grep -vc '^heapql: ' err)" "$what: nothing but heapql's lines"
        fi
        no_crash_in err "$what"
        check_eq 0 "$(grep -c $'\e' out)" "$what: no terminal escapes from the file reach the terminal"
    done
done

# What the refusals say.
expect() { # DB REGEX ARGS...
    local db=$1 re=$2; shift 2
    timeout 10 "$H" "$@" >out 2>err
    check_match "$re" "$(cat err)" "$db: heapql $*"
}
expect random "random\.db is not a SQLite database" report random.db
expect empty "empty\.db is empty" sql empty.db "SELECT 1"
expect truncated "malformed|damaged|not a heapql" frag truncated.db
expect missing "table 'frames' is missing" symbolize missing.db
expect badschema "malformed database schema \(processes\)" report badschema.db # on one line
expect hugesize "impossible size \(damaged database\)" report hugesize.db histogram
expect negtime "impossible alloc_ns \(damaged database\)" report negtime.db temporary
expect selfparent "cycle in callsites at id [0-9]+ \(damaged database\)" report selfparent.db leaks
expect loop "cycle in callsites" report loop.db top
expect deep "cycle in callsites" sql deep.db "SELECT stack(1100000)"
expect newer "schema version 2, newer than this heapql understands \(1\): upgrade heapql" sql newer.db "SELECT 1"
expect newer "schema version 2, newer" frag newer.db
expect newer "schema version 2, newer" symbolize newer.db
expect noversion "not a heapql database \(no schema version\)" report noversion.db
timeout 10 "$H" symbolize hostilepath.db >out 2>err
check_match "unreadable +$T/fifo is not a regular file" "$(cat out)" "hostilepath: a FIFO is not opened"
out=$(timeout 10 "$H" report hugestats.db 2>&1); rc=$?
check_eq 0 "$rc" "hugestats: figures beyond 2^63 saturate instead of overflowing"
check_match "9,223,372,036,854,775,807|8\.0+ EiB" "$out" "hugestats: the saturated figure"
out=$(timeout 10 "$H" report livepid.db 2>&1)
check_match "still recording" "$out" "a 'recording' file whose collector pid is alive reads as live"
finish
