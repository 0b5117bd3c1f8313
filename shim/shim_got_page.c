/*
 * shim_got_page.c -- writing one GOT slot (shim_got.c).  A read-only page
 * (full RELRO) is made writable for the store and given back the
 * protection /proc/self/maps reported; a page is opened once for a run of
 * slots on it.  The store is one aligned 8-byte write: a thread calling
 * through the slot reaches the old function or the new one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shim.h"
#include "shim_attach.h"

static size_t got_pagesz(void)
{
    static size_t sz;
    if (!sz)
        sz = (size_t)sysconf(_SC_PAGESIZE);
    return sz;
}

/* One line of /proc/self/maps: 1 (and *prot) if it covers addr. */
static int got_maps_line(const char *l, uintptr_t addr, int *prot)
{
    char *end;
    uintptr_t lo = strtoull(l, &end, 16), hi;
    if (*end != '-')
        return 0;
    hi = strtoull(end + 1, &end, 16);
    if (*end != ' ' || addr < lo || addr >= hi || strlen(end) < 4)
        return 0;
    *prot = (end[1] == 'r' ? PROT_READ : 0) | (end[2] == 'w' ? PROT_WRITE : 0) |
            (end[3] == 'x' ? PROT_EXEC : 0);
    return 1;
}

/* The protection of the mapping holding addr, -1 if none.  No allocation:
 * the file is read through a buffer on the stack. */
static int got_maps_prot(uintptr_t addr)
{
    char buf[4096];
    size_t have = 0;
    int prot = -1, fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    ssize_t n;
    while (fd >= 0 && (n = read(fd, buf + have, sizeof buf - 1 - have)) != 0) {
        char *line = buf, *nl;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        have += (size_t)n;
        buf[have] = '\0';
        while ((nl = memchr(line, '\n', (size_t)(buf + have - line))) != NULL) {
            *nl = '\0';
            if (got_maps_line(line, addr, &prot))
                goto out;
            line = nl + 1;
        }
        have = (size_t)(buf + have - line);
        memmove(buf, line, have);
        if (have == sizeof buf - 1)
            have = 0; /* no line is that long */
    }
out:
    if (fd >= 0)
        close(fd);
    return prot;
}

void shim_got_page_close(shim_got_page_t *pg)
{
    if (pg->opened)
        mprotect((void *)pg->page, got_pagesz(), pg->prot);
    pg->opened = 0;
    pg->page = 0;
}

/* Make the page of addr writable if it is not.  0 ok, -1 leave it alone. */
static int got_page_open(shim_got_page_t *pg, uintptr_t addr)
{
    uintptr_t page = addr & ~(uintptr_t)(got_pagesz() - 1);
    if (pg->page == page)
        return pg->prot < 0 ? -1 : 0;
    shim_got_page_close(pg);
    pg->page = page;
    pg->prot = got_maps_prot(page);
    if (pg->prot < 0 || (pg->prot & PROT_WRITE))
        return pg->prot < 0 ? -1 : 0;
    if (mprotect((void *)page, got_pagesz(), pg->prot | PROT_WRITE) != 0) {
        pg->prot = -1;
        return -1;
    }
    pg->opened = 1;
    return 0;
}

int shim_got_store(shim_got_page_t *pg, uintptr_t *at, uintptr_t value)
{
    if (got_page_open(pg, (uintptr_t)at) != 0)
        return -1;
    __atomic_store_n(at, value, __ATOMIC_RELEASE);
    return 0;
}
