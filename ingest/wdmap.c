/* wdmap.c -- wd -> path map with linear probing and backward-shift deletion. */
#include "ingest/wdmap.h"

#include <stdlib.h>
#include <string.h>

typedef struct slot {
    int wd;
    char *path; /* NULL: empty */
} slot;

struct ig_wdmap {
    slot *s;
    size_t cap, n; /* cap a power of two */
};

static size_t home(const ig_wdmap *m, int wd) {
    return ((size_t)(unsigned)wd * 2654435761u) & (m->cap - 1);
}

ig_wdmap *ig_wdmap_new(void) {
    ig_wdmap *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->cap = 256;
    m->s = calloc(m->cap, sizeof *m->s);
    if (!m->s) {
        free(m);
        return NULL;
    }
    return m;
}

static slot *find(const ig_wdmap *m, int wd) {
    for (size_t i = home(m, wd);; i = (i + 1) & (m->cap - 1)) {
        if (!m->s[i].path) return NULL;
        if (m->s[i].wd == wd) return &m->s[i];
    }
}

static int grow(ig_wdmap *m) {
    ig_wdmap g = {calloc(m->cap * 2, sizeof(slot)), m->cap * 2, m->n};
    if (!g.s) return -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->s[i].path) continue;
        size_t k = home(&g, m->s[i].wd);
        while (g.s[k].path) k = (k + 1) & (g.cap - 1);
        g.s[k] = m->s[i];
    }
    free(m->s);
    *m = g;
    return 0;
}

int ig_wdmap_set(ig_wdmap *m, int wd, const char *path) {
    char *copy = strdup(path);
    if (!copy) return -1;
    slot *e = find(m, wd);
    if (e) {
        free(e->path);
        e->path = copy;
        return 0;
    }
    if (2 * (m->n + 1) > m->cap && grow(m) != 0) {
        free(copy);
        return -1;
    }
    size_t k = home(m, wd);
    while (m->s[k].path) k = (k + 1) & (m->cap - 1);
    m->s[k].wd = wd;
    m->s[k].path = copy;
    m->n++;
    return 0;
}

const char *ig_wdmap_get(const ig_wdmap *m, int wd) {
    slot *e = find(m, wd);
    return e ? e->path : NULL;
}

void ig_wdmap_remove(ig_wdmap *m, int wd) {
    slot *e = find(m, wd);
    if (!e) return;
    free(e->path);
    e->path = NULL;
    m->n--;
    /* Backward shift: move later entries of the run into the hole when that brings them
     * no further from home. */
    size_t hole = (size_t)(e - m->s), i = hole;
    for (;;) {
        i = (i + 1) & (m->cap - 1);
        if (!m->s[i].path) break;
        size_t h = home(m, m->s[i].wd);
        /* Entry i may move to hole when its home is not cyclically in (hole, i]. */
        int in_range = hole <= i ? (h > hole && h <= i) : (h > hole || h <= i);
        if (!in_range) {
            m->s[hole] = m->s[i];
            m->s[i].path = NULL;
            hole = i;
        }
    }
}

size_t ig_wdmap_count(const ig_wdmap *m) { return m->n; }

size_t ig_wdmap_slots(const ig_wdmap *m) { return m->cap; }

const char *ig_wdmap_at(const ig_wdmap *m, size_t i, int *wd) {
    if (i >= m->cap || !m->s[i].path) return NULL;
    *wd = m->s[i].wd;
    return m->s[i].path;
}

void ig_wdmap_del(ig_wdmap *m) {
    if (!m) return;
    for (size_t i = 0; i < m->cap; i++) free(m->s[i].path);
    free(m->s);
    free(m);
}
