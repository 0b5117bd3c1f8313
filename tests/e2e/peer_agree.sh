# Correctness against peers: on examples/leaky (1000 requests, every 10th
# leaks a 256-byte session), heapql's figures agree with valgrind's and
# heaptrack_print's, and every difference has a known cause:
#   - heaptrack counts one allocation more: the emergency exception pool that
#     libstdc++ allocates when heaptrack's own (C++) preload library loads
#     (about 72.7K, one call); its peak includes that pool.
#   - valgrind frees glibc's stdout buffer at exit (__libc_freeres), so its
#     "definitely lost" is heapql's leaks minus that one 4 KiB block, which
#     heapql (and heaptrack) report as never freed.
. "$(dirname "$0")/lib.sh"
prog="$HQ_EXAMPLES/leaky"

record h.db "$prog" 1000
check_eq 0 "$RC" "heapql run"
calls=$(q h.db 'SELECT count(*) FROM allocations')
bytes=$(q h.db 'SELECT sum(size) FROM allocations')
frees=$(q h.db 'SELECT count(*) FROM allocations WHERE free_ns IS NOT NULL')
leaked=$(q h.db 'SELECT sum(size) FROM leaks')
peak=$(q h.db 'SELECT peak_heap_bytes FROM processes')
mine_lost=$(qm h.db 'SELECT count(*) || " " || sum(size) FROM mine WHERE free_ns IS NULL')

# valgrind: the same calls, frees and bytes; definitely lost = the program's own leaks.
valgrind --leak-check=full "$prog" 1000 >/dev/null 2>vg.txt
usage=$(grep -o 'total heap usage: .*' vg.txt | tr -d ',')
check_eq "total heap usage: $calls allocs $((frees + 1)) frees $bytes bytes allocated" "$usage" \
    "valgrind: allocations, frees (+ the stdout buffer its freeres releases), bytes"
lost=$(grep -o 'definitely lost: [0-9,]* bytes in [0-9,]* blocks' vg.txt | tr -d ',' | awk '{print $6, $3}')
check_eq "$mine_lost" "$lost" "valgrind: definitely lost = heapql's leaks from the program"
check_eq "$leaked" "$(( $(echo "$mine_lost" | awk '{print $2}') + 4096 ))" "heapql: + the 4 KiB stdout buffer"

# heaptrack: one call more (its pool), the same leaks, the same peak beside its pool.
heaptrack -o "$T/ht" "$prog" 1000 >/dev/null 2>&1
heaptrack_print "$T"/ht.*zst >ht.txt 2>/dev/null || heaptrack_print "$T"/ht.*gz >ht.txt 2>/dev/null
check_eq "$((calls + 1))" "$(awk '/^calls to allocation functions:/ {print $5}' ht.txt)" \
    "heaptrack: calls = heapql's + its libstdc++ pool"
check_eq "$(awk -v b="$leaked" 'BEGIN {printf "%.2fK", b / 1000}')" \
    "$(awk '/^total memory leaked:/ {print $4}' ht.txt)" "heaptrack: leaked bytes"
pool=$(awk '/^1 calls to allocation functions with .*K peak consumption/ {v = $7; sub("K", "", v); if (v + 0 > m) m = v + 0} END {print m}' ht.txt)
htpeak=$(awk '/^peak heap memory consumption:/ {v = $5; sub("K", "", v); print v}' ht.txt)
check_true "heaptrack: peak $htpeak K - pool $pool K = heapql's $peak B (within rounding)" \
    awk -v h="$htpeak" -v p="$pool" -v q="$peak" 'BEGIN {d = (h - p) * 1000 - q; exit !(d < 20 && d > -20)}'
finish
