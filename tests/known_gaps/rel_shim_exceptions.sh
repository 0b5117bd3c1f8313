# Known shim bug (docs/RELIABILITY.md, "Known gaps"): when the real
# operator new throws std::bad_alloc, libstdc++ allocates the exception
# object (__cxa_allocate_exception -> malloc) while the shim's hook still
# holds its recursion guard, so that malloc passes through unrecorded; the
# free of the exception after the catch is recorded, and the collector can
# only count it as a free of an unknown block.  A program that frees
# nothing it did not allocate should show no unknown frees.
# rel_oom throws 10 std::bad_alloc: expected 0 unknown frees, the shim
# currently makes 10.  (Fix belongs in shim/shim_cxx.c; this test fails
# until then.)
. "$HQ_SRC/tests/e2e/lib.sh"
. "$HQ_SRC/tests/fuzz/rel_lib.sh"

record o.db "$HQ_PROGS/rel_oom"
check_eq 0 "$RC" "exit status"
check_eq 0 "$(q o.db 'SELECT unknown_frees FROM processes')" \
    "no unknown frees after std::bad_alloc from operator new"
finish
