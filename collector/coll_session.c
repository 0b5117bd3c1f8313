/*
 * coll_session.c -- the listening socket and the handshake.  Every socket
 * is non-blocking: a peer that connects and says nothing is dropped after
 * COLL_HELLO_NS, a bad hello gets a refusing ack, and the loop never waits
 * for anyone.
 *
 * Handshake: hq_hello_t + the ring's memfd (SCM_RIGHTS) -> checks (sizes,
 * SO_PEERCRED pid, hq_ring_validate) -> mmap -> register the process image
 * -> hq_ack_t (stack depth, sample rate).  The socket is closed right after the ack.
 */
#include "coll_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hq_ring.h"

#define SESSION_MAX_RING (1ull << 36) /* 64 GiB: anything larger is not a ring of ours */
#define SESSION_BACKLOG 128

static int session_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
        return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int coll_session_listen(coll_t *c, const coll_config_t *cfg)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int fd;
    if (cfg->listen_fd >= 0) {
        c->listen_fd = cfg->listen_fd;
        if (session_nonblock(cfg->listen_fd) != 0)
            return coll_fail(c, "cannot use the listening socket: %s", strerror(errno));
        return 0;
    }
    if (strlen(cfg->socket_path) >= sizeof a.sun_path)
        return coll_fail(c, "socket path too long: %s", cfg->socket_path);
    strcpy(a.sun_path, cfg->socket_path);
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return coll_fail(c, "cannot create a socket: %s", strerror(errno));
    c->listen_fd = fd;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0)
        return coll_fail(c, "cannot listen on %s: %s", cfg->socket_path, strerror(errno));
    c->created_socket = 1;
    c->socket_path = strdup(cfg->socket_path);
    if (!c->socket_path)
        return coll_fail(c, "out of memory");
    if (chmod(cfg->socket_path, 0600) != 0 || listen(fd, SESSION_BACKLOG) != 0)
        return coll_fail(c, "cannot listen on %s: %s", cfg->socket_path, strerror(errno));
    return 0;
}

int coll_session_accept(coll_t *c)
{
    while (c->nconns < COLL_MAX_CONNS) {
        int fd = accept4(c->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
                           errno == ECONNABORTED
                       ? 0
                       : coll_fail(c, "accept failed: %s", strerror(errno));
        c->conns[c->nconns].fd = fd;
        c->conns[c->nconns].deadline = c->now + COLL_HELLO_NS;
        c->nconns++;
    }
    return 0;
}

/* Collect the descriptors of a message: the first is kept, others closed.
 * Returns the number received. */
static int session_fds(struct msghdr *msg, int *memfd)
{
    int count = 0;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        int *fds = (int *)CMSG_DATA(cm);
        for (size_t i = 0; i < n; i++, count++) {
            if (count == 0)
                *memfd = fds[i];
            else
                close(fds[i]);
        }
    }
    return count;
}

/* 1 hello received (*memfd may be -1), 0 not yet, -1 drop the peer. */
static int session_recv(int fd, hq_hello_t *h, int *memfd)
{
    char buf[sizeof(hq_hello_t) + 8];
    union {
        struct cmsghdr align;
        char b[CMSG_SPACE(sizeof(int) * 4)];
    } cm;
    struct iovec iov = {buf, sizeof buf};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b,
                         .msg_controllen = sizeof cm.b};
    ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    *memfd = -1;
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    int nfds = session_fds(&msg, memfd);
    if (n != (ssize_t)sizeof *h || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || nfds != 1) {
        if (*memfd >= 0)
            close(*memfd);
        *memfd = -1;
        return n == 0 ? -1 : 1;  /* a wrong hello is answered with a refusal */
    }
    memcpy(h, buf, sizeof *h);
    return 1;
}

static int session_peer_is(int fd, pid_t pid)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
        return 1;  /* cannot tell: the ring checks below still apply */
    return cred.pid == pid;
}

/* Check the hello and map its ring.  Returns the mapping or NULL. */
static hq_ring_hdr_t *session_map(int fd, const hq_hello_t *h, int memfd)
{
    struct stat st;
    hq_ring_hdr_t *hdr;
    if (memfd < 0 || h->magic != HQ_HELLO_MAGIC || h->version != HQ_PROTO_VERSION || h->pid <= 0)
        return NULL;
    if (!session_peer_is(fd, h->pid) || fstat(memfd, &st) != 0 || !S_ISREG(st.st_mode))
        return NULL;
    if ((uint64_t)st.st_size != h->ring_bytes || h->ring_bytes > SESSION_MAX_RING ||
        h->ring_bytes < HQ_RING_HDR_SIZE + 65536)
        return NULL;
    /* A ring that cannot shrink under us (possible when the shim allowed sealing). */
    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK);
    hdr = mmap(NULL, h->ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (hdr == MAP_FAILED)
        return NULL;
    uint64_t head = __atomic_load_n(&hdr->head, __ATOMIC_ACQUIRE);
    uint64_t tail = __atomic_load_n(&hdr->tail, __ATOMIC_ACQUIRE);
    if (hq_ring_validate(hdr, h->ring_bytes) != 0 || hdr->pid != h->pid || head < tail ||
        (tail & 7) != 0) {
        munmap(hdr, h->ring_bytes);
        return NULL;
    }
    return hdr;
}

static void session_ack(const coll_t *c, int fd, int status, int *sent)
{
    hq_ack_t ack = {HQ_ACK_MAGIC, status, (int32_t)getpid(), c->depth, c->sample_rate};
    *sent = send(fd, &ack, sizeof ack, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)sizeof ack;
}

/* A valid hello: read what /proc says while the process waits for us. */
static int session_register(coll_t *c, int fd, const hq_hello_t *h, hq_ring_hdr_t *hdr)
{
    char exe[4096], cmdline[8192];
    int sent;
    if (coll_procfs_exe(h->pid, exe, sizeof exe) != 0)
        exe[0] = '\0';
    if (coll_procfs_cmdline(h->pid, cmdline, sizeof cmdline) != 0)
        cmdline[0] = '\0';
    __atomic_store_n(&hdr->collector_pid, (int32_t)getpid(), __ATOMIC_RELEASE);
    coll_proc_t *p = coll_proc_register(c, h, hdr, h->ring_bytes, exe, cmdline);
    if (!p) {
        munmap(hdr, h->ring_bytes);
        session_ack(c, fd, -1, &sent);
        return -1;
    }
    session_ack(c, fd, 0, &sent);
    if (!sent) { /* the shim never heard from us: it must not write */
        __atomic_store_n(&hdr->detached, 1, __ATOMIC_RELEASE);
        p->we_detached = 1;
    }
    return 0;
}

/* 1 done with this connection, 0 keep waiting, -1 fatal. */
static int session_serve_one(coll_t *c, coll_conn_t *conn)
{
    hq_hello_t h;
    hq_ring_hdr_t *hdr;
    int memfd, sent, rc = session_recv(conn->fd, &h, &memfd);
    if (rc == 0)
        return c->now >= conn->deadline;
    if (rc < 0)
        return 1;
    hdr = session_map(conn->fd, &h, memfd);
    if (memfd >= 0)
        close(memfd);
    if (!hdr) {
        session_ack(c, conn->fd, -1, &sent);
        return 1;
    }
    return session_register(c, conn->fd, &h, hdr) != 0 && c->failed ? -1 : 1;
}

int coll_session_serve(coll_t *c, uint64_t now)
{
    size_t i = 0;
    c->now = now;
    while (i < c->nconns) {
        int rc = session_serve_one(c, &c->conns[i]);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            i++;
            continue;
        }
        close(c->conns[i].fd);
        c->conns[i] = c->conns[--c->nconns];
    }
    return 0;
}

void coll_session_close(coll_t *c)
{
    for (size_t i = 0; i < c->nconns; i++)
        close(c->conns[i].fd);
    c->nconns = 0;
    if (c->listen_fd >= 0)
        close(c->listen_fd);
    c->listen_fd = -1;
    if (c->created_socket && c->socket_path)
        unlink(c->socket_path);
    c->created_socket = 0;
    free(c->socket_path);
    c->socket_path = NULL;
}
