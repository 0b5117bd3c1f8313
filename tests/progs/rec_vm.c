/* rec_vm.c -- address-space events: mmap 1 MiB and munmap it, mmap 64 KiB,
 * mremap it to 128 KiB and munmap, sbrk(+4096) then sbrk(-4096). */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
    void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 1;
    munmap(p, 1 << 20);
    void *q = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (q == MAP_FAILED) return 1;
    void *r = mremap(q, 65536, 131072, MREMAP_MAYMOVE);
    if (r == MAP_FAILED) return 1;
    munmap(r, 131072);
    if (sbrk(4096) == (void *)-1) return 1;
    if (sbrk(-4096) == (void *)-1) return 1;
    return 0;
}
