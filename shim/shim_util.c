/* shim_util.c -- string helpers that neither allocate nor touch stdio. */
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

char *shim_utoa(uint64_t v, char *buf)
{
    char tmp[21];
    size_t n = 0, i;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return buf;
}

int shim_concat(char *buf, size_t len, ...)
{
    va_list ap;
    const char *s;
    size_t used = 0;
    int rc = 0;
    va_start(ap, len);
    while ((s = va_arg(ap, const char *)) != NULL) {
        size_t n = strlen(s);
        if (used + n >= len) {
            rc = -1;
            break;
        }
        memcpy(buf + used, s, n);
        used += n;
    }
    va_end(ap);
    if (len)
        buf[used < len ? used : len - 1] = '\0';
    return rc;
}

uint32_t shim_gettid(void)
{
    return (uint32_t)syscall(SYS_gettid);
}
