# Security: files 0600 and never through a symlink (the database, its
# -wal/-shm/-journal, the --live log), a private socket directory, a ring
# with no name in any file system, nothing added to the program that a
# child could misuse (environment and descriptors), and no crossing between
# users.  docs/RELIABILITY.md, "Security".
. "$(dirname "$0")/lib.sh"
. "$HQ_SRC/tests/fuzz/rel_lib.sh"
H=$HEAPQL_BIN
echo secret >victim

# Symlinks planted at the database's side files are removed, not followed.
for s in -wal -shm -journal; do ln -s victim "s.db$s"; done
"$H" run -q -o s.db -- "$HQ_PROGS/rec_env" >out 2>err; rc=$?
check_eq 0 "$rc" "recording next to planted symlinks"
check_eq secret "$(cat victim)" "the symlinks' target is untouched"
check_eq 0 "$(find . -maxdepth 1 -type l -name 's.db*' | wc -l)" "planted symlinks are gone"
check_eq complete "$(meta s.db status)" "and the recording is complete"

# 0600 whatever the umask; the live -wal and -shm too.
(umask 000; "$H" run -q -o u.db -- "$HQ_PROGS/rec_env" >/dev/null 2>&1)
check_eq 600 "$(stat -c %a u.db)" "database 0600 under umask 000"
(umask 000; LD_PRELOAD="$HEAPQL_SHIM" HEAPQL_OUTPUT="$T/su.db" HEAPQL_BIN="$H" "$HQ_PROGS/rec_env" >/dev/null)
check_true "standalone database written" wait_until 30 eval '[ "$(meta su.db status)" = complete ]'
check_eq 600 "$(stat -c %a su.db)" "standalone database 0600 under umask 000"
(umask 000; "$H" run -q -o w.db -- "$HQ_PROGS/rel_collkill" "$T" 10 10 >/dev/null 2>&1 &)
check_true "live recording" wait_until 60 test -e "$T/ready"
check_eq "600 600" "$(stat -c %a w.db-wal w.db-shm | xargs)" "live -wal and -shm 0600 under umask 000"
touch "$T/go"
check_true "live recording ends" wait_until 60 eval '[ "$(meta w.db status)" = complete ]'

# --live: the program's log is never opened through a symlink.
if command -v script >/dev/null; then
    ln -s victim l.db.log
    script -qec "$H run --live -o l.db -- $HQ_PROGS/rec_env" /dev/null >out 2>&1 </dev/null; rc=$?
    check_eq 1 "$rc" "--live refuses a symlinked log"
    check_match "cannot create l\.db\.log" "$(cat out)" "--live log message"
    check_eq secret "$(cat victim)" "the log symlink's target is untouched"
    check_true "no database for a refused log" test ! -e l.db
fi

# What the program sees: run it bare, then under heapql, from one clean
# environment.
clean=(env -i PATH=/usr/bin:/bin HOME=/nonexistent FOO=bar HEAPQL_SHIM="$HEAPQL_SHIM")
"${clean[@]}" "$HQ_PROGS/rel_fdenv" >bare.txt 2>err
"${clean[@]}" "$H" run -q -o fd.db -- "$HQ_PROGS/rel_fdenv" >run.txt 2>err; rc=$?
check_eq 0 "$rc" "fd/env program"
env_of() { sed -n 's/^env \([^=]*\)=.*/\1/p' "$1" | sort | xargs; }
check_eq "$(echo $(env_of bare.txt) HEAPQL_SOCKET LD_PRELOAD | xargs -n1 | sort | xargs)" "$(env_of run.txt)" \
    "environment: exactly LD_PRELOAD and HEAPQL_SOCKET added"
check_eq "env LD_PRELOAD=$HEAPQL_SHIM" "$(grep '^env LD_PRELOAD=' run.txt)" "LD_PRELOAD is the shim only"
check_eq "sockdir 700 $(id -u)" "$(grep '^sockdir ' run.txt)" "socket directory: ours, 0700"
check_eq "sock socket" "$(grep '^sock ' run.txt)" "HEAPQL_SOCKET names a socket"
check_eq "map /memfd:heapql-ring (deleted)" "$(grep '^map ' run.txt)" "the ring is a memfd, in no file system"
fds() { grep "^$2fd " "$1" | awk '{ print $(NF - 2), $(NF - 1), $NF }'; }
# Extra descriptors in the program: only libunwind's close-on-exec pipe.
extra=$(comm -13 <(fds bare.txt "" | sort) <(fds run.txt "" | sort))
check_eq "" "$(echo "$extra" | grep -v '^[0-9]* cloexec pipe$' | grep .)" \
    "no descriptor of heapql but libunwind's close-on-exec pipe ($(echo $extra))"
check_eq "$(fds bare.txt 'exec ')" "$(fds run.txt 'exec ')" "a program exec'd from a recorded one gets nothing"
check_eq "$(fds run.txt '')" "$(fds run.txt 'child ')" "a fork child after its handshake: nothing new"
check_eq 0 "$(grep -c 'memfd\|socket' <(fds run.txt ''))" "ring and socket descriptors are closed"

# Standalone: HEAPQL_OUTPUT gives way to HEAPQL_SOCKET, nothing else changes.
"${clean[@]}" LD_PRELOAD="$HEAPQL_SHIM" HEAPQL_OUTPUT="$T/sa.db" HEAPQL_BIN="$H" "$HQ_PROGS/rel_fdenv" >sa.txt 2>err
check_eq "$(echo $(env_of bare.txt) HEAPQL_BIN HEAPQL_SOCKET LD_PRELOAD | xargs -n1 | sort | xargs)" \
    "$(env_of sa.txt)" "standalone environment: HEAPQL_OUTPUT replaced by HEAPQL_SOCKET"
extra=$(comm -13 <(fds bare.txt "" | sort) <(fds sa.txt "" | sort))
check_eq "" "$(echo "$extra" | grep -v '^[0-9]* cloexec pipe$' | grep .)" "standalone: no descriptor left but libunwind's"
check_true "standalone recording finished" wait_until 30 eval '[ "$(meta sa.db status)" = complete ]'

# Other users: a process of another user cannot join our session (the
# socket directory is ours, 0700) and runs unrecorded; it cannot read our
# database either.
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
   "${nobody[@]}" test -r "$HEAPQL_SHIM" -a -x "$HQ_PROGS/rec_exit" -a -x "$H"; then
    rm -f "$T/ready" "$T/go" "$T/pid"
    "$H" run -q -o x.db -- "$HQ_PROGS/rel_collkill" "$T" 10 10 >/dev/null 2>&1 &
    hq=$!
    check_true "session started" wait_until 60 test -e "$T/ready"
    sock=$(tr '\0' '\n' <"/proc/$(cat "$T/pid")/environ" | sed -n 's/^HEAPQL_SOCKET=//p')
    chmod 755 "$T"
    out=$(cd / && "${nobody[@]}" env LD_PRELOAD="$HEAPQL_SHIM" HEAPQL_SOCKET="$sock" "$HQ_PROGS/rec_exit" 6 2>&1); rc=$?
    check_eq "6|" "$rc|$out" "another user's program runs, unharmed"
    touch "$T/go"
    wait "$hq"
    check_eq 0 "$(q x.db "SELECT count(*) FROM processes WHERE exe LIKE '%rec_exit'")" "and is not recorded"
    out=$(cd / && "${nobody[@]}" "$H" report "$T/x.db" 2>&1); rc=$?
    check_eq 1 "$rc" "another user cannot read the database"
    check_match "cannot open .*Permission denied" "$out" "message"
    chmod 700 "$T"
fi
finish
