# Symbolization of real recordings: tests/progs/sym_prog.c (a plain call,
# an inlined call, main itself) and sym_cxx.cpp (demangled C++ names) must
# come out with exactly the functions and lines their markers name.
. "$(dirname "$0")/lib.sh"

SRC=$HQ_SRC/tests/progs
# line_of MARK FILE: the line holding "@MARK".
line_of() { grep -n "@$1\b" "$2" | cut -d: -f1; }

# innermost DB SIZE: function|line|inlined of the innermost frame of the
# allocation of SIZE bytes; parent DB SIZE: the same one callsite out.
innermost() {
    q "$1" "SELECT f.function || '|' || f.line || '|' || f.inlined FROM allocations a
            JOIN callsites c ON c.id = a.callsite_id JOIN frames f ON f.id = c.frame_id
            WHERE a.size = $2"
}
parent() {
    q "$1" "SELECT f.function || '|' || f.line FROM allocations a
            JOIN callsites c ON c.id = a.callsite_id JOIN callsites p ON p.id = c.parent_id
            JOIN frames f ON f.id = p.frame_id WHERE a.size = $2"
}

C=$SRC/sym_prog.c
record p.db "$HQ_PROGS/sym_prog"
check_eq 0 "$RC" "sym_prog exit status"
check_eq "sym_prog 1" "$(cat "$T/out")" "sym_prog output"
check_eq 1 "$(q p.db "SELECT value FROM meta WHERE key = 'symbolized'")" "symbolized by run"
check_eq "ok" "$(q p.db "SELECT s.status FROM symbolization s JOIN modules m ON m.id = s.module_id
                         WHERE m.path LIKE '%/sym_prog'")" "status of the program"

check_eq "leaf_alloc|$(line_of leaf_malloc "$C")|0" "$(innermost p.db 11)" "plain call: innermost"
check_eq "main|$(line_of main_leaf "$C")" "$(parent p.db 11)" "plain call: caller"
check_eq "$C" "$(q p.db "SELECT f.file FROM allocations a JOIN callsites c ON c.id = a.callsite_id
                         JOIN frames f ON f.id = c.frame_id WHERE a.size = 11")" "plain call: file"
check_eq "main|$(line_of main_malloc "$C")|0" "$(innermost p.db 33)" "malloc in main"

# The inlined call: the frame names inl_alloc, its chain says where outer
# called it; one callsite out is main calling outer.
check_eq "inl_alloc|$(line_of inl_malloc "$C")|1" "$(innermost p.db 22)" "inlined: innermost"
check_eq "0|outer|$(line_of outer_call "$C") 1|inl_alloc|$(line_of inl_malloc "$C")" \
    "$(q p.db "SELECT i.depth || '|' || i.function || '|' || i.line FROM allocations a
               JOIN callsites c ON c.id = a.callsite_id JOIN frame_inlines i ON i.frame_id = c.frame_id
               WHERE a.size = 22 ORDER BY i.depth" | tr '\n' ' ' | sed 's/ $//')" "inlined: chain"
check_eq "main|$(line_of main_outer "$C")" "$(parent p.db 22)" "inlined: caller"

# The same through heapql sql.
out=$("$HEAPQL_BIN" sql --csv p.db "SELECT depth, function, line, inlined FROM callsite_frames
        WHERE callsite_id = (SELECT callsite_id FROM allocations WHERE size = 22) AND depth < 3")
check_eq "depth,function,line,inlined
0,inl_alloc,$(line_of inl_malloc "$C"),1
1,outer,$(line_of outer_call "$C"),0
2,main,$(line_of main_outer "$C"),0" "$out" "callsite_frames of the inlined call"
out=$("$HEAPQL_BIN" sql --csv p.db "SELECT stack(callsite_id) AS s FROM allocations WHERE size = 11")
check_eq "s
\"leaf_alloc ($C:$(line_of leaf_malloc "$C"))
main ($C:$(line_of main_leaf "$C"))" "$(printf '%s\n' "$out" | head -3)" "stack() of the plain call"

# C++: demangled, qualified names with their parameters.
X=$SRC/sym_cxx.cpp
record x.db "$HQ_PROGS/sym_cxx"
check_eq 0 "$RC" "sym_cxx exit status"
check_eq "geo::Shape::Shape(int)|$(line_of ctor_new "$X")|0" "$(innermost x.db 41)" "constructor"
check_eq "geo::Shape::make(int)|$(line_of make_new "$X")" "$(parent x.db 41)" "static member"
check_eq "char* geo::fresh<char>(int)|$(line_of fresh_new "$X")|0" "$(innermost x.db 43)" \
    "template instance (char)"
check_eq "long* geo::fresh<long>(int)|$(line_of fresh_new "$X")|0" "$(innermost x.db 48)" \
    "template instance (long)"

# Code outside every module, named from the perf map the program wrote.
record j.db "$HQ_PROGS/sym_jit"
jit_pid=$(cat "$T/out")
if [ "$jit_pid" != unsupported ]; then
    rm -f "/tmp/perf-$jit_pid.map"
    check_eq 0 "$RC" "sym_jit exit status"
    check_eq "|jitted_alloc_99" "$(q j.db "SELECT ifnull(f.module_id, '') || '|' || f.function
            FROM allocations a JOIN callsites c ON c.id = a.callsite_id
            JOIN frames f ON f.id = c.frame_id WHERE a.size = 99")" "JIT frame named"
fi
finish
