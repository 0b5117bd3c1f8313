# mmap family and brk as address-space events; modules from dlopen/dlclose.
. "$(dirname "$0")/lib.sh"

record v.db "$HQ_PROGS/rec_vm"
check_eq 0 "$RC" "exit status"
# 64 mmap, 65 munmap, 66 mremap, 68 sbrk
vm=$(q v.db "SELECT v.kind, count(*), sum(v.length) FROM vm_events v JOIN callsites c ON c.id = v.callsite_id
    JOIN frames f ON f.id = c.frame_id JOIN modules m ON m.id = f.module_id WHERE m.is_main = 1
    GROUP BY v.kind ORDER BY v.kind" | tr '\n' ' ' | sed 's/ $//')
check_eq "64|2|1114112 65|2|1179648 66|1|131072 68|2|0" "$vm" "vm events"
check_eq "65536" "$(q v.db 'SELECT old_length FROM vm_events WHERE kind = 66')" "mremap old length"
check_eq "0" "$(q v.db 'SELECT count(*) FROM allocations WHERE size IN (1048576, 65536, 131072)')" "not heap"

record d.db "$HQ_PROGS/rec_dlopen"
check_eq 0 "$RC" "dlopen program"
check_eq "1|1|1" "$(q d.db "SELECT count(*), count(load_ns), count(unload_ns) FROM modules WHERE path LIKE '%libm.so.6'")" "libm loaded and unloaded"
check_true "libc has a build-id" test -n "$(q d.db "SELECT build_id FROM modules WHERE path LIKE '%libc.so.6'")"
finish
