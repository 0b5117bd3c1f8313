# Binaries as users have them: optimized with inlining, debug info in a
# separate file (.gnu_debuglink), stripped of debug info, stripped of all
# symbols, replaced after the recording (build-id mismatch), deleted.
# Built here from tests/progs/sym_prog.c with gcc, objcopy and strip.
. "$(dirname "$0")/lib.sh"

C=$HQ_SRC/tests/progs/sym_prog.c
line_of() { grep -n "@$1\b" "$C" | cut -d: -f1; }
innermost() {
    q "$1" "SELECT ifnull(f.function, '-') || '|' || ifnull(f.line, '-') || '|' || f.inlined
            FROM allocations a JOIN callsites c ON c.id = a.callsite_id
            JOIN frames f ON f.id = c.frame_id WHERE a.size = $2"
}
status_of() {
    q "$1" "SELECT s.status FROM symbolization s JOIN modules m ON m.id = s.module_id
            WHERE m.path = '$T/$2'"
}
# record_raw DB PROG: record without symbolizing.
record_raw() {
    "$HEAPQL_BIN" run --no-symbolize -o "$1" -- "$T/$2" >"$T/out" 2>"$T/err"
    RC=$?
}
# symbolize DB: heapql symbolize, stdout in $T/sym, stderr in $T/symerr.
symbolize() {
    "$HEAPQL_BIN" symbolize "$1" >"$T/sym" 2>"$T/symerr"
    SRC_RC=$?
}

check_true "gcc -O2" gcc -O2 -g -fno-optimize-sibling-calls -fno-omit-frame-pointer -o opt "$C"

# -O2: the inline chain still gives every line.
record_raw o.db opt
check_eq 0 "$RC" "opt: exit status"
symbolize o.db
check_eq 0 "$SRC_RC" "opt: symbolize status"
check_match "^o.db: [0-9]+ frames, [0-9]+ with a function name" "$(cat "$T/sym")" "summary line"
check_eq "ok" "$(status_of o.db opt)" "opt: status"
check_eq "leaf_alloc|$(line_of leaf_malloc)|0" "$(innermost o.db 11)" "opt: plain call"
check_eq "inl_alloc|$(line_of inl_malloc)|1" "$(innermost o.db 22)" "opt: inlined call"
check_eq "outer|$(line_of outer_call)" \
    "$(q o.db "SELECT i.function || '|' || i.line FROM allocations a JOIN callsites c
               ON c.id = a.callsite_id JOIN frame_inlines i ON i.frame_id = c.frame_id
               WHERE a.size = 22 AND i.depth = 0")" "opt: real function of the inlined call"
symbolize o.db
check_eq 0 "$SRC_RC" "second symbolize: status"
check_eq "o.db: already symbolized" "$(head -1 "$T/sym")" "second symbolize: nothing to do"

# Debug info in a separate file found through .gnu_debuglink.
objcopy --only-keep-debug opt opt_dl.debug &&
    objcopy --strip-debug --add-gnu-debuglink=opt_dl.debug opt opt_dl
record_raw d.db opt_dl
symbolize d.db
check_eq "ok" "$(status_of d.db opt_dl)" "debuglink: status"
check_eq "$T/opt_dl.debug" "$(q d.db "SELECT s.debug_file FROM symbolization s JOIN modules m
                                      ON m.id = s.module_id WHERE m.path = '$T/opt_dl'")" \
    "debuglink: debug file"
check_eq "inl_alloc|$(line_of inl_malloc)|1" "$(innermost d.db 22)" "debuglink: inlined call"

# No debug info: names from the symbol table, no lines.
strip --strip-debug -o opt_sd opt
record_raw s.db opt_sd
symbolize s.db
check_eq 0 "$SRC_RC" "strip-debug: symbolize status"
check_eq "symtab" "$(status_of s.db opt_sd)" "strip-debug: status"
check_eq "leaf_alloc|-|0" "$(innermost s.db 11)" "strip-debug: function from the symbol table"
check_match "^  symtab +$T/opt_sd: no debug info" "$(cat "$T/sym")" "strip-debug: listed"

# No symbols at all: module+offset.
strip --strip-all -o opt_sa opt
record_raw a.db opt_sa
symbolize a.db
check_eq "symtab" "$(status_of a.db opt_sa)" "strip-all: status"
check_eq "-|-|0" "$(innermost a.db 11)" "strip-all: no function"
check_match '^"?opt_sa\+0x[0-9a-f]+$' \
    "$("$HEAPQL_BIN" sql --csv a.db "SELECT stack(callsite_id) FROM allocations WHERE size = 11" |
       sed -n 2p)" "strip-all: module+offset"

# The binary changed after the recording: not used.
cp opt opt_mm
record_raw m.db opt_mm
check_true "rebuild" gcc -O0 -g -o opt_mm "$C"
symbolize m.db
check_eq 1 "$SRC_RC" "mismatch: symbolize status"
check_eq "mismatch" "$(status_of m.db opt_mm)" "mismatch: status"
check_eq "-|-|0" "$(innermost m.db 11)" "mismatch: frame left alone"
check_match "^  mismatch +$T/opt_mm has build-id [0-9a-f]+, the recording [0-9a-f]+" \
    "$(cat "$T/sym")" "mismatch: listed"
check_eq "heapql: 1 binary could not be used: its frames stay unsymbolized" \
    "$(cat "$T/symerr")" "mismatch: one line on stderr"
check_eq "__libc_start_call_main" "$(q m.db "SELECT function FROM frames
                                              WHERE function = '__libc_start_call_main'")" \
    "mismatch: other modules symbolized"

# The binary is gone.
cp opt opt_gone
record_raw g.db opt_gone
rm opt_gone
symbolize g.db
check_eq 1 "$SRC_RC" "missing: symbolize status"
check_eq "missing" "$(status_of g.db opt_gone)" "missing: status"
check_match "^  missing +$T/opt_gone: No such file or directory" "$(cat "$T/sym")" "missing: listed"
finish
