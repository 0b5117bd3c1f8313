/*
 * an_report_treeint.h -- internal to an_report_tree*.c: adding rows to the
 * arrays.  Each add returns the new index, or -1 when memory ran out.
 */
#ifndef AN_REPORT_TREEINT_H
#define AN_REPORT_TREEINT_H

#include "an_report_tree.h"

typedef struct an__tree_frame_row_s {
    long long id;
    int module; /* index, -1 */
    unsigned long long rel_pc;
    const char *function, *file;
    int line, inlined;
} an__tree_frame_row_t;

int an__tree_grow(void **v, size_t *cap, size_t n, size_t size);
int an__tree_oom(char *err, size_t errlen);                /* sets err, returns -1 */
int an__tree_dberr(an_tree_t *t, char *err, size_t errlen); /* sets err, returns -1 */
int an__tree_add_mod(an_tree_t *t, long long id, const char *path, int is_main);
int an__tree_add_frame(an_tree_t *t, const an__tree_frame_row_t *r);
int an__tree_add_inl(an_tree_t *t, int fi, const char *function, const char *file, int line);
int an__tree_add_node(an_tree_t *t, long long id, int has_parent, long long parent_id, int fi,
                      int depth);
/* an_report_treeload.c: a callsites row (kept as it is when already there;
 * an unknown frame for a frame id without a row), every module, frame and
 * inline chain.  0, or -1 with err set. */
int an__tree_add_callsite(an_tree_t *t, long long id, int has_parent, long long parent_id,
                          long long frame, int depth, char *err, size_t errlen);
int an__tree_load_frames(an_tree_t *t, char *err, size_t errlen);

#endif
