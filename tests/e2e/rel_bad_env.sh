# Malformed environment variables and options: one clear line each, the
# right exit status, nothing left behind; with `heapql run` the program
# does not start, with the standalone shim it runs on unrecorded.
. "$(dirname "$0")/lib.sh"
. "$HQ_SRC/tests/fuzz/rel_lib.sh"
H=$HEAPQL_BIN
P=$HQ_PROGS/rec_env
mkdir adir

# refused RC REGEX -- heapql run ARGS...: exit RC, one line, no program, no db
refused() {
    local want=$1 re=$2; shift 3
    "$H" run "$@" >out 2>err; local rc=$?
    check_eq "$want" "$rc" "exit status of: $*"
    check_eq 1 "$(wc -l <err)" "one line for: $*"
    check_match "^heapql: $re" "$(cat err)" "message for: $*"
    check_eq "" "$(cat out)" "the program did not start: $*"
}

for v in 0 1025 abc -1 12x " 5" 1e2; do
    HEAPQL_DEPTH=$v refused 1 "HEAPQL_DEPTH must be a whole number from 1 to 1024, not '$v'" -- -q -o d.db -- "$P"
done
for v in 0 3 2048 x -4 1.5 " 2"; do
    HEAPQL_RING_MB=$v refused 1 "HEAPQL_RING_MB must be a power of two from 1 to 1024 \(MiB\), not '$v'" -- -q -o d.db -- "$P"
done
HEAPQL_RING_MB=$(printf 'a\033[2Jb') refused 1 "HEAPQL_RING_MB must be .*not 'a\?\[2Jb'" -- -q -o d.db -- "$P"
check_true "no database for a malformed variable" test ! -e d.db
HEAPQL_RING_MB=2 "$H" run -q -o ok.db -- "$P" >out 2>err; rc=$?
check_eq "0|1" "$rc|$(qm ok.db 'SELECT count(*) FROM mine WHERE size = 99')" "HEAPQL_RING_MB=2 records"
HEAPQL_RING_MB=3 "$H" run -q --ring-mb 4 -o ok2.db -- "$P" >out 2>err; rc=$?
check_eq 0 "$rc" "--ring-mb overrides a malformed HEAPQL_RING_MB"

for v in 0 3 2048 abc ""; do
    refused 2 "--ring-mb must be" -- --ring-mb "$v" -o d.db -- "$P"
done
refused 2 "option --ring-mb needs a value" -- -o d.db --ring-mb
refused 2 "option --depth needs a value" -- -o d.db --depth
refused 2 "option -o needs a value" -- -o
refused 1 "no database path given" -- -o "" -- "$P"
refused 1 "cannot create adir: it is a directory" -- -o adir -- "$P"
refused 1 "refusing to replace adir: not a regular file" -- --force -o adir -- "$P"
refused 1 "cannot create /proc/heapql-test\.db: " -- -o /proc/heapql-test.db -- "$P"
refused 1 "cannot create nodir/x\.db: No such file or directory" -- -o nodir/x.db -- "$P"
refused 1 "/dev/null already exists" -- -o /dev/null -- "$P"
refused 1 "refusing to replace /dev/null: not a regular file" -- --force -o /dev/null -- "$P"
check_true "/dev/null is still a device" test -c /dev/null

# Standalone (LD_PRELOAD + HEAPQL_OUTPUT): the collector says why, once;
# the program runs with its own output and status.
standalone() { # REGEX WHAT HEAPQL_OUTPUT=PATH VAR=VALUE...
    local re=$1 what=$2 out=${3#HEAPQL_OUTPUT=}; shift 2
    env "$@" LD_PRELOAD="$HEAPQL_SHIM" HEAPQL_BIN="$H" "$HQ_PROGS/rec_exit" 5 >out 2>err; local rc=$?
    check_eq 5 "$rc" "standalone $what: the program's status"
    # `heapql collect` runs on its own: wait until it has said all it says
    check_true "standalone $what: the collector ends" \
        wait_until 30 eval '! pgrep -f -- "collect .*--output $out( |\$)" >/dev/null'
    check_eq 1 "$(wc -l <err)" "standalone $what: one line"
    check_match "^heapql: $re" "$(cat err)" "standalone $what: message"
}
standalone "cannot create $T/adir: it is a directory: not recording" "a directory" HEAPQL_OUTPUT="$T/adir"
standalone "cannot create /proc/x\.db: .*: not recording" "unwritable" HEAPQL_OUTPUT=/proc/x.db
touch exists.db
standalone "$T/exists\.db already exists .*: not recording" "an existing file" HEAPQL_OUTPUT="$T/exists.db"
check_eq 0 "$(stat -c %s exists.db)" "the existing file is untouched"
ln -s exists.db link.db
standalone "refusing|already exists|symbolic link" "a symlink" HEAPQL_OUTPUT="$T/link.db"
standalone "HEAPQL_RING_MB must be a power of two .*not '7': not recording" "bad ring" \
    HEAPQL_OUTPUT="$T/r.db" HEAPQL_RING_MB=7
check_true "no database for a bad ring size" test ! -e r.db
standalone "HEAPQL_DEPTH must be a whole number from 1 to 1024, not 'deep'" "bad depth" \
    HEAPQL_OUTPUT="$T/dp.db" HEAPQL_DEPTH=deep
finish
