# lib.sh -- sourced by every end-to-end test.  Environment from ctest:
#   HEAPQL_BIN (the heapql command), HEAPQL_SHIM (libheapql.so),
#   HQ_PROGS (tests/progs binaries), HQ_EXAMPLES, HQ_SRC (source tree).
set -u
: "${HEAPQL_BIN:?run through ctest}"
T=$(mktemp -d "${TMPDIR:-/tmp}/heapql-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
FAILS=0
CHECKS=0

# q DB SQL: one value (or rows, '|' separated) from the database.
q() { sqlite3 -batch -noheader "$1" "$2"; }

# check_eq EXPECTED ACTUAL WHAT
check_eq() {
    CHECKS=$((CHECKS + 1))
    if [ "$1" != "$2" ]; then
        FAILS=$((FAILS + 1))
        echo "FAIL: $3: expected '$1', got '$2'" >&2
    fi
}

# check_true WHAT COMMAND...: the command must succeed.
check_true() {
    local what=$1; shift
    CHECKS=$((CHECKS + 1))
    if ! "$@"; then
        FAILS=$((FAILS + 1))
        echo "FAIL: $what" >&2
    fi
}

# check_match REGEX TEXT WHAT
check_match() {
    CHECKS=$((CHECKS + 1))
    if ! printf '%s' "$2" | grep -Eq -- "$1"; then
        FAILS=$((FAILS + 1))
        echo "FAIL: $3: '$1' not found in: $2" >&2
    fi
}

# record DB PROG ARGS...: heapql run into DB, program output to $T/out, the
# summary to $T/err; sets RC to heapql's exit status.
record() {
    local db=$1; shift
    "$HEAPQL_BIN" run -o "$db" -- "$@" >"$T/out" 2>"$T/err"
    RC=$?
}

finish() {
    echo "$(basename "$0"): $CHECKS checks, $FAILS failed"
    [ "$FAILS" -eq 0 ]
    exit $?
}

# qm DB SQL: like q, with a temp view `mine`: the allocations whose innermost
# frame is in the process's main executable (not libc, ld.so or the shim).
qm() {
    sqlite3 -batch -noheader "$1" "CREATE TEMP VIEW mine AS
        SELECT a.* FROM allocations a JOIN callsites c ON c.id = a.callsite_id
        JOIN frames f ON f.id = c.frame_id JOIN modules m ON m.id = f.module_id
        WHERE m.is_main = 1; $2"
}
