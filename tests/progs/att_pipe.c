/*
 * att_pipe.c -- requests arriving on stdin, for heapql attach: the process
 * spends its time blocked in read() on a pipe.  Each line is a request id
 * N: a tag block of TAG_BASE + N bytes, a leak of LEAK_SIZE bytes when
 * N % LEAK_EVERY == 0, the tag freed.  A read() that fails (EINTR after an
 * attach that did not restart it) ends the program with status 1.
 * At end of input: "handled K requests, sum S", exit 0.
 * usage: att_pipe < fifo
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TAG_BASE 40000
#define LEAK_SIZE 4242
#define LEAK_EVERY 5

static void request(unsigned long id)
{
    char *tag = malloc(TAG_BASE + id);
    tag[0] = 1;
    if (id % LEAK_EVERY == 0)
        malloc(LEAK_SIZE);
    free(tag);
}

int main(void)
{
    char buf[4096], line[64];
    size_t len = 0;
    unsigned long count = 0, sum = 0;
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) != 0) {
        if (n < 0) {
            printf("read failed: %s\n", strerror(errno));
            return 1;
        }
        for (ssize_t k = 0; k < n; k++) {
            if (buf[k] != '\n') {
                if (len < sizeof line - 1)
                    line[len++] = buf[k];
                continue;
            }
            line[len] = '\0';
            len = 0;
            request(strtoul(line, NULL, 10));
            sum += strtoul(line, NULL, 10);
            count++;
        }
    }
    printf("handled %lu requests, sum %lu\n", count, sum);
    return 0;
}
