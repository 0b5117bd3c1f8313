/*
 * test_coll_fake.h -- a fake shim for the collector's unit tests: a memfd
 * ring, the handshake, and one function per record type.  The collector
 * runs in the same thread (ft_hello steps it until the ack arrives) or, for
 * fork tests, in the parent while a child plays the shim.
 */
#ifndef TEST_COLL_FAKE_H
#define TEST_COLL_FAKE_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "coll.h"
#include "hq_ring.h"

typedef struct ft_s {
    hq_ring_hdr_t *hdr;
    int memfd;
    size_t bytes;
    pid_t pid;
    hq_ack_t ack;
} ft_t;

typedef struct ft_env_s {
    char dir[256], db[320], sock[320];
    coll_t *c;
    char err[256];
} ft_env_t;

/* A private directory for a recording. */
static inline int ft_env_dir(ft_env_t *e)
{
    memset(e, 0, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "/tmp/test_coll.XXXXXX");
    if (!mkdtemp(e->dir))
        return -1;
    snprintf(e->db, sizeof e->db, "%s/rec.db", e->dir);
    snprintf(e->sock, sizeof e->sock, "%s/sock", e->dir);
    return 0;
}

/* A collector listening in that directory. */
static inline int ft_env_start(ft_env_t *e, unsigned depth)
{
    coll_config_t cfg = {0};
    cfg.db_path = e->db;
    cfg.socket_path = e->sock;
    cfg.depth = depth;
    cfg.listen_fd = -1;
    cfg.command = "fake --test";
    if (coll_open(&e->c, &cfg, e->err, sizeof e->err) != 0) {
        fprintf(stderr, "coll_open: %s\n", e->err);
        return -1;
    }
    return 0;
}

static inline int ft_env_open(ft_env_t *e, unsigned depth)
{
    return ft_env_dir(e) == 0 ? ft_env_start(e, depth) : -1;
}

static inline void ft_env_clean(ft_env_t *e)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", e->dir);
}

static inline int ft_ring(ft_t *f, uint64_t capacity, pid_t pid)
{
    memset(f, 0, sizeof *f);
    f->bytes = HQ_RING_HDR_SIZE + capacity;
    f->pid = pid;
    f->memfd = memfd_create("hq-test-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (f->memfd < 0 || ftruncate(f->memfd, (off_t)f->bytes) != 0)
        return -1;
    f->hdr = mmap(NULL, f->bytes, PROT_READ | PROT_WRITE, MAP_SHARED, f->memfd, 0);
    if (f->hdr == MAP_FAILED)
        return -1;
    hq_ring_init(f->hdr, capacity, pid);
    return 0;
}

static inline void ft_ring_free(ft_t *f)
{
    if (f->hdr && f->hdr != MAP_FAILED)
        munmap(f->hdr, f->bytes);
    if (f->memfd >= 0)
        close(f->memfd);
    f->hdr = NULL;
    f->memfd = -1;
}

static inline int ft_connect(const char *sock)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (strlen(sock) >= sizeof a.sun_path)
        return -1;
    memcpy(a.sun_path, sock, strlen(sock) + 1);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static inline int ft_send_hello(int fd, const hq_hello_t *h, size_t len, int memfd)
{
    union {
        struct cmsghdr align;
        char b[CMSG_SPACE(sizeof(int))];
    } cm;
    struct iovec iov = {(void *)h, len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (memfd >= 0) {
        msg.msg_control = cm.b;
        msg.msg_controllen = sizeof cm.b;
        struct cmsghdr *ch = CMSG_FIRSTHDR(&msg);
        ch->cmsg_level = SOL_SOCKET;
        ch->cmsg_type = SCM_RIGHTS;
        ch->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(ch), &memfd, sizeof(int));
    }
    return sendmsg(fd, &msg, 0) == (ssize_t)len ? 0 : -1;
}

static inline hq_hello_t ft_hello_msg(const ft_t *f, pid_t ppid, uint32_t flags)
{
    hq_hello_t h = {HQ_HELLO_MAGIC, HQ_PROTO_VERSION, f->pid, ppid, flags, 0,
                    (uint64_t)f->bytes, hq_now_ns()};
    return h;
}

/* Wait for the ack on fd; with c, step the collector meanwhile. */
static inline int ft_wait_ack(int fd, coll_t *c, hq_ack_t *ack)
{
    char err[256];
    for (int i = 0; i < 2000; i++) {
        ssize_t n = recv(fd, ack, sizeof *ack, MSG_DONTWAIT);
        if (n == (ssize_t)sizeof *ack)
            return 0;
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            return -1;
        if (c)
            coll_step(c, 5, err, sizeof err);
        else
            poll(NULL, 0, 5);
    }
    return -1;
}

/* The handshake; returns the ack's status (or -2: no ack). */
static inline int ft_hello(ft_t *f, const char *sock, coll_t *c, pid_t ppid, uint32_t flags)
{
    hq_hello_t h = ft_hello_msg(f, ppid, flags);
    int fd = ft_connect(sock), rc = -2;
    if (fd >= 0 && ft_send_hello(fd, &h, sizeof h, f->memfd) == 0 && ft_wait_ack(fd, c, &f->ack) == 0)
        rc = f->ack.status;
    if (fd >= 0)
        close(fd);
    return rc;
}

static inline void ft_alloc(ft_t *f, uint32_t tid, uint16_t kind, uint32_t stack, uint64_t ptr,
                     uint64_t size, uint64_t ns)
{
    hq_rec_alloc_t r = {{0, HQ_REC_ALLOC, sizeof r}, tid, kind, 0, stack, 0, ns, ptr, size,
                        size + 8};
    hq_ring_put(f->hdr, &r.h);
}

static inline void ft_alloc_fail(ft_t *f, uint32_t tid, uint16_t kind, uint32_t stack, uint64_t size,
                          uint64_t ns)
{
    hq_rec_alloc_t r = {{0, HQ_REC_ALLOC_FAIL, sizeof r}, tid, kind, 0, stack, 0, ns, 0, size, 0};
    hq_ring_put(f->hdr, &r.h);
}

static inline void ft_free_rec(ft_t *f, uint16_t type, uint32_t tid, uint16_t kind, uint64_t ptr,
                        uint64_t ns)
{
    hq_rec_free_t r = {{0, type, sizeof r}, tid, kind, 0, ns, ptr};
    hq_ring_put(f->hdr, &r.h);
}

static inline void ft_free(ft_t *f, uint32_t tid, uint64_t ptr, uint64_t ns)
{
    ft_free_rec(f, HQ_REC_FREE, tid, HQ_KIND_FREE, ptr, ns);
}

static inline void ft_stack(ft_t *f, uint32_t id, const uint64_t *pcs, uint16_t depth)
{
    uint64_t buf[2 + HQ_DEPTH_MAX];
    hq_rec_stack_t *r = (hq_rec_stack_t *)buf;
    memset(buf, 0, sizeof buf);
    r->h.type = HQ_REC_STACK;
    r->h.len = (uint16_t)(sizeof *r + depth * 8u);
    r->stack_id = id;
    r->depth = depth;
    memcpy(r->pcs, pcs, depth * 8u);
    hq_ring_put(f->hdr, &r->h);
}

/* One module with one PT_LOAD segment per (vaddr, memsz, offset) triple. */
static inline void ft_module(ft_t *f, const char *path, uint64_t bias, const uint64_t *segs, int nseg,
                      const uint8_t *bid, int bid_len, int main_exe, uint64_t ns)
{
    uint64_t buf[1024];
    hq_rec_module_t *r = (hq_rec_module_t *)buf;
    hq_seg_t *seg = (hq_seg_t *)(r + 1);
    size_t plen = strlen(path);
    memset(buf, 0, sizeof buf);
    r->h.type = HQ_REC_MODULE;
    r->nseg = (uint16_t)nseg;
    r->build_id_len = (uint16_t)bid_len;
    r->path_len = (uint16_t)plen;
    r->flags = main_exe ? HQ_MODULE_MAIN : 0;
    r->ns = ns;
    r->load_bias = bias;
    for (int i = 0; i < nseg; i++)
        seg[i] = (hq_seg_t){segs[3 * i], segs[3 * i + 1], segs[3 * i + 2], 5, 0};
    if (bid_len)
        memcpy(seg + nseg, bid, (size_t)bid_len);
    memcpy((char *)(seg + nseg) + bid_len, path, plen);
    r->h.len = (uint16_t)HQ_REC_ALIGN(sizeof *r + nseg * sizeof *seg + (size_t)bid_len + plen);
    hq_ring_put(f->hdr, &r->h);
}

static inline void ft_unload(ft_t *f, uint64_t bias, uint64_t ns)
{
    hq_rec_unload_t r = {{0, HQ_REC_MODULE_UNLOAD, sizeof r}, ns, bias};
    hq_ring_put(f->hdr, &r.h);
}

static inline void ft_thread(ft_t *f, uint32_t tid, uint16_t event, const char *name, uint64_t ns)
{
    hq_rec_thread_t r = {{0, HQ_REC_THREAD, sizeof r}, tid, event, 0, ns, {0}};
    memcpy(r.name, name, strnlen(name, sizeof r.name)); /* NUL padded, not terminated */
    hq_ring_put(f->hdr, &r.h);
}

static inline void ft_exit(ft_t *f, uint32_t tid, int status, uint64_t ns)
{
    hq_rec_exit_t r = {{0, HQ_REC_EXIT, sizeof r}, tid, status, HQ_EXIT_EXIT, 0, ns};
    hq_ring_put(f->hdr, &r.h);
}

static inline void ft_vm(ft_t *f, uint32_t tid, uint16_t kind, uint32_t stack, uint64_t addr,
                  uint64_t len, uint64_t ns)
{
    hq_rec_vm_t r = {{0, HQ_REC_VM, sizeof r}, tid, kind, 0, stack, 3, 0x22, 0, ns, addr, len, 0, 0};
    hq_ring_put(f->hdr, &r.h);
}

/* Step the collector until its rings are empty (a few idle turns). */
static inline void ft_settle(coll_t *c)
{
    char err[256];
    int idle = 0;
    while (idle < 3) {
        int rc = coll_step(c, 1, err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "coll_step: %s\n", err);
            return;
        }
        idle = rc == COLL_STEP_BUSY ? 0 : idle + 1;
    }
}

/* ---- reading the result ---------------------------------------------------- */

static inline long long ft_q(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -999;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "open %s: %s\n", db, sqlite3_errmsg(h));
    } else if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "SQL error in %s: %s\n", sql, sqlite3_errmsg(h));
    } else if (sqlite3_step(st) == SQLITE_ROW) {
        v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

/* Text of the first column of the first row ("" when none; "(null)" for NULL). */
static inline const char *ft_qs(const char *db, const char *sql)
{
    static char buf[1024];
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    snprintf(buf, sizeof buf, "%s", "");
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(buf, sizeof buf, "%s", t ? (const char *)t : "(null)");
    } else if (h) {
        fprintf(stderr, "SQL: %s: %s\n", sql, sqlite3_errmsg(h));
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return buf;
}

#endif
