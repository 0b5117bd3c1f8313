# Static analysis runs clean on the project's own code (scripts/lint.sh:
# cppcheck, and a syntax check of the test scripts).
. "$(dirname "$0")/lib.sh"
out=$("$HQ_SRC/scripts/lint.sh" 2>&1); rc=$?
check_eq 0 "$rc" "scripts/lint.sh is clean"
[ "$rc" = 0 ] || echo "$out" | head -40 >&2
finish
