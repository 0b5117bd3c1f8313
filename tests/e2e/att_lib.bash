# att_lib.bash -- sourced by the tests/e2e/att_*.sh tests (after lib.sh):
# a program of known behaviour running on its own, `heapql attach` to it
# and away again.
#   att_start PROG ARGS...   start it (its stdin ours, output in $T/prog.out), APID its pid
#   att_attach DB ARGS...    heapql attach APID in the background (HPID), until
#                            it says it is attached (1 if it failed: $T/att.err)
#   att_detach               Ctrl-C (SIGINT) to heapql; ARC its exit status
#   att_wait_attach          heapql ended by itself (--duration); ARC its status
#   att_stop                 SIGTERM to the program; PRC its exit status
#   att_got PID              "object symbol -> object-pointed-to value" for every
#                            GOT slot of the executable and libc.so.6 that heapql
#                            attach patches
#   tags DB                  SQL view of the request tag blocks (size 40000 + id)
ATT_HOOKED="malloc free calloc realloc reallocarray posix_memalign aligned_alloc memalign
 valloc pvalloc mmap mmap64 munmap mremap brk sbrk dlopen dlclose exit _exit _Exit
 pthread_cancel _Znwm _Znam _ZdlPv _ZdaPv _ZdlPvm _ZdaPvm"

att_start() {
    "$@" <&0 >"$T/prog.out" 2>&1 & # <&0: a background job would read /dev/null
    APID=$!
    local i
    for i in $(seq 1 200); do # running main: libc mapped, past the dynamic loader
        grep -q 'libc\.so' "/proc/$APID/maps" 2>/dev/null && break
        sleep 0.01
    done
    sleep 0.2
}

att_attach() {
    local db=$1 i; shift
    "$HEAPQL_BIN" attach "$APID" -o "$db" "$@" >"$T/att.out" 2>"$T/att.err" &
    HPID=$!
    for i in $(seq 1 600); do
        grep -q "attached to process" "$T/att.err" 2>/dev/null && return 0
        kill -0 "$HPID" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

att_detach() {
    kill -INT "$HPID"
    wait "$HPID"
    ARC=$?
}

att_wait_attach() {
    wait "$HPID"
    ARC=$?
}

att_stop() {
    kill -TERM "$APID"
    wait "$APID"
    PRC=$?
}

att_got() {
    python3 - "$1" $ATT_HOOKED <<'EOF'
import os, subprocess, sys
pid, names = int(sys.argv[1]), set(sys.argv[2:])
spans, bases = [], {}
for line in open(f"/proc/{pid}/maps"):
    f = line.split()
    lo, hi = (int(x, 16) for x in f[0].split("-"))
    path = f[5] if len(f) > 5 else ""
    spans.append((lo, hi, os.path.basename(path) or "anon"))
    if path.startswith("/") and int(f[2], 16) == 0 and path not in bases:
        bases[path] = lo
def owner(v):
    return next((n for lo, hi, n in spans if lo <= v < hi), "nowhere")
def first_load(path):
    for l in subprocess.run(["readelf", "-lW", path], capture_output=True, text=True).stdout.splitlines():
        f = l.split()
        if f and f[0] == "LOAD":
            return int(f[2], 16) & ~0xfff
    return 0
exe = os.readlink(f"/proc/{pid}/exe")
objs = [exe] + [p for p in bases if os.path.basename(p).startswith("libc.so")]
mem = open(f"/proc/{pid}/mem", "rb")
for path in objs:
    bias = bases[path] - first_load(path)
    out = subprocess.run(["readelf", "-rW", path], capture_output=True, text=True).stdout
    for l in out.splitlines():
        f = l.split()
        if len(f) < 5 or not ("JUMP_SLO" in f[2] or "GLOB_DAT" in f[2]):
            continue
        name = f[4].split("@")[0]
        if name not in names:
            continue
        mem.seek(bias + int(f[0], 16))
        v = int.from_bytes(mem.read(8), "little")
        print(os.path.basename(path), name, "->", owner(v), hex(v))
EOF
}

# Tags: the blocks of TAG_BASE + request id bytes (tests/progs/att_*.c).
ATT_TAGS="CREATE TEMP VIEW tags AS SELECT tid, alloc_ns, free_ns, size - 40000 AS i,
  LAG(size - 40000) OVER (PARTITION BY tid ORDER BY alloc_ns) AS prev,
  ROW_NUMBER() OVER (PARTITION BY tid ORDER BY alloc_ns DESC) AS from_end
  FROM allocations WHERE size BETWEEN 40000 AND 40000 + 65535;"
tq() { sqlite3 -batch -noheader "$1" "$ATT_TAGS $2"; }
