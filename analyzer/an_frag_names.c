/* an_frag_names.c -- frames of the sites the model shows: the two
 * rankings and the program mappings (see an_frag_names in an_frag_int.h).
 * Strings are copied: the model outlives the connection. */
#include "an_frag_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct nm_walk_s {
    an_frag_site_t *s;
    int oom;
} nm_walk_t;

static const char *nm_dup(const char *s, int *oom)
{
    char *d;
    if (!s)
        return NULL;
    if (!(d = strdup(s)))
        *oom = 1;
    return d;
}

static int nm_frame(const an_frame_t *f, void *arg)
{
    nm_walk_t *w = arg;
    an_frame_t *d = &w->s->frames[w->s->nframes++];
    *d = *f;
    d->function = nm_dup(f->function, &w->oom);
    d->file = nm_dup(f->file, &w->oom);
    d->module = nm_dup(f->module, &w->oom);
    return w->oom || w->s->nframes == AN_FRAG_FRAMES;
}

static int nm_site(an_db_t *db, an_frag_site_t *s, char *err, size_t len)
{
    nm_walk_t w = {s, 0};
    if (s->frames || s->callsite_id == 0)
        return 0;
    if (!(s->frames = calloc(AN_FRAG_FRAMES, sizeof *s->frames))) {
        snprintf(err, len, "out of memory");
        return -1;
    }
    if (an_stack_walk(db, s->callsite_id, nm_frame, &w, err, len) != 0)
        return -1;
    if (w.oom) {
        snprintf(err, len, "out of memory");
        return -1;
    }
    return 0;
}

int an_frag_names(an_db_t *db, an_frag_model_t *m, char *err, size_t len)
{
    for (size_t i = 0; i < m->nwaste; i++)
        if (nm_site(db, &m->sites[m->by_waste[i]], err, len) != 0)
            return -1;
    for (size_t i = 0; i < m->npin; i++)
        if (nm_site(db, &m->sites[m->by_pin[i]], err, len) != 0)
            return -1;
    for (size_t i = 0; i < m->nregions; i++)
        if (m->regions[i].site >= 0 && nm_site(db, &m->sites[m->regions[i].site], err, len) != 0)
            return -1;
    return 0;
}
