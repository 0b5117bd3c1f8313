/* sym_jit.c -- "JIT" code for the symbolizer's perf-map support: x86-64
 * machine code generated at run time calls malloc(99) from an anonymous
 * executable mapping, which belongs to no module.  Like a real JIT, the
 * program names its code in /tmp/perf-<pid>.map and leaves the file
 * behind; it prints its pid for the test to find (and remove) the map. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
#if defined(__x86_64__)
    /* sub rsp,8; movabs rax,malloc; mov edi,99; call rax; add rsp,8; ret */
    unsigned char code[] = {0x48, 0x83, 0xec, 0x08, 0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
                            0xbf, 99, 0, 0, 0, 0xff, 0xd0, 0x48, 0x83, 0xc4, 0x08, 0xc3};
    uint64_t target = (uint64_t)(uintptr_t)&malloc;
    char path[64];
    unsigned char *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                              -1, 0);
    if (mem == MAP_FAILED)
        return 1;
    memcpy(code + 6, &target, sizeof target);
    memcpy(mem, code, sizeof code);
    if (mprotect(mem, 4096, PROT_READ | PROT_EXEC) != 0)
        return 1;
    snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)getpid());
    FILE *map = fopen(path, "w");
    if (!map)
        return 1;
    fprintf(map, "%lx %zx jitted_alloc_99\n", (unsigned long)(uintptr_t)mem, sizeof code);
    fclose(map);
    void *p = ((void *(*)(void))(uintptr_t)mem)();
    printf("%d\n", (int)getpid());
    free(p);
    return 0;
#else
    printf("unsupported\n");
    return 0;
#endif
}
