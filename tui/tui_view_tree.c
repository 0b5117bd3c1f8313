/*
 * tui_view_tree.c -- 3 Call tree: the functions of every stack as a tree,
 * top-down (callers first) or bottom-up (allocating functions first, their
 * callers below), with the inclusive and self figure of one metric and
 * its share of the total.  Open nodes are remembered by path hash, so a
 * rebuilt tree (live, a new range) keeps what the user opened.
 */
#include "tui_views.h"

#include <stdlib.h>
#include <string.h>

static const tui_col_t tree_cols[] = {
    {"Inclusive", 11, -1}, {"%", 6, -1}, {"Self", 11, -1},
};
#define TREE_NCOLS (int)(sizeof tree_cols / sizeof tree_cols[0])

static tui_ctree_t *tree_cur(tui_app_t *a)
{
    if (!a->snap)
        return NULL;
    return a->vtree.bottom_up ? &a->snap->bu : &a->snap->td;
}

void tui_tree_free(tui_app_t *a)
{
    free(a->vtree.rows);
    free(a->vtree.depth);
    a->vtree.rows = a->vtree.depth = NULL;
    a->vtree.nrows = a->vtree.cap = 0;
    tui_hset_clear(&a->vtree.open[0]);
    tui_hset_clear(&a->vtree.open[1]);
}

/* Open: in the set, or (after '+', all open) not in it. */
static int tree_is_open(const tui_tree_v_t *v, unsigned long long hash)
{
    const tui_hset_t *s = &v->open[v->bottom_up];
    return s->n ? tui_hset_has(s, hash) != v->all[v->bottom_up] : v->all[v->bottom_up];
}

static void tree_set_open(tui_tree_v_t *v, unsigned long long hash, int open)
{
    if (open != v->all[v->bottom_up])
        tui_hset_add(&v->open[v->bottom_up], hash);
    else
        tui_hset_del(&v->open[v->bottom_up], hash);
}

static int tree_push(tui_tree_v_t *v, int node, int depth)
{
    if (v->nrows == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 1024;
        int *r = realloc(v->rows, cap * sizeof *r), *d;
        if (!r)
            return -1;
        v->rows = r;
        if (!(d = realloc(v->depth, cap * sizeof *d)))
            return -1;
        v->depth = d;
        v->cap = cap;
    }
    v->rows[v->nrows] = node;
    v->depth[v->nrows++] = depth;
    return 0;
}

/* Depth-first over the open nodes, kids in their sorted order. */
static int tree_flatten(tui_app_t *a, const tui_ctree_t *t)
{
    tui_tree_v_t *v = &a->vtree;
    int *stack = malloc((t->nn ? t->nn : 1) * sizeof *stack), *sd, sp = 0;
    if (!stack || !(sd = malloc((t->nn ? t->nn : 1) * sizeof *sd))) {
        free(stack);
        return -1;
    }
    v->nrows = 0;
    for (int k = t->shape[0].nkids - 1; k >= 0; k--)
        stack[sp] = t->kids[t->shape[0].kid0 + k], sd[sp++] = 0;
    while (sp > 0) {
        int node = stack[--sp], d = sd[sp];
        const tui_cshape_t *n = &t->shape[node];
        if (tree_push(v, node, d) != 0)
            break;
        if (n->nkids && tree_is_open(v, n->hash))
            for (int k = n->nkids - 1; k >= 0; k--)
                stack[sp] = t->kids[n->kid0 + k], sd[sp++] = d + 1;
    }
    free(stack);
    free(sd);
    return 0;
}

/* The cursor back on its node: searched outwards from where it was (the
 * node moves little, or forward when the nodes above it opened). */
static void tree_keep_cursor(tui_app_t *a, const tui_ctree_t *t)
{
    tui_tree_v_t *v = &a->vtree;
    unsigned long long want = v->keep[v->bottom_up];
    long n = (long)v->nrows, from = v->list.cur < n ? v->list.cur : n - 1;
    tui_list_set(&v->list, n);
    for (long d = 0; from >= 0 && (from - d >= 0 || from + d < n); d++) {
        if (from + d < n && t->shape[v->rows[from + d]].hash == want) {
            tui_list_goto(&v->list, from + d);
            return;
        }
        if (d && from - d >= 0 && t->shape[v->rows[from - d]].hash == want) {
            tui_list_goto(&v->list, from - d);
            return;
        }
    }
}

/* The first time a direction is shown: its heaviest path open. */
static void tree_open_heaviest(tui_app_t *a, const tui_ctree_t *t)
{
    tui_tree_v_t *v = &a->vtree;
    int node = 0;
    if (v->opened[v->bottom_up])
        return;
    v->opened[v->bottom_up] = 1;
    for (int depth = 0; depth < 256 && t->n[node].nkids; depth++) {
        node = t->kids[t->n[node].kid0];
        if (t->n[node].nkids)
            tree_set_open(v, t->n[node].hash, 1);
    }
}

static void tree_rebuild(tui_app_t *a)
{
    tui_tree_v_t *v = &a->vtree;
    tui_ctree_t *t = tree_cur(a);
    if (!t)
        return;
    if (v->built != a->snap) {
        v->built = a->snap;
        v->sorted_metric[0] = v->sorted_metric[1] = -1;
    }
    if (v->sorted_metric[v->bottom_up] != (int)v->metric) {
        tui_ctree_sort(t, v->metric);
        v->sorted_metric[v->bottom_up] = (int)v->metric;
    }
    tree_open_heaviest(a, t);
    if (tree_flatten(a, t) != 0)
        tui_app_message(a, TUI_R_ERROR, "out of memory");
    tree_keep_cursor(a, t);
}

void tui_tree_sync(tui_app_t *a)
{
    tree_rebuild(a);
}

static const tui_cnode_t *tree_node_at(tui_app_t *a, long i)
{
    tui_ctree_t *t = tree_cur(a);
    if (!t || i < 0 || (size_t)i >= a->vtree.nrows)
        return NULL;
    return &t->n[a->vtree.rows[i]];
}

static void tree_selected(tui_app_t *a)
{
    const tui_cnode_t *n = tree_node_at(a, a->vtree.list.cur);
    if (!n)
        return;
    a->vtree.keep[a->vtree.bottom_up] = n->hash;
    tui_select_node(a, n->best_leaf, n->file, n->line);
}

/* ---- the widget's tree callbacks -------------------------------------- */
static int tree_depth(void *ctx, long i)
{
    tui_app_t *a = ctx;
    return a->vtree.depth[i];
}

static int tree_state(void *ctx, long i)
{
    tui_app_t *a = ctx;
    const tui_cnode_t *n = tree_node_at(a, i);
    if (!n || !n->nkids)
        return 0;
    return tree_is_open(&a->vtree, n->hash) ? 2 : 1;
}

static void tree_toggle(void *ctx, long i, int open)
{
    tui_app_t *a = ctx;
    const tui_cnode_t *n = tree_node_at(a, i);
    if (!n)
        return;
    a->vtree.keep[a->vtree.bottom_up] = n->hash;
    tree_set_open(&a->vtree, n->hash, open);
    tree_rebuild(a);
}

static long tree_parent(void *ctx, long i)
{
    tui_app_t *a = ctx;
    int d = a->vtree.depth[i];
    for (long k = i - 1; k >= 0; k--)
        if (a->vtree.depth[k] < d)
            return k;
    return -1;
}

/* ---- drawing ------------------------------------------------------------- */
static void tree_label(const tui_app_t *a, const tui_cnode_t *n, char *buf, size_t len)
{
    const an_tree_t *t = a->snap->tree;
    an_frame_t f;
    if (n->function) {
        snprintf(buf, len, "%s", n->function);
        return;
    }
    memset(&f, 0, sizeof f);
    if (n->frame >= 0) {
        f.rel_pc = t->frames[n->frame].rel_pc;
        f.module = t->frames[n->frame].module >= 0 ? t->mods[t->frames[n->frame].module].path
                                                   : NULL;
    }
    an_frame_label(&f, buf, len);
}

static void tree_row(void *ctx, long i, int y, int x, int w, int sel)
{
    tui_app_t *a = ctx;
    const tui_cnode_t *n = tree_node_at(a, i), *root = &tree_cur(a)->n[0];
    an_metric_t m = a->vtree.metric;
    char buf[1024], loc[600];
    attr_t base = sel ? tui_attr(TUI_R_SELECTED) : tui_attr(TUI_R_NORMAL);
    int ncols = a->vtree.ncols, cx = x;
    const char *cells[TREE_NCOLS];
    char c0[32], c1[32], c2[32];
    cells[0] = tui_fmt_metric(m, n->incl[m], c0, sizeof c0);
    cells[1] = an_fmt_pct((double)n->incl[m], (double)root->incl[m], c1, sizeof c1);
    cells[2] = n->self[m] ? tui_fmt_metric(m, n->self[m], c2, sizeof c2) : "-";
    for (int k = 0; k < ncols; k++) {
        tui_textr(y, cx, tree_cols[k].w, cells[k], k == 0 && !sel ? base | A_BOLD : base);
        cx += tree_cols[k].w + 1;
    }
    cx++;
    cx += tui_list_tree_prefix(&a->vtree.list, i, y, cx, x + w - cx,
                               sel ? base : tui_attr(TUI_R_KEY));
    tree_label(a, n, buf, sizeof buf);
    cx += tui_textc(y, cx, x + w - cx, buf, sel ? base : tui_attr(TUI_R_FUNC));
    if (n->file && x + w - cx > 6) {
        snprintf(loc, sizeof loc, "  %s:%d%s", an_fmt_base(n->file), n->line,
                 n->inlined ? " [inlined]" : "");
        tui_textc(y, cx, x + w - cx, loc, sel ? base : tui_attr(TUI_R_FILE));
    }
}

void tui_tree_draw(tui_app_t *a, tui_rect_t r)
{
    tui_tree_v_t *v = &a->vtree;
    char detail[256], head[64];
    if (!a->snap) {
        tui_view_title(a, r, NULL);
        tui_view_note(r, -1, TUI_R_DIM, a->errmsg[0] ? a->errmsg : "reading call stacks...");
        return;
    }
    if (v->built != a->snap)
        tree_rebuild(a);
    snprintf(detail, sizeof detail, "%s (b: %s), %s inclusive and self%s%s",
             v->bottom_up ? "bottom-up: allocating functions, their callers below"
                          : "top-down: callers first",
             v->bottom_up ? "top-down" : "bottom-up", tui_metric_title(v->metric),
             a->snap->state.live ? "  [live: figures so far]" : "",
             a->snap->window ? "  [in range]" : "");
    int y = tui_view_title(a, r, detail);
    int ncols = a->vtree.ncols = tui_cols_fit(tree_cols, TREE_NCOLS, r.w - 1, 24);
    snprintf(head, sizeof head, "Function (%s)", tui_metric_title(v->metric));
    tui_cols_head(y, r.x, r.w, tree_cols, ncols, -1, 0, head);
    v->ops = (tui_tree_ops_t){tree_depth, tree_state, tree_toggle, tree_parent};
    v->list.tree = &v->ops;
    v->list.ctx = a;
    tui_rect_t lr = {y + 1, r.x, r.y + r.h - y - 1, r.w};
    if (v->nrows == 0) {
        tui_view_note(lr, 1, TUI_R_DIM, "no allocations yet");
        return;
    }
    tui_list_draw(&v->list, lr.y, lr.x, lr.h, lr.w, tree_row, a);
}

/* '+' and '-': every node open or closed, by flipping what the set means. */
static void tree_all(tui_app_t *a, int open)
{
    tui_tree_v_t *v = &a->vtree;
    tui_hset_clear(&v->open[v->bottom_up]);
    v->all[v->bottom_up] = open;
    v->opened[v->bottom_up] = 1;
    tree_rebuild(a);
}

static int tree_open_stack(tui_app_t *a)
{
    const tui_cnode_t *n = tree_node_at(a, a->vtree.list.cur);
    char buf[600], title[700];
    if (!n || n->best_leaf < 0)
        return TUI_HANDLED;
    tree_label(a, n, buf, sizeof buf);
    snprintf(title, sizeof title, " heaviest stack through %s ", buf);
    tui_popup_open(a, n->best_leaf, title);
    return TUI_REFRESH;
}

int tui_tree_key(tui_app_t *a, int ch)
{
    tui_tree_v_t *v = &a->vtree;
    int rc;
    if (!a->snap)
        return TUI_UNHANDLED;
    v->list.tree = &v->ops;
    v->list.ctx = a;
    switch (ch) {
    case 'b':
        v->bottom_up = !v->bottom_up;
        tree_rebuild(a);
        tree_selected(a);
        return TUI_REFRESH;
    case 's':
        v->metric = (an_metric_t)((v->metric + 1) % AN_M_COUNT);
        tree_rebuild(a);
        tui_app_message(a, TUI_R_OK, "tree shows %s", tui_metric_title(v->metric));
        return TUI_REFRESH;
    case '+': case '*': tree_all(a, 1); return TUI_REFRESH;
    case '-': tree_all(a, 0); return TUI_REFRESH;
    case 'x': return tree_open_stack(a);
    case '\r': case '\n': case KEY_ENTER:
        if (tree_state(a, v->list.cur) == 0)
            return tree_open_stack(a);
        break;
    }
    if ((rc = tui_list_key(&v->list, ch)) != TUI_UNHANDLED)
        tree_selected(a);
    return rc;
}

int tui_tree_mouse(tui_app_t *a, const MEVENT *m)
{
    int act, rc = tui_list_mouse(&a->vtree.list, m, &act);
    if (rc == TUI_UNHANDLED)
        return TUI_HANDLED;
    tree_selected(a);
    if (act && tree_state(a, a->vtree.list.cur))
        tree_toggle(a, a->vtree.list.cur, tree_state(a, a->vtree.list.cur) == 1);
    return TUI_REFRESH;
}
