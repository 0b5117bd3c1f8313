/*
 * shim_connect.c -- a process's ring and its handshake: memfd (CLOEXEC),
 * header page + power-of-two data area mapped shared, hq_hello_t with the
 * memfd over SCM_RIGHTS on a SOCK_SEQPACKET socket, hq_ack_t back (10 s at
 * most).  Afterwards both descriptors are closed: the program ends up with
 * no new fd, only the mapping.  The ack sets the stack depth and the
 * sampling rate (shim_sample_rate).  The header says how records are
 * stamped (HQ_CLOCK_TSC where the TSC is invariant).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "shim.h"

#define CONNECT_TIMEOUT_S 10
#define CONNECT_RING_MB_MAX 1024u
#define CONNECT_CPUINFO_MAX 16384 /* the first processor's block is about 1.5 KiB */

int shim_clock_tsc;

/* HEAPQL_RING_MB if a power-of-two count of MiB in 1..1024, else the default. */
static uint64_t connect_capacity(void)
{
    const char *s = getenv(HQ_ENV_RING_MB);
    uint64_t mb = 0;
    if (s && *s) {
        for (; *s >= '0' && *s <= '9' && mb <= CONNECT_RING_MB_MAX; s++)
            mb = mb * 10 + (uint64_t)(*s - '0');
        if (*s || mb == 0 || mb > CONNECT_RING_MB_MAX || (mb & (mb - 1)))
            mb = 0;
    }
    return (mb ? mb : HQ_RING_DEFAULT_MB) << 20;
}

/* Is the TSC invariant: "constant_tsc" and "nonstop_tsc" among the first
 * processor's flags in /proc/cpuinfo?  (Then it ticks at one rate in every
 * P- and C-state, and the kernel keeps the processors' counters in step.) */
static int connect_tsc_invariant(void)
{
    static char buf[CONNECT_CPUINFO_MAX + 1]; /* once, under the session's start */
    size_t len = 0;
    ssize_t n;
    char *flags, *eol;
    int fd = open("/proc/cpuinfo", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    while (len < CONNECT_CPUINFO_MAX &&
           ((n = read(fd, buf + len, CONNECT_CPUINFO_MAX - len)) > 0 || (n < 0 && errno == EINTR)))
        len += n > 0 ? (size_t)n : 0;
    close(fd);
    buf[len] = '\0';
    if (!(flags = strstr(buf, "\nflags")) || !(eol = strchr(flags + 1, '\n')))
        return 0;
    *eol = '\0';
    return strstr(flags, " constant_tsc") && strstr(flags, " nonstop_tsc") && hq_tsc() != 0;
}

static int connect_ring(uint64_t bytes, int *fd, hq_ring_hdr_t **out)
{
    void *p;
    *fd = memfd_create("heapql-ring", MFD_CLOEXEC);
    if (*fd < 0)
        return -1;
    if (ftruncate(*fd, (off_t)bytes) != 0)
        goto fail;
    p = shim_real.mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
    if (p == MAP_FAILED)
        goto fail;
    *out = p;
    return 0;
fail:
    close(*fd);
    *fd = -1;
    return -1;
}

static int connect_socket(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    struct timeval tv = {CONNECT_TIMEOUT_S, 0};
    int s;
    if (strlen(path) >= sizeof addr.sun_path)
        return -1;
    memcpy(addr.sun_path, path, strlen(path) + 1);
    s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    if (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
        setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0 ||
        connect(s, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(s);
        return -1;
    }
    return s;
}

static int connect_hello(int s, int fd, uint32_t flags, pid_t ppid, uint64_t bytes)
{
    hq_hello_t hello = {.magic = HQ_HELLO_MAGIC, .version = HQ_PROTO_VERSION, .pid = getpid(),
                        .ppid = ppid, .flags = flags, .ring_bytes = bytes};
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct iovec iov = {&hello, sizeof hello};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                         .msg_controllen = sizeof ctl.buf};
    struct cmsghdr *c;
    ssize_t n;
    hello.ns = hq_now_ns();
    memset(&ctl, 0, sizeof ctl);
    c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    do
        n = sendmsg(s, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof hello ? 0 : -1;
}

static int connect_ack(int s, hq_ack_t *ack)
{
    ssize_t n;
    do
        n = recv(s, ack, sizeof *ack, 0);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof *ack || ack->magic != HQ_ACK_MAGIC || ack->status != 0)
        return -1;
    return 0;
}

int shim_connect(const char *path, uint32_t flags, pid_t ppid, hq_ring_hdr_t **out,
                 uint64_t *map_bytes, uint32_t *depth)
{
    uint64_t cap = connect_capacity(), bytes = HQ_RING_HDR_SIZE + cap;
    static int clock_known;
    hq_ring_hdr_t *hdr = NULL;
    hq_ack_t ack;
    int fd, s = -1, rc = -1;
    if (connect_ring(bytes, &fd, &hdr) != 0)
        return -1;
    hq_ring_init(hdr, cap, getpid());
    if (!clock_known) { /* every ring of the process image stamps alike */
        shim_clock_tsc = connect_tsc_invariant();
        clock_known = 1;
    }
    hdr->clock = shim_clock_tsc ? HQ_CLOCK_TSC : HQ_CLOCK_MONOTONIC;
    s = connect_socket(path);
    if (s < 0 || connect_hello(s, fd, flags, ppid, bytes) != 0 || connect_ack(s, &ack) != 0)
        goto out;
    hdr->collector_pid = ack.collector_pid;
    *depth = ack.depth == 0 ? HQ_DEPTH_DEFAULT : ack.depth > HQ_DEPTH_MAX ? HQ_DEPTH_MAX : ack.depth;
    /* read by hooks only after the ring is published (release/acquire) */
    shim_sample_rate = ack.sample_rate > HQ_SAMPLE_RATE_MAX ? HQ_SAMPLE_RATE_MAX : ack.sample_rate;
    shim_sample_gen++;
    *out = hdr;
    *map_bytes = bytes;
    rc = 0;
out:
    if (s >= 0)
        close(s);
    close(fd);
    if (rc != 0) {
        /* the collector may hold the memfd already: nothing more comes */
        __atomic_store_n(&hdr->detached, 1, __ATOMIC_RELEASE);
        shim_real.munmap(hdr, bytes);
    }
    return rc;
}
