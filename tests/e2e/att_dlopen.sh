# Objects loaded after the attach (tests/progs/att_plugin): their calls to
# malloc reach heapql too.  A plugin that leaks 10 blocks of 7777 bytes
# and frees one of 8888 per call is loaded by path twice (heapql opens it
# for the program and patches it before dlopen returns) and once by bare
# name through the executable's RUNPATH (the dlopen stays the program's;
# the plugin is patched at the thread's next allocation), then unloaded
# each time (its GOT is forgotten, not touched, at the detach).  A fourth
# load after the detach is not recorded; the program carries on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/att_lib.bash"

command -v gcc >/dev/null || { echo "att_dlopen: gcc not installed: skipped"; exit 0; }
mkdir plugins
cat >plug.c <<'EOF'
#include <stdlib.h>
void plug_work(int n)
{
    for (int i = 0; i < n; i++)
        malloc(7777);
    free(malloc(8888));
}
EOF
gcc -O0 -g -fno-builtin -shared -fPIC -o plugins/libattplug.so plug.c || exit 1
gcc -O0 -g -fno-builtin -o plug_rp "$HQ_SRC/tests/progs/att_plugin.c" -Wl,-rpath,'$ORIGIN/plugins' -ldl || exit 1
check_match "RUNPATH|RPATH" "$(readelf -d plug_rp)" "the program has a RUNPATH"

att_start ./plug_rp "$T/plugins/libattplug.so" libattplug.so
got0=$(att_got "$APID")
if att_attach d.db; then
    for sig in USR1 USR1 USR2; do
        sleep 0.4
        kill -"$sig" "$APID"
    done
    sleep 0.4
    att_detach
    check_eq 0 "$ARC" "heapql attach exit status"
else
    check_true "attached ($(cat "$T/att.err"))" false
fi
check_eq "$got0" "$(att_got "$APID")" "GOT slots restored"
kill -USR1 "$APID"
sleep 0.4
att_stop
check_eq 0 "$PRC" "exit status of the program (every load worked)"
check_eq "loaded 4 times" "$(cat "$T/prog.out")" "its output"

check_eq complete "$(q d.db "SELECT value FROM meta WHERE key='status'")" "status"
check_eq "30|30" "$(q d.db "SELECT count(*), sum(free_ns IS NULL) FROM allocations WHERE size = 7777")" \
    "the plugin's 30 blocks of the three loads while attached"
check_eq "3|0" "$(q d.db "SELECT count(*), sum(free_ns IS NULL) FROM allocations WHERE size = 8888")" \
    "the plugin's freed blocks"
check_eq "3|3" "$(q d.db "SELECT count(*), sum(unload_ns IS NOT NULL) FROM modules
    WHERE path LIKE '%/plugins/libattplug.so'")" "three loads and unloads of the plugin"
check_match "plug_work \(.*plug\.c:[0-9]+\)" "$("$HEAPQL_BIN" report d.db leaks 2>&1)" "leaks in plug_work"
check_eq "0|0" "$(q d.db "SELECT missed_frees, unknown_frees FROM processes")" "nothing missed"
finish
