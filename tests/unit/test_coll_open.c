/*
 * test_coll_open.c -- creating the database safely and surviving bad peers:
 * an existing file (refused, or replaced with force), a symlink or a
 * directory in the way (refused even with force), a directory we may not
 * write (as an unprivileged user), a socket path too long (the file made
 * is removed again), a bad depth; an inherited listening socket; hellos that
 * are wrong, without a ring, with a ring of the wrong size, or never sent:
 * each is refused or dropped while the loop keeps going.  A collector
 * closed without coll_finish leaves a truncated database.
 */
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "test_coll_fake.h"
#include "testhelper.h"

static int open_at(const char *db, const char *sock, int force, unsigned depth, char *err,
                   size_t len, coll_t **out)
{
    coll_config_t cfg = {.db_path = db, .socket_path = sock, .depth = depth, .force = force,
                         .listen_fd = -1, .command = "x"};
    return coll_open(out, &cfg, err, len);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static int read_first(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    int ok = f && fgets(buf, (int)len, f) != NULL;
    if (f)
        fclose(f);
    return ok;
}

static void test_existing(const char *dir)
{
    char db[300], sock[300], wal[320], err[256] = "", buf[64];
    coll_t *c = NULL;
    coll_summary_t s;
    snprintf(db, sizeof db, "%s/old.db", dir);
    snprintf(sock, sizeof sock, "%s/s1", dir);
    snprintf(wal, sizeof wal, "%s-wal", db);
    write_file(db, "precious");
    CHECK_EQ(open_at(db, sock, 0, 8, err, sizeof err, &c), -1);
    CHECK(c == NULL && strstr(err, "already exists") != NULL);
    CHECK(read_first(db, buf, sizeof buf) && !strcmp(buf, "precious")); /* untouched */
    write_file(wal, "stale wal of another database");
    CHECK_EQ(open_at(db, sock, 1, 8, err, sizeof err, &c), 0);
    CHECK(!strcmp(ft_qs(db, "SELECT value FROM meta WHERE key = 'status'"), "recording"));
    CHECK_EQ(coll_finish(c, 0, &s, err, sizeof err), 0);
    coll_close(c);
    CHECK(!strcmp(ft_qs(db, "SELECT value FROM meta WHERE key = 'status'"), "complete"));
}

static void test_refused(const char *dir)
{
    char db[300], target[300], sock[300], err[256] = "", longsock[400];
    coll_t *c = NULL;
    struct stat st;
    snprintf(db, sizeof db, "%s/link.db", dir);
    snprintf(target, sizeof target, "%s/target", dir);
    snprintf(sock, sizeof sock, "%s/s2", dir);
    write_file(target, "keep");
    CHECK_EQ(symlink(target, db), 0);
    CHECK_EQ(open_at(db, sock, 1, 8, err, sizeof err, &c), -1);
    CHECK(strstr(err, "symbolic link") != NULL);
    CHECK(stat(target, &st) == 0 && st.st_size == 4);
    snprintf(db, sizeof db, "%s/adir", dir);
    mkdir(db, 0700);
    CHECK_EQ(open_at(db, sock, 1, 8, err, sizeof err, &c), -1);
    CHECK(strstr(err, "not a regular file") != NULL);
    snprintf(db, sizeof db, "%s/nodir/x.db", dir);
    CHECK_EQ(open_at(db, sock, 0, 8, err, sizeof err, &c), -1);
    CHECK(strstr(err, "cannot create") != NULL);
    snprintf(db, sizeof db, "%s/depth.db", dir);
    CHECK_EQ(open_at(db, sock, 0, HQ_DEPTH_MAX + 1, err, sizeof err, &c), -1);
    CHECK(strstr(err, "depth") != NULL && stat(db, &st) != 0);
    snprintf(longsock, sizeof longsock, "%s/%0200d", dir, 0);
    snprintf(db, sizeof db, "%s/sock.db", dir);
    CHECK_EQ(open_at(db, longsock, 0, 8, err, sizeof err, &c), -1);
    CHECK(strstr(err, "socket path too long") != NULL);
    CHECK(stat(db, &st) != 0); /* what coll_open made is gone again */
}

/* As an unprivileged user, in a directory only root may write. */
static void test_not_writable(const char *dir)
{
    int status = -1;
    pid_t pid = fork();
    if (pid == 0) {
        char db[300], sock[300], err[256] = "";
        coll_t *c = NULL;
        snprintf(db, sizeof db, "%s/ro/x.db", dir);
        snprintf(sock, sizeof sock, "%s/ro/s", dir);
        if (getuid() == 0 && (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        int rc = open_at(db, sock, 0, 8, err, sizeof err, &c);
        _exit(rc == -1 && strstr(err, "cannot create") && strstr(err, "Permission denied") ? 0 : 1);
    }
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int hello_raw(ft_env_t *e, const void *msg, size_t len, int memfd, hq_ack_t *ack)
{
    int fd = ft_connect(e->sock), rc = -2;
    if (fd >= 0 && ft_send_hello(fd, msg, len, memfd) == 0 && ft_wait_ack(fd, e->c, ack) == 0)
        rc = ack->status;
    if (fd >= 0)
        close(fd);
    return rc;
}

static void test_bad_peers(void)
{
    ft_env_t e;
    ft_t f, small;
    hq_ack_t ack;
    char err[256];
    coll_summary_t s;
    if (ft_env_open(&e, 8) != 0 || ft_ring(&f, 1 << 16, getpid()) != 0 ||
        ft_ring(&small, 1 << 16, getpid()) != 0)
        return;
    int silent = ft_connect(e.sock); /* connects, never says anything */
    hq_hello_t h = ft_hello_msg(&f, 1, 0);
    h.magic = 0x12345678;
    CHECK_EQ(hello_raw(&e, &h, sizeof h, f.memfd, &ack), -1);
    h = ft_hello_msg(&f, 1, 0);
    CHECK_EQ(hello_raw(&e, &h, sizeof h, -1, &ack), -1);        /* no ring */
    CHECK_EQ(hello_raw(&e, &h, sizeof h - 8, f.memfd, &ack), -1); /* short */
    h.ring_bytes += 4096;
    CHECK_EQ(hello_raw(&e, &h, sizeof h, f.memfd, &ack), -1);   /* size differs from the memfd */
    h = ft_hello_msg(&f, 1, 0);
    h.pid = 1;                                                    /* not the peer */
    CHECK_EQ(hello_raw(&e, &h, sizeof h, f.memfd, &ack), -1);
    small.hdr->capacity = 1 << 10;                                /* invalid ring header */
    CHECK_EQ(ft_hello(&small, e.sock, e.c, 1, 0), -1);
    CHECK_EQ(coll_connected(e.c), 0);
    uint64_t t0 = hq_now_ns();
    CHECK_EQ(ft_hello(&f, e.sock, e.c, getppid(), 0), 0);       /* the silent peer blocks no one */
    CHECK(hq_now_ns() - t0 < 1000000000ull);
    CHECK_EQ(coll_connected(e.c), 1);
    ft_alloc(&f, 1, HQ_KIND_MALLOC, 0, 0x1000, 1, hq_now_ns());
    ft_settle(e.c);
    close(silent);
    CHECK_EQ(coll_finish(e.c, 1, &s, err, sizeof err), 0);
    coll_close(e.c);
    CHECK_EQ(s.alloc_calls, 1);
    ft_ring_free(&f);
    ft_ring_free(&small);
    ft_env_clean(&e);
}

/* Standalone: the shim made the socket and handed it over. */
static void test_listen_fd(const char *dir)
{
    char db[300], sock[300], err[256];
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    coll_t *c = NULL;
    coll_summary_t s;
    ft_t f;
    snprintf(db, sizeof db, "%s/fd.db", dir);
    snprintf(sock, sizeof sock, "%s/fd.sock", dir);
    if (strlen(sock) >= sizeof a.sun_path)
        return;
    memcpy(a.sun_path, sock, strlen(sock) + 1);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    CHECK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 8) == 0);
    coll_config_t cfg = {.db_path = db, .depth = 4, .listen_fd = fd};
    CHECK_EQ(coll_open(&c, &cfg, err, sizeof err), 0);
    if (!c || ft_ring(&f, 1 << 16, getpid()) != 0)
        return;
    CHECK_EQ(ft_hello(&f, sock, c, getppid(), 0), 0);
    CHECK_EQ(f.ack.depth, 4);
    CHECK_EQ(coll_finish(c, 0, &s, err, sizeof err), 0);
    coll_close(c);
    CHECK(!strcmp(ft_qs(db, "SELECT value FROM meta WHERE key = 'mode'"), "standalone"));
    CHECK(!strcmp(ft_qs(db, "SELECT end_reason FROM processes"), "running"));
    CHECK_EQ(f.hdr->detached, 1);
    ft_ring_free(&f);
}

/* Closed without coll_finish (the command layer's error path). */
static void test_close_unfinished(void)
{
    ft_env_t e;
    ft_t f;
    if (ft_env_open(&e, 8) != 0 || ft_ring(&f, 1 << 16, getpid()) != 0)
        return;
    CHECK_EQ(ft_hello(&f, e.sock, e.c, getppid(), 0), 0);
    ft_alloc(&f, 1, HQ_KIND_MALLOC, 0, 0x1000, 1, hq_now_ns());
    ft_free(&f, 1, 0x1000, hq_now_ns());
    ft_settle(e.c);
    coll_close(e.c);
    CHECK_EQ(f.hdr->detached, 1);
    CHECK(!strcmp(ft_qs(e.db, "SELECT value FROM meta WHERE key = 'status'"), "truncated"));
    CHECK(strstr(ft_qs(e.db, "SELECT value FROM meta WHERE key = 'truncated_reason'"), "aborted"));
    CHECK_EQ(ft_q(e.db, "SELECT count(*) FROM allocations"), 1);
    ft_ring_free(&f);
    ft_env_clean(&e);
}

int main(void)
{
    char dir[] = "/tmp/test_coll_open.XXXXXX", ro[300], cmd[400];
    if (!mkdtemp(dir))
        return 1;
    chmod(dir, 0755);
    snprintf(ro, sizeof ro, "%s/ro", dir);
    mkdir(ro, 0755);
    test_existing(dir);
    test_refused(dir);
    test_not_writable(dir);
    test_bad_peers();
    test_listen_fd(dir);
    test_close_unfinished();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    return th_done("test_coll_open");
}
