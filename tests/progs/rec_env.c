/* rec_env.c -- prints its LD_PRELOAD and allocates one block of 99 bytes. */
#include <stdio.h>
#include <stdlib.h>
static void *volatile sink;
int main(void)
{
    const char *p = getenv("LD_PRELOAD");
    sink = malloc(99);
    printf("LD_PRELOAD=%s\n", p ? p : "");
    return 0;
}
