/*
 * tui_app.c -- tui_run: the input loop.  poll() waits on the terminal and
 * on the workers' wake pipe (and the live tick); keys are read until none
 * is pending, each handler returns TUI_* flags, then the screen is
 * painted once.  Nothing in this loop queries the database.
 */
#include "tui_app.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tui_term.h"

double tui_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void tui_timing_log(tui_app_t *a, const char *fmt, ...)
{
    va_list ap;
    if (!a->timing.f)
        return;
    fprintf(a->timing.f, "%.3f ", tui_now_ms() - a->timing.t0);
    va_start(ap, fmt);
    vfprintf(a->timing.f, fmt, ap);
    va_end(ap);
    fputc('\n', a->timing.f);
    fflush(a->timing.f);
}

void tui_app_message(tui_app_t *a, tui_role_t role, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->msg, sizeof a->msg, fmt, ap);
    va_end(ap);
    a->msg_role = role;
    a->msg_until = tui_now_ms() + 4000;
}

static int app_pipe(tui_app_t *a, char *err, size_t errlen)
{
    if (pipe(a->wake) != 0) {
        snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(a->wake[i], F_SETFL, fcntl(a->wake[i], F_GETFL) | O_NONBLOCK);
        fcntl(a->wake[i], F_SETFD, FD_CLOEXEC);
    }
    return 0;
}

static void app_defaults(tui_app_t *a, const tui_opts_t *o)
{
    const char *slash = strrchr(o->db_path, '/');
    memset(a, 0, sizeof *a);
    a->opts = *o;
    a->wake[0] = a->wake[1] = -1;
    snprintf(a->name, sizeof a->name, "%s", slash ? slash + 1 : o->db_path);
    a->view = o->start_view >= 0 && o->start_view < TUI_V_COUNT ? o->start_view : 0;
    a->vsites.metric = AN_M_PEAK;
    a->vtree.metric = AN_M_PEAK;
    a->vtree.sorted_metric[0] = a->vtree.sorted_metric[1] = -1;
    a->vleaks.metric = AN_M_LEAKED;
    a->vfrag.pid = -1;
    a->vfrag.asked = -1;
    a->sel_node = -1;
    a->follow = 1;
}

static int app_start(tui_app_t *a, const tui_opts_t *o, char *err, size_t errlen)
{
    app_defaults(a, o);
    if (o->timing_path && *o->timing_path) {
        a->timing.f = fopen(o->timing_path, "a");
        a->timing.t0 = tui_now_ms();
        tui_timing_log(a, "start %s", o->db_path);
    }
    if (app_pipe(a, err, errlen) != 0 ||
        !(a->wk = tui_worker_start(o->db_path, a->wake[1], err, errlen)) ||
        !(a->wf = tui_worker_start(o->db_path, a->wake[1], err, errlen)))
        return -1;
    tui_req_summary(a);
    tui_req_snap(a, 0);
    return 0;
}

static void app_free_models(tui_app_t *a)
{
    tui_summary_free(a->sum);
    free(a->kinds);
    tui_sites_free(a);
    tui_leaks_free(a);
    tui_tree_free(a);
    tui_snap_unref(a->snap);
    tui_source_free(a->src);
    tui_allocs_free(a->allocs);
    tui_frag_flush(a);
    tui_popup_close(a);
    a->sum = NULL, a->kinds = NULL, a->snap = NULL, a->src = NULL, a->allocs = NULL;
}

static void app_stop(tui_app_t *a)
{
    tui_worker_stop(a->wk);
    tui_worker_stop(a->wf);
    app_free_models(a);
    for (int i = 0; i < 2; i++)
        if (a->wake[i] >= 0)
            close(a->wake[i]);
    if (a->timing.f) {
        tui_timing_log(a, "quit");
        fclose(a->timing.f);
    }
}

static void app_drain_wake(tui_app_t *a)
{
    char buf[64];
    while (read(a->wake[0], buf, sizeof buf) > 0)
        ;
}

/* Milliseconds poll may sleep: until the live tick or the message fades. */
static int app_timeout(const tui_app_t *a)
{
    double now = tui_now_ms(), t = 1000;
    if (a->next_tick > 0 && a->next_tick - now < t)
        t = a->next_tick - now;
    if (a->msg[0] && a->msg_until - now < t)
        t = a->msg_until - now;
    return t < 0 ? 0 : (int)t + 1;
}

/* Keys until none is pending; returns the union of the handlers' flags. */
static int app_keys(tui_app_t *a, double *key_t0, int *nkeys)
{
    int flags = 0, ch;
    while (!a->quit && (ch = getch()) != ERR) {
        if (!*nkeys)
            *key_t0 = tui_now_ms();
        (*nkeys)++;
        flags |= tui_app_key(a, ch);
        if (flags & TUI_QUIT)
            a->quit = 1;
    }
    return flags;
}

static void app_loop(tui_app_t *a)
{
    int flags = TUI_REDRAW;
    while (!a->quit) {
        double key_t0 = 0;
        int nkeys = 0;
        if (flags & (TUI_REFRESH | TUI_REDRAW)) {
            tui_app_paint(a, (flags & TUI_REDRAW) != 0);
            flags = 0;
        }
        struct pollfd p[2] = {{STDIN_FILENO, POLLIN, 0}, {a->wake[0], POLLIN, 0}};
        int n = poll(p, 2, app_timeout(a));
        if (n > 0 && (p[1].revents & POLLIN)) {
            app_drain_wake(a);
            tui_app_results(a);
            flags |= TUI_REFRESH;
        }
        flags |= app_keys(a, &key_t0, &nkeys); /* also after EINTR: KEY_RESIZE */
        if (a->next_tick > 0 && tui_now_ms() >= a->next_tick) {
            tui_app_tick(a);
            flags |= TUI_REFRESH;
        }
        if (a->msg[0] && tui_now_ms() >= a->msg_until) {
            a->msg[0] = '\0';
            flags |= TUI_REFRESH;
        }
        if (nkeys && !a->quit) {
            if (flags & (TUI_REFRESH | TUI_REDRAW))
                tui_app_paint(a, (flags & TUI_REDRAW) != 0);
            flags = 0;
            tui_timing_log(a, "key %d view %d %.3f ms", nkeys, a->view, tui_now_ms() - key_t0);
        }
    }
}

int tui_run(const tui_opts_t *o, char *err, size_t errlen)
{
    static tui_app_t app; /* large; one UI per process */
    tui_term_info_t info;
    int rc = app_start(&app, o, err, errlen);
    if (rc == 0 && (rc = tui_term_open(o->no_color, &info, err, errlen)) == 0) {
        app.utf8 = info.utf8;
        app.theme = info.theme;
        tui_timing_log(&app, "terminal %dx%d utf8 %d theme %d", COLS, LINES, info.utf8,
                       info.theme);
        tui_views[app.view].show ? tui_views[app.view].show(&app) : (void)0;
        app_loop(&app);
        tui_term_close();
    }
    app_stop(&app);
    return rc;
}
