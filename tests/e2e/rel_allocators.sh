# A program that brings its own allocator through LD_PRELOAD (jemalloc and
# tcmalloc from Debian): `LD_PRELOAD=liballoc.so heapql run -- prog` puts
# libheapql.so first, so every call still goes through the shim and on to
# that allocator.  Exact figures, the same as under glibc's malloc.
. "$(dirname "$0")/lib.sh"
. "$HQ_SRC/tests/fuzz/rel_lib.sh"

expected="malloc|1001|10|6
malloc|1002|10|0
posix_memalign|1003|10|10
memalign|1005|10|10
valloc|1006|10|10
operator new|1007|10|0
operator new[]|1008|10|10
operator new(align)|1009|10|10
calloc|1010|10|0
aligned_alloc|1024|10|10
realloc|5002|10|10"

# hqrun LIB DB PROG: `LD_PRELOAD=LIB heapql run -o DB -- PROG`.  A sanitized
# heapql cannot have an allocator preloaded into itself (ASan must come
# first): there the program gets it through env, after the shim, as it would.
if ldd "$HEAPQL_BIN" | grep -q libasan; then
    hqrun() { "$HEAPQL_BIN" run -q -o "$2" -- env LD_PRELOAD="$HEAPQL_SHIM${1:+ $1}" "$3"; }
else
    hqrun() { LD_PRELOAD=$1 "$HEAPQL_BIN" run -q -o "$2" -- "$3"; }
fi

for lib in glibc libjemalloc.so.2 libtcmalloc_minimal.so.4; do
    pre=$lib; name=$lib
    [ "$lib" = glibc ] && pre=""
    case $lib in *jemalloc*) name=jemalloc ;; *tcmalloc*) name=tcmalloc ;; esac
    if [ -n "$pre" ] && ! ldconfig -p | grep -q "$lib"; then
        check_true "$lib is installed (scripts/deps.sh)" false
        continue
    fi
    hqrun "$pre" "$name.db" "$HQ_PROGS/rel_allocs" >out 2>err; rc=$?
    check_eq 0 "$rc" "$name: exit status"
    check_eq "allocator $name" "$(cat out)" "$name: the program runs on $name"
    check_eq "" "$(cat err)" "$name: nothing on stderr"
    check_eq complete "$(meta "$name.db" status)" "$name: status"
    check_eq "$expected" "$(q "$name.db" "SELECT k.name, a.size, count(*), sum(free_ns IS NULL)
        FROM allocations a JOIN kinds k ON k.id = a.kind
        WHERE a.size BETWEEN 1001 AND 5002 AND a.size != 4096
        AND a.alloc_ns > (SELECT start_ns FROM processes WHERE exe LIKE '%/rel_allocs')
        GROUP BY 1, 2 ORDER BY 2")" "$name: exact figures"
    # (the program's blocks: tcmalloc itself answers 0 for its very first block,
    # libstdc++'s exception pool, made before tcmalloc initializes)
    check_eq 0 "$(q "$name.db" 'SELECT count(*) FROM allocations WHERE usable_size < size
        AND size BETWEEN 1001 AND 5002')" "$name: usable sizes from $name"
    check_eq "0|0|0" "$(q "$name.db" "SELECT failed_allocs, unknown_frees, missed_frees FROM processes
        WHERE exe LIKE '%/rel_allocs'")" \
        "$name: nothing failed, unknown or missed"

    # 8 producers, 8 consumers: 1.6M blocks crossing threads (glibc: rec_threads.sh)
    [ -z "$pre" ] && continue
    hqrun "$pre" "$name-t.db" "$HQ_PROGS/rec_threads" >out 2>err; rc=$?
    check_eq "0|threads done" "$rc|$(cat out)" "$name: threads program"
    check_eq "complete|1600000|0" "$(meta "$name-t.db" status)|$(qm "$name-t.db" 'SELECT count(*),
        sum(free_ns IS NULL) FROM mine WHERE size = 48')" "$name: threads figures"
    check_eq "0|0" "$(q "$name-t.db" "SELECT unknown_frees, missed_frees FROM processes
        WHERE exe LIKE '%/rec_threads'")" \
        "$name: threads, every free paired"
done
finish
