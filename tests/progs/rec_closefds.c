/* rec_closefds.c -- closes every file descriptor (as daemons do), then
 * allocates 10 blocks of 55 bytes and frees 4: still recorded. */
#include <stdlib.h>
#include <unistd.h>

static void *volatile sink;

int main(void)
{
    void *b[10];
    for (int fd = 0; fd < 1024; fd++)
        close(fd);
    for (int i = 0; i < 10; i++)
        b[i] = malloc(55);
    for (int i = 0; i < 4; i++)
        free(b[i]);
    sink = b[9];
    return 0;
}
