# Fault matrix, stacks deeper than the depth limit: 500 levels of
# recursion recorded with --depth 64 and the default 128.  Stacks are cut
# to the innermost frames (so their outermost recorded frame is dive, not
# main), counts and sizes stay exact.
. "$(dirname "$0")/lib.sh"
. "$HQ_SRC/tests/fuzz/rel_lib.sh"

for depth in 64 128; do
    if [ "$depth" = 128 ]; then
        record d$depth.db "$HQ_PROGS/rel_deep" 500 10
    else
        "$HEAPQL_BIN" run -q --depth 64 -o d$depth.db -- "$HQ_PROGS/rel_deep" 500 10 >out 2>err; RC=$?
    fi
    db=d$depth.db
    check_eq 0 "$RC" "depth $depth: exit status"
    check_eq complete "$(meta $db status)" "depth $depth: status"
    check_eq "$depth" "$(meta $db depth)" "depth $depth: recorded limit"
    check_eq "10|3330|500|167000" "$(q $db 'SELECT sum(size = 333), sum(CASE WHEN size = 333 THEN size END),
        sum(size = 334), sum(CASE WHEN size = 334 THEN size END) FROM allocations')" "depth $depth: exact counts"
    check_eq "$((depth - 1))" "$(q $db 'SELECT max(depth) FROM callsites')" "depth $depth: no stack deeper than the limit"
    leaf=$(q $db 'SELECT callsite_id FROM allocations WHERE size = 333 LIMIT 1')
    check_eq "$((depth - 1))|dive|dive" "$(q $db "WITH RECURSIVE s(id, parent_id, frame_id, depth) AS (
        SELECT id, parent_id, frame_id, depth FROM callsites WHERE id = $leaf
        UNION ALL SELECT c.id, c.parent_id, c.frame_id, c.depth FROM callsites c JOIN s ON c.id = s.parent_id)
        SELECT (SELECT depth FROM callsites WHERE id = $leaf),
               (SELECT f.function FROM s JOIN frames f ON f.id = s.frame_id WHERE s.depth = 0),
               (SELECT f.function FROM s JOIN frames f ON f.id = s.frame_id WHERE s.id = $leaf)")" \
        "depth $depth: the innermost frames are kept"
    # shallow blocks (near main) keep the whole stack down to main
    check_eq 1 "$(q $db "SELECT count(*) FROM allocations a JOIN callsites c ON c.id = a.callsite_id
        WHERE a.size = 334 AND a.id = (SELECT min(id) FROM allocations WHERE size = 334) AND c.depth < $((depth - 1))")" \
        "depth $depth: a shallow stack is whole"
    out=$("$HEAPQL_BIN" report $db top 2>rep.err); rc=$?
    check_eq 0 "$rc" "depth $depth: report top"
    check_match "dive" "$out" "depth $depth: report shows dive"
    no_crash_in rep.err "depth $depth: report"
done
finish
