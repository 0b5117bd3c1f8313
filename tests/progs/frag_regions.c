/* frag_regions.c -- one block of each region kind, all live at the end:
 *   brk heap     100 blocks of 100 bytes from the main thread
 *   arena heap   500 blocks of 200 bytes from a second thread (its own
 *                glibc arena, a 64 MiB-aligned heap)
 *   mmap chunk   3 blocks of 1 MiB (over the 128 KiB mmap threshold)
 *   program mmap 64 KiB the program maps itself (map_scratch)
 * No stdio: nothing else on the heap. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void *small[100], *arena[500], *big[3];
static void *scratch;

static void *thread_allocs(void *arg)
{
    for (int i = 0; i < 500; i++)
        arena[i] = malloc(200);
    return arg;
}

void map_scratch(void)
{
    scratch = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (scratch != MAP_FAILED)
        memset(scratch, 3, 65536);
}

void big_blocks(void)
{
    for (int i = 0; i < 3; i++) {
        big[i] = malloc(1 << 20);
        memset(big[i], 4, 1 << 20);
    }
}

int main(void)
{
    pthread_t t;
    for (int i = 0; i < 100; i++)
        small[i] = malloc(100);
    if (pthread_create(&t, NULL, thread_allocs, NULL) != 0 || pthread_join(t, NULL) != 0)
        return 1;
    big_blocks();
    map_scratch();
    return scratch == MAP_FAILED;
}
