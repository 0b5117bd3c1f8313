/* hq_ring.c -- see hq_ring.h for the protocol. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "hq_ring.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <sched.h>
#include <unistd.h>

#define RING_MIN_CAPACITY (64u * 1024u)
#define RING_SPINS 64
#define RING_YIELDS 64
#define RING_SLEEP_NS 20000L              /* 20 us between looks once yielding is over */
#define RING_LIVENESS_NS 50000000ull      /* check the collector every 50 ms of waiting */

uint64_t hq_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void hq_ring_init(hq_ring_hdr_t *hdr, uint64_t capacity, int32_t pid)
{
    memset(hdr, 0, sizeof *hdr);
    hdr->magic = HQ_RING_MAGIC;
    hdr->version = HQ_PROTO_VERSION;
    hdr->capacity = capacity;
    hdr->pid = pid;
}

int hq_ring_validate(const hq_ring_hdr_t *hdr, uint64_t map_bytes)
{
    uint64_t cap = hdr->capacity;
    if (hdr->magic != HQ_RING_MAGIC || hdr->version != HQ_PROTO_VERSION)
        return -1;
    if (cap < RING_MIN_CAPACITY || (cap & (cap - 1)) != 0)
        return -1;
    if (map_bytes < HQ_RING_HDR_SIZE || map_bytes - HQ_RING_HDR_SIZE < cap)
        return -1;
    return 0;
}

/* Is pid a zombie?  Reads /proc/PID/stat with bare system calls (no
 * allocation, no stdio: this runs inside a hook).  0 when unknown. */
static int ring_is_zombie(int32_t pid)
{
    char path[32] = "/proc/", digits[12], buf[256];
    int n = 0, len = 6, fd;
    ssize_t got;
    do
        digits[n++] = (char)('0' + pid % 10);
    while ((pid /= 10) > 0 && n < (int)sizeof digits);
    while (n > 0)
        path[len++] = digits[--n];
    memcpy(path + len, "/stat", 6);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return 0;
    got = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (got <= 0)
        return 0;
    buf[got] = '\0';
    const char *paren = strrchr(buf, ')'); /* comm may hold spaces and parens */
    return paren && paren[1] == ' ' && paren[2] == 'Z';
}

/* The collector is gone when its pid no longer exists, or is a zombie its
 * parent has not reaped yet.  errno is restored by the caller. */
static int ring_collector_gone(const hq_ring_hdr_t *hdr)
{
    if (hdr->collector_pid <= 0)
        return 0;
    if (kill(hdr->collector_pid, 0) != 0)
        return errno == ESRCH;
    return ring_is_zombie(hdr->collector_pid);
}

static void ring_pause(unsigned turn)
{
    if (turn < RING_SPINS) {
        __builtin_ia32_pause();
    } else if (turn < RING_SPINS + RING_YIELDS) {
        sched_yield();
    } else {
        struct timespec ts = {0, RING_SLEEP_NS};
        nanosleep(&ts, NULL);
    }
}

/* Wait until [pos, pos+len) fits.  Returns 0, or -1 once detached. */
static int ring_wait_room(hq_ring_hdr_t *hdr, uint64_t pos, uint32_t len)
{
    uint64_t start = 0, last_check = 0;
    unsigned turn = 0;
    while (pos + len - __atomic_load_n(&hdr->tail, __ATOMIC_ACQUIRE) > hdr->capacity) {
        if (__atomic_load_n(&hdr->detached, __ATOMIC_RELAXED))
            return -1;
        if (turn == 0) {
            start = last_check = hq_now_ns();
            __atomic_fetch_add(&hdr->waits, 1, __ATOMIC_RELAXED);
        } else if (turn >= RING_SPINS + RING_YIELDS) {
            uint64_t now = hq_now_ns();
            if (now - last_check > RING_LIVENESS_NS) {
                last_check = now;
                if (ring_collector_gone(hdr)) {
                    __atomic_store_n(&hdr->detached, 1, __ATOMIC_RELEASE);
                    return -1;
                }
            }
        }
        ring_pause(turn < 0xffffff ? turn++ : turn);
    }
    if (turn)
        __atomic_fetch_add(&hdr->wait_ns, hq_now_ns() - start, __ATOMIC_RELAXED);
    return 0;
}

int hq_ring_wait_room(hq_ring_hdr_t *hdr, uint64_t pos, uint32_t len)
{
    int saved = errno, rc = ring_wait_room(hdr, pos, len);
    errno = saved;
    return rc;
}

int hq_ring_reserve(hq_ring_hdr_t *hdr, uint32_t len, uint64_t *pos)
{
    int saved = errno, rc;
    if (__atomic_load_n(&hdr->detached, __ATOMIC_RELAXED))
        return -1;
    *pos = __atomic_fetch_add(&hdr->head, len, __ATOMIC_RELAXED);
    rc = ring_wait_room(hdr, *pos, len);
    errno = saved;
    return rc;
}

void hq_ring_write(hq_ring_hdr_t *hdr, uint64_t pos, uint32_t off, const void *src, uint32_t n)
{
    uint8_t *data = hq_ring_data(hdr);
    uint64_t mask = hdr->capacity - 1;
    uint64_t at = (pos + off) & mask;
    uint64_t first = hdr->capacity - at;
    if (first >= n) {
        memcpy(data + at, src, n);
    } else {
        memcpy(data + at, src, first);
        memcpy(data, (const uint8_t *)src + first, n - first);
    }
}

void hq_ring_commit(hq_ring_hdr_t *hdr, uint64_t pos, uint16_t type, uint16_t len)
{
    /* The header is 8-aligned and the capacity a multiple of 8: it never wraps. */
    hq_rec_t *rec = (hq_rec_t *)(hq_ring_data(hdr) + (pos & (hdr->capacity - 1)));
    rec->type = type;
    rec->len = len;
    __atomic_store_n(&rec->seal, HQ_SEAL(pos), __ATOMIC_RELEASE);
}

int hq_ring_put(hq_ring_hdr_t *hdr, const hq_rec_t *rec)
{
    uint64_t pos;
    if (hq_ring_reserve(hdr, rec->len, &pos) != 0)
        return -1;
    /* Skip the seal word: it is written last by hq_ring_commit. */
    hq_ring_write(hdr, pos, sizeof(uint32_t), (const uint8_t *)rec + sizeof(uint32_t),
                  rec->len - (uint32_t)sizeof(uint32_t));
    hq_ring_commit(hdr, pos, rec->type, rec->len);
    return 0;
}

int hq_ring_read(hq_ring_hdr_t *hdr, uint64_t tail, void *buf, size_t cap)
{
    uint8_t *data = hq_ring_data(hdr);
    uint64_t mask = hdr->capacity - 1;
    uint64_t at = tail & mask;
    hq_rec_t *rec = (hq_rec_t *)(data + at);
    uint32_t len, first;

    if (__atomic_load_n(&rec->seal, __ATOMIC_ACQUIRE) != HQ_SEAL(tail))
        return 0;
    len = rec->len;
    if (len < sizeof(hq_rec_t) || (len & 7u) || len > HQ_REC_MAX || len > cap)
        return -1;
    first = (uint32_t)(hdr->capacity - at);
    if (first >= len) {
        memcpy(buf, data + at, len);
    } else {
        memcpy(buf, data + at, first);
        memcpy((uint8_t *)buf + first, data, len - first);
    }
    return (int)len;
}

uint64_t hq_ring_consume(hq_ring_hdr_t *hdr, uint64_t tail, uint32_t len)
{
    uint8_t *data = hq_ring_data(hdr);
    uint64_t at = tail & (hdr->capacity - 1);
    uint64_t first = hdr->capacity - at;
    if (first >= len) {
        memset(data + at, 0, len);
    } else {
        memset(data + at, 0, first);
        memset(data, 0, len - first);
    }
    return tail + len;
}

void hq_ring_publish(hq_ring_hdr_t *hdr, uint64_t tail)
{
    __atomic_store_n(&hdr->tail, tail, __ATOMIC_RELEASE);
}
