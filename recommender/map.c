/* map.c -- linear-probing hash maps (see map.h). */
#include "recommender/map.h"

#include <stdlib.h>
#include <string.h>

#define ID_EMPTY INT64_MIN

struct rec_idmap {
    int64_t *keys; /* ID_EMPTY marks a free cell */
    uint32_t *vals;
    size_t cap; /* a power of two */
    size_t n;
};

static size_t cap_for(size_t hint) {
    size_t cap = 16;
    while (cap < hint + hint / 3 + 1) cap *= 2;
    return cap;
}

static int idmap_alloc(rec_idmap *m, size_t cap) {
    int64_t *k = malloc(cap * sizeof *k);
    uint32_t *v = malloc(cap * sizeof *v);
    if (!k || !v) {
        free(k);
        free(v);
        return -1;
    }
    for (size_t i = 0; i < cap; i++) k[i] = ID_EMPTY;
    m->keys = k;
    m->vals = v;
    m->cap = cap;
    return 0;
}

rec_idmap *rec_idmap_new(size_t hint) {
    rec_idmap *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    if (idmap_alloc(m, cap_for(hint)) != 0) {
        free(m);
        return NULL;
    }
    return m;
}

void rec_idmap_del(rec_idmap *m) {
    if (!m) return;
    free(m->keys);
    free(m->vals);
    free(m);
}

static size_t id_home(const rec_idmap *m, int64_t id) {
    return (size_t)rec_mix64((uint64_t)id) & (m->cap - 1);
}

int rec_idmap_get(const rec_idmap *m, int64_t id, uint32_t *v) {
    size_t mask = m->cap - 1;
    for (size_t i = id_home(m, id);; i = (i + 1) & mask) {
        if (m->keys[i] == ID_EMPTY) return 0;
        if (m->keys[i] == id) {
            *v = m->vals[i];
            return 1;
        }
    }
}

/* Inserts without growing; the caller made room. */
static void id_insert(rec_idmap *m, int64_t id, uint32_t v) {
    size_t mask = m->cap - 1;
    for (size_t i = id_home(m, id);; i = (i + 1) & mask) {
        if (m->keys[i] == ID_EMPTY) {
            m->keys[i] = id;
            m->vals[i] = v;
            m->n++;
            return;
        }
        if (m->keys[i] == id) {
            m->vals[i] = v;
            return;
        }
    }
}

int rec_idmap_put(rec_idmap *m, int64_t id, uint32_t v) {
    uint32_t old;
    if (rec_idmap_get(m, id, &old)) {
        id_insert(m, id, v);
        return 0;
    }
    if ((m->n + 1) * 4 > m->cap * 3) {
        rec_idmap bigger = {0};
        if (idmap_alloc(&bigger, m->cap * 2) != 0) return -1;
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i] != ID_EMPTY) id_insert(&bigger, m->keys[i], m->vals[i]);
        free(m->keys);
        free(m->vals);
        *m = bigger;
    }
    id_insert(m, id, v);
    return 0;
}

int rec_idmap_remove(rec_idmap *m, int64_t id) {
    size_t mask = m->cap - 1, i = id_home(m, id);
    for (;; i = (i + 1) & mask) {
        if (m->keys[i] == ID_EMPTY) return 0;
        if (m->keys[i] == id) break;
    }
    /* Backward-shift deletion: move later entries of the probe run into the hole. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; m->keys[j] != ID_EMPTY; j = (j + 1) & mask) {
        size_t home = id_home(m, m->keys[j]);
        /* j may move to hole when home is not cyclically within (hole, j]. */
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            m->keys[hole] = m->keys[j];
            m->vals[hole] = m->vals[j];
            hole = j;
        }
    }
    m->keys[hole] = ID_EMPTY;
    m->n--;
    return 1;
}

size_t rec_idmap_count(const rec_idmap *m) { return m->n; }

size_t rec_idmap_bytes(const rec_idmap *m) {
    return sizeof *m + m->cap * (sizeof *m->keys + sizeof *m->vals);
}

/* --- three-word keys ------------------------------------------------------------- */

typedef struct entry {
    rec_key k;
    uint32_t v;
    uint32_t used;
} entry;

struct rec_map {
    entry *e;
    size_t cap; /* a power of two */
    size_t n;
};

static uint64_t key_hash(rec_key k) {
    return rec_mix64(k.a ^ rec_mix64(k.b ^ rec_mix64(k.c + 0x9e3779b97f4a7c15ULL)));
}

static int key_eq(rec_key x, rec_key y) { return x.a == y.a && x.b == y.b && x.c == y.c; }

rec_map *rec_map_new(size_t hint) {
    rec_map *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->cap = cap_for(hint);
    m->e = calloc(m->cap, sizeof *m->e);
    if (!m->e) {
        free(m);
        return NULL;
    }
    return m;
}

void rec_map_del(rec_map *m) {
    if (!m) return;
    free(m->e);
    free(m);
}

static size_t find(const rec_map *m, rec_key k, int *found) {
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)key_hash(k) & mask;; i = (i + 1) & mask) {
        if (!m->e[i].used) {
            *found = 0;
            return i;
        }
        if (key_eq(m->e[i].k, k)) {
            *found = 1;
            return i;
        }
    }
}

int rec_map_get(const rec_map *m, rec_key k, uint32_t *v) {
    int found;
    size_t i = find(m, k, &found);
    if (found) *v = m->e[i].v;
    return found;
}

int rec_map_put(rec_map *m, rec_key k, uint32_t v) {
    int found;
    size_t i = find(m, k, &found);
    if (found) {
        m->e[i].v = v;
        return 0;
    }
    if ((m->n + 1) * 4 > m->cap * 3) {
        size_t ncap = m->cap * 2;
        entry *ne = calloc(ncap, sizeof *ne);
        if (!ne) return -1;
        entry *old = m->e;
        size_t ocap = m->cap;
        m->e = ne;
        m->cap = ncap;
        for (size_t j = 0; j < ocap; j++) {
            if (!old[j].used) continue;
            size_t s = find(m, old[j].k, &found);
            m->e[s] = old[j];
        }
        free(old);
        i = find(m, k, &found);
    }
    m->e[i].k = k;
    m->e[i].v = v;
    m->e[i].used = 1;
    m->n++;
    return 0;
}

int rec_map_remove(rec_map *m, rec_key k) {
    int found;
    size_t i = find(m, k, &found);
    if (!found) return 0;
    size_t mask = m->cap - 1, hole = i;
    for (size_t j = (i + 1) & mask; m->e[j].used; j = (j + 1) & mask) {
        size_t home = (size_t)key_hash(m->e[j].k) & mask;
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            m->e[hole] = m->e[j];
            hole = j;
        }
    }
    m->e[hole].used = 0;
    m->n--;
    return 1;
}

size_t rec_map_count(const rec_map *m) { return m->n; }

size_t rec_map_bytes(const rec_map *m) { return sizeof *m + m->cap * sizeof *m->e; }
