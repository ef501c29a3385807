/* pathidx.c -- open-addressing hash table over an entry array and a path arena. */
#include "ingest/pathidx.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define BLOCK_SIZE (1u << 20)

typedef struct block {
    struct block *next;
    size_t used, cap;
    char data[];
} block;

struct ig_pathidx {
    ig_pathent *ents;
    size_t n, cap;
    uint32_t *slots; /* entry index + 1; 0 is empty */
    size_t nslots;   /* a power of two */
    block *blocks;
};

ig_pathidx *ig_pathidx_new(void) {
    ig_pathidx *x = calloc(1, sizeof *x);
    if (!x) return NULL;
    x->nslots = 1024;
    x->slots = calloc(x->nslots, sizeof *x->slots);
    if (!x->slots) {
        free(x);
        return NULL;
    }
    return x;
}

static size_t slot_of(const ig_pathidx *x, const char *p, size_t len) {
    return (size_t)XXH3_64bits(p, len) & (x->nslots - 1);
}

/* Copies len bytes and a NUL into the arena. */
static char *arena_copy(ig_pathidx *x, const char *p, size_t len) {
    block *b = x->blocks;
    if (!b || b->cap - b->used < len + 1) {
        size_t cap = len + 1 > BLOCK_SIZE ? len + 1 : BLOCK_SIZE;
        b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->next = x->blocks;
        b->used = 0;
        b->cap = cap;
        x->blocks = b;
    }
    char *d = b->data + b->used;
    memcpy(d, p, len);
    d[len] = 0;
    b->used += len + 1;
    return d;
}

static int grow_slots(ig_pathidx *x) {
    size_t ns = x->nslots * 2;
    uint32_t *s = calloc(ns, sizeof *s);
    if (!s) return -1;
    free(x->slots);
    x->slots = s;
    x->nslots = ns;
    for (size_t i = 0; i < x->n; i++) {
        size_t k = slot_of(x, x->ents[i].path, x->ents[i].len);
        while (s[k]) k = (k + 1) & (ns - 1);
        s[k] = (uint32_t)(i + 1);
    }
    return 0;
}

ig_pathent *ig_pathidx_get(const ig_pathidx *x, const char *path, size_t len) {
    size_t k = slot_of(x, path, len);
    while (x->slots[k]) {
        ig_pathent *e = &x->ents[x->slots[k] - 1];
        if (e->len == len && !memcmp(e->path, path, len)) return e;
        k = (k + 1) & (x->nslots - 1);
    }
    return NULL;
}

ig_pathent *ig_pathidx_add(ig_pathidx *x, const char *path, size_t len) {
    ig_pathent *e = ig_pathidx_get(x, path, len);
    if (e) return e;
    if (x->n >= UINT32_MAX - 1) return NULL;
    if (2 * (x->n + 1) > x->nslots && grow_slots(x) != 0) return NULL;
    if (x->n == x->cap) {
        size_t nc = x->cap ? 2 * x->cap : 1024;
        ig_pathent *ne = realloc(x->ents, nc * sizeof *ne);
        if (!ne) return NULL;
        x->ents = ne;
        x->cap = nc;
    }
    char *copy = arena_copy(x, path, len);
    if (!copy) return NULL;
    e = &x->ents[x->n];
    memset(e, 0, sizeof *e);
    e->path = copy;
    e->len = len;
    size_t k = slot_of(x, path, len);
    while (x->slots[k]) k = (k + 1) & (x->nslots - 1);
    x->slots[k] = (uint32_t)(++x->n);
    return e;
}

size_t ig_pathidx_count(const ig_pathidx *x) { return x->n; }

ig_pathent *ig_pathidx_at(ig_pathidx *x, size_t i) { return i < x->n ? &x->ents[i] : NULL; }

void ig_pathidx_del(ig_pathidx *x) {
    if (!x) return;
    for (block *b = x->blocks, *nb; b; b = nb) {
        nb = b->next;
        free(b);
    }
    free(x->ents);
    free(x->slots);
    free(x);
}
