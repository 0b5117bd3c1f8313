/* an_report_sumout.c -- the summary report as text, JSON or CSV. */
#include "an_report_summary.h"

#include <string.h>
#include <time.h>

#define SUM_TOP 5

static const char *sum_status(const an_ctx_t *c, const summary_t *s, char *buf, size_t len)
{
    if (c->d->live)
        snprintf(buf, len, "still recording");
    else if (c->d->crashed)
        snprintf(buf, len, "unfinished (the recorder stopped without finishing)");
    else if (!strcmp(c->d->status, "truncated"))
        snprintf(buf, len, "truncated%s%s", s->reason[0] ? ": " : "", s->reason);
    else
        snprintf(buf, len, "%s", c->d->status[0] ? c->d->status : "unknown");
    return buf;
}

static const char *proc_end(const an_proc_t *p, char *buf, size_t len)
{
    if (p->exit_signal > 0)
        snprintf(buf, len, "killed by signal %lld", p->exit_signal);
    else if (p->exit_code >= 0)
        snprintf(buf, len, "exited %lld", p->exit_code);
    else if (p->end_reason[0])
        snprintf(buf, len, "%s", p->end_reason);
    else
        snprintf(buf, len, "running");
    return buf;
}

static void text_line(FILE *f, const char *key, const char *value)
{
    fprintf(f, "  %-14s %s\n", key, value);
}

static void text_kinds(FILE *f, const summary_t *s)
{
    char a[32], b[32];
    for (int i = 0; i < s->n_kinds; i++)
        fprintf(f, "  %-14s   %-16s %12s calls %7s\n", "", s->kinds[i].name,
                an_fmt_count(s->kinds[i].count, a, sizeof a),
                an_fmt_pct((double)s->kinds[i].count, (double)s->allocs, b, sizeof b));
}

static void text_procs(an_ctx_t *c, const summary_t *s)
{
    char a[32], b[32], e[64], line[512];
    if (s->n_procs == 1) {
        snprintf(line, sizeof line, "1 (pid %lld, %s)", s->procs[0].pid,
                 proc_end(&s->procs[0], e, sizeof e));
        text_line(c->out, "processes", line);
        return;
    }
    snprintf(line, sizeof line, "%zu", s->n_procs);
    text_line(c->out, "processes", line);
    for (size_t i = 0; i < s->n_procs; i++) {
        const an_proc_t *p = &s->procs[i];
        fprintf(c->out, "  %-14s   pid %-7lld %-22s peak %-12s %s allocations  %s\n", "", p->pid,
                proc_end(p, e, sizeof e), an_fmt_bytes(p->peak_bytes, a, sizeof a),
                an_fmt_count(p->allocs, b, sizeof b), an_fmt_base(p->exe));
    }
}

static void text_peak(an_ctx_t *c, const summary_t *s)
{
    char a[32], b[32], r[32], line[256];
    int n = snprintf(line, sizeof line, "%s in %s blocks", an_fmt_bytes(s->peak_bytes, a, sizeof a),
                     an_fmt_count(s->peak_blocks, b, sizeof b));
    if (s->peak_ns >= 0)
        n += snprintf(line + n, sizeof line - (size_t)n, " at %.3f s", (double)s->peak_ns / 1e9);
    if (s->peak_rss >= 0)
        snprintf(line + n, sizeof line - (size_t)n, " (RSS then %s)",
                 an_fmt_bytes(s->peak_rss, r, sizeof r));
    text_line(c->out, "peak heap", line);
}

static void text_body(an_ctx_t *c, const summary_t *s)
{
    char a[32], b[32], line[1200];
    FILE *f = c->out;
    fprintf(f, "heapql summary of %s\n", c->o->db_path ? c->o->db_path : "the recording");
    text_line(f, "command", s->command[0] ? s->command : "?");
    text_line(f, "status", sum_status(c, s, line, sizeof line));
    snprintf(line, sizeof line, "%.3f s", (double)s->run_ns / 1e9);
    text_line(f, "run time", line);
    text_procs(c, s);
    snprintf(line, sizeof line, "%s calls, %s", an_fmt_count(s->allocs, a, sizeof a),
             an_fmt_bytes(s->bytes, b, sizeof b));
    text_line(f, "allocations", line);
    text_kinds(f, s);
    if (c->aggregate && s->n_kinds == 0)
        text_line(f, "", "(calls by kind are not kept in an aggregated recording)");
    text_line(f, "frees", an_fmt_count(s->frees, a, sizeof a));
    text_peak(c, s);
    snprintf(line, sizeof line, "%s in %s blocks", an_fmt_bytes(s->leaked_bytes, a, sizeof a),
             an_fmt_count(s->leaked_blocks, b, sizeof b));
    text_line(f, "leaked", line);
    snprintf(line, sizeof line, "%s allocations (%s)", an_fmt_count(s->temporary, a, sizeof a),
             an_fmt_pct((double)s->temporary, (double)s->allocs, b, sizeof b));
    text_line(f, "temporary", line);
    text_line(f, "failed", an_fmt_count(s->failed, a, sizeof a));
    snprintf(line, sizeof line, "%s (%s waiting)", an_fmt_count(s->ring_waits, a, sizeof a),
             an_fmt_ns(s->ring_wait_ns, b, sizeof b));
    text_line(f, "ring waits", line);
    if (s->unknown_frees)
        text_line(f, "unknown frees", an_fmt_count(s->unknown_frees, a, sizeof a));
    if (s->unsampled_frees) {
        snprintf(line, sizeof line, "%s (of blocks not sampled: not in the figures)",
                 an_fmt_count(s->unsampled_frees, a, sizeof a));
        text_line(f, "other frees", line);
    }
    if (s->lost_events) {
        snprintf(line, sizeof line, "%s (figures are incomplete)",
                 an_fmt_count(s->lost_events, a, sizeof a));
        text_line(f, "LOST EVENTS", line);
    }
}

static void json_procs(an_json_t *j, const summary_t *s)
{
    an_json_arr(j, "processes");
    for (size_t i = 0; i < s->n_procs; i++) {
        const an_proc_t *p = &s->procs[i];
        an_json_obj(j, NULL);
        an_json_int(j, "pid", p->pid);
        an_json_str(j, "exe", p->exe);
        an_json_int(j, "start_ns", p->start_ns);
        an_json_opt(j, "end_ns", p->end_ns);
        an_json_opt(j, "exit_code", p->exit_code);
        an_json_opt(j, "exit_signal", p->exit_signal > 0 ? p->exit_signal : -1);
        an_json_str(j, "end_reason", p->end_reason[0] ? p->end_reason : NULL);
        an_json_int(j, "peak_heap_bytes", p->peak_bytes);
        an_json_int(j, "alloc_calls", p->allocs);
        an_json_end(j, '}');
    }
    an_json_end(j, ']');
}

static void json_body(an_ctx_t *c, const summary_t *s)
{
    an_json_t *j = &c->json;
    an_json_str(j, "command", s->command);
    an_json_str(j, "reason", s->reason[0] ? s->reason : NULL);
    an_json_int(j, "run_ns", s->run_ns);
    json_procs(j, s);
    an_json_int(j, "alloc_calls", s->allocs);
    an_json_int(j, "alloc_bytes", s->bytes);
    an_json_arr(j, "by_kind");
    for (int i = 0; i < s->n_kinds; i++) {
        an_json_obj(j, NULL);
        an_json_str(j, "kind", s->kinds[i].name);
        an_json_int(j, "calls", s->kinds[i].count);
        an_json_end(j, '}');
    }
    an_json_end(j, ']');
    an_json_int(j, "free_calls", s->frees);
    an_json_int(j, "peak_bytes", s->peak_bytes);
    an_json_int(j, "peak_blocks", s->peak_blocks);
    an_json_opt(j, "peak_ns", s->peak_ns);
    an_json_opt(j, "peak_rss_bytes", s->peak_rss);
    an_json_int(j, "leaked_bytes", s->leaked_bytes);
    an_json_int(j, "leaked_blocks", s->leaked_blocks);
    an_json_int(j, "temporary", s->temporary);
    an_json_int(j, "failed", s->failed);
    an_json_int(j, "ring_waits", s->ring_waits);
    an_json_int(j, "ring_wait_ns", s->ring_wait_ns);
    an_json_int(j, "unknown_frees", s->unknown_frees);
    an_json_int(j, "unsampled_frees", s->unsampled_frees);
    an_json_int(j, "lost_events", s->lost_events);
}

static void csv_kv(FILE *f, const char *key, long long v)
{
    an_csv_str(f, key, 0);
    an_csv_int(f, v, 1);
}

static void csv_body(an_ctx_t *c, const summary_t *s)
{
    char key[64], st[300];
    FILE *f = c->out;
    an_csv_str(f, "key", 0);
    an_csv_str(f, "value", 1);
    an_csv_str(f, "command", 0);
    an_csv_str(f, s->command, 1);
    an_csv_str(f, "status", 0);
    an_csv_str(f, sum_status(c, s, st, sizeof st), 1);
    csv_kv(f, "run_ns", s->run_ns);
    csv_kv(f, "processes", (long long)s->n_procs);
    csv_kv(f, "alloc_calls", s->allocs);
    csv_kv(f, "alloc_bytes", s->bytes);
    for (int i = 0; i < s->n_kinds; i++) {
        snprintf(key, sizeof key, "calls.%s", s->kinds[i].name);
        csv_kv(f, key, s->kinds[i].count);
    }
    csv_kv(f, "free_calls", s->frees);
    csv_kv(f, "peak_bytes", s->peak_bytes);
    csv_kv(f, "peak_blocks", s->peak_blocks);
    csv_kv(f, "peak_ns", s->peak_ns);
    csv_kv(f, "peak_rss_bytes", s->peak_rss);
    csv_kv(f, "leaked_bytes", s->leaked_bytes);
    csv_kv(f, "leaked_blocks", s->leaked_blocks);
    csv_kv(f, "temporary", s->temporary);
    csv_kv(f, "failed", s->failed);
    csv_kv(f, "ring_waits", s->ring_waits);
    csv_kv(f, "ring_wait_ns", s->ring_wait_ns);
    csv_kv(f, "unknown_frees", s->unknown_frees);
    csv_kv(f, "unsampled_frees", s->unsampled_frees);
    csv_kv(f, "lost_events", s->lost_events);
}

int an_sum_write(an_ctx_t *c, summary_t *s, char *err, size_t errlen)
{
    an_table_t *t = an_top_table(c, &s->top, SUM_TOP, 2, err, errlen);
    if (!t)
        return -1;
    an_ctx_begin(c, "summary");
    if (c->o->format == AN_FMT_TEXT) {
        text_body(c, s);
        if (an_table_rows(t) > 0) {
            fprintf(c->out, "\ntop %zu call sites by peak (self)\n", an_table_rows(t));
            an_table_write(t, AN_FMT_TEXT, c->out, NULL, NULL, 2);
        }
    } else if (c->o->format == AN_FMT_JSON) {
        json_body(c, s);
        an_table_write(t, AN_FMT_JSON, c->out, &c->json, "top_by_peak", 0);
    } else {
        csv_body(c, s);
    }
    an_ctx_end(c);
    an_table_free(t);
    return 0;
}
