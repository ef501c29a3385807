/* pending.c -- an entry array with a hash index rebuilt after removals (see pending.h). */
#include "ingest/pending.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

struct ig_pending {
    ig_pending_ent *e;
    size_t n, cap;   /* entries in use (some may be dropped: path NULL) */
    size_t live;     /* entries with a path */
    uint32_t *index; /* entry + 1, 0 empty; nindex a power of two */
    size_t nindex;
};

static size_t slot(const ig_pending *p, const char *path) {
    return (size_t)XXH3_64bits(path, strlen(path)) & (p->nindex - 1);
}

/* Rebuilds the array without dropped entries and the index for it. On failure (no
 * memory) nothing has changed. */
static int rebuild(ig_pending *p) {
    size_t live = 0;
    for (size_t i = 0; i < p->n; i++) live += p->e[i].path != NULL;
    size_t want = 64;
    while (want < 2 * (live + 1)) want *= 2;
    uint32_t *ni = calloc(want, sizeof *ni);
    if (!ni) return -1;
    free(p->index);
    p->index = ni;
    p->nindex = want;
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++)
        if (p->e[i].path) p->e[k++] = p->e[i];
    p->n = k;
    for (size_t i = 0; i < p->n; i++) {
        size_t s = slot(p, p->e[i].path);
        while (p->index[s]) s = (s + 1) & (p->nindex - 1);
        p->index[s] = (uint32_t)(i + 1);
    }
    return 0;
}

ig_pending *ig_pending_new(void) {
    ig_pending *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    if (rebuild(p) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

static ig_pending_ent *lookup(const ig_pending *p, const char *path) {
    for (size_t s = slot(p, path); p->index[s]; s = (s + 1) & (p->nindex - 1)) {
        ig_pending_ent *e = &p->e[p->index[s] - 1];
        if (e->path && !strcmp(e->path, path)) return e;
    }
    return NULL;
}

ig_pending_ent *ig_pending_touch(ig_pending *p, const char *path, int writing, double now,
                                 double delay) {
    ig_pending_ent *e = lookup(p, path);
    if (!e) {
        if (2 * (p->n + 1) > p->nindex && rebuild(p) != 0) return NULL;
        if (p->n == p->cap) {
            size_t nc = p->cap ? 2 * p->cap : 64;
            ig_pending_ent *ne = realloc(p->e, nc * sizeof *ne);
            if (!ne) return NULL;
            p->e = ne, p->cap = nc;
        }
        char *copy = strdup(path);
        if (!copy) return NULL;
        e = &p->e[p->n];
        memset(e, 0, sizeof *e);
        e->path = copy;
        size_t s = slot(p, path);
        while (p->index[s]) s = (s + 1) & (p->nindex - 1);
        p->index[s] = (uint32_t)(++p->n);
        p->live++;
    }
    if (writing >= 0) e->writing = writing;
    e->due = now + delay;
    return e;
}

/* True when path is dir itself or lies below it. */
static int below(const char *path, const char *dir, size_t dl) {
    return !strncmp(path, dir, dl) && (path[dl] == '/' || path[dl] == 0);
}

void ig_pending_drop(ig_pending *p, const char *path, int is_dir) {
    size_t dl = strlen(path);
    for (size_t i = 0; i < p->n; i++) {
        ig_pending_ent *e = &p->e[i];
        if (e->path && (is_dir ? below(e->path, path, dl) : !strcmp(e->path, path))) {
            free(e->path);
            e->path = NULL;
            p->live--;
        }
    }
}

int ig_pending_rename(ig_pending *p, const char *from, const char *to, int is_dir) {
    size_t fl = strlen(from), tl = strlen(to);
    int changed = 0;
    for (size_t i = 0; i < p->n; i++) {
        ig_pending_ent *e = &p->e[i];
        if (!e->path || !(is_dir ? below(e->path, from, fl) : !strcmp(e->path, from))) continue;
        size_t rest = strlen(e->path) - fl;
        char *np = malloc(tl + rest + 1);
        if (!np) return -1;
        memcpy(np, to, tl);
        memcpy(np + tl, e->path + fl, rest + 1);
        free(e->path);
        e->path = np;
        changed = 1;
    }
    return changed ? rebuild(p) : 0;
}

size_t ig_pending_run(ig_pending *p, double now, int (*fn)(ig_pending_ent *e, void *ud), void *ud) {
    int removed = 0;
    for (size_t i = 0; i < p->n; i++) {
        ig_pending_ent *e = &p->e[i];
        if (!e->path || e->due > now) continue;
        int r = fn(e, ud);
        if (r < 0) break;
        if (r == 1) {
            free(e->path);
            e->path = NULL;
            p->live--;
            removed = 1;
        }
    }
    if (removed || p->live < p->n) (void)rebuild(p); /* on failure the old index still works */
    return p->live;
}

double ig_pending_next(const ig_pending *p) {
    double best = -1;
    for (size_t i = 0; i < p->n; i++)
        if (p->e[i].path && (best < 0 || p->e[i].due < best)) best = p->e[i].due;
    return best;
}

size_t ig_pending_count(const ig_pending *p) { return p->live; }

void ig_pending_del(ig_pending *p) {
    if (!p) return;
    for (size_t i = 0; i < p->n; i++) free(p->e[i].path);
    free(p->e);
    free(p->index);
    free(p);
}
