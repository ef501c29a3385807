/* map.c -- intrusive chained hash map with FNV-1a hashing. */
#include "broker/map.h"

#include <stdlib.h>
#include <string.h>

struct mq_map {
    mq_map_node **buckets;
    size_t nbuckets; /* a power of two */
    size_t count;
};

static uint32_t fnv1a(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

mq_map *mq_map_new(void) {
    mq_map *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->nbuckets = 64;
    m->buckets = calloc(m->nbuckets, sizeof *m->buckets);
    if (!m->buckets) {
        free(m);
        return NULL;
    }
    return m;
}

mq_map_node *mq_map_get(const mq_map *m, const char *key) {
    uint32_t h = fnv1a(key);
    for (mq_map_node *n = m->buckets[h & (m->nbuckets - 1)]; n; n = n->next)
        if (n->hash == h && !strcmp(n->key, key)) return n;
    return NULL;
}

/* Doubles the bucket array; on failure the map keeps working, just slower. */
static void grow(mq_map *m) {
    size_t nb = m->nbuckets * 2;
    mq_map_node **b = calloc(nb, sizeof *b);
    if (!b) return;
    for (size_t i = 0; i < m->nbuckets; i++) {
        mq_map_node *n = m->buckets[i];
        while (n) {
            mq_map_node *next = n->next;
            n->next = b[n->hash & (nb - 1)];
            b[n->hash & (nb - 1)] = n;
            n = next;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->nbuckets = nb;
}

void mq_map_put(mq_map *m, mq_map_node *n, const char *key) {
    n->key = key;
    n->hash = fnv1a(key);
    n->next = m->buckets[n->hash & (m->nbuckets - 1)];
    m->buckets[n->hash & (m->nbuckets - 1)] = n;
    if (++m->count > m->nbuckets) grow(m);
}

void mq_map_remove(mq_map *m, mq_map_node *n) {
    for (mq_map_node **p = &m->buckets[n->hash & (m->nbuckets - 1)]; *p; p = &(*p)->next)
        if (*p == n) {
            *p = n->next;
            n->next = NULL;
            m->count--;
            return;
        }
}

size_t mq_map_count(const mq_map *m) { return m->count; }

void mq_map_each(const mq_map *m, void (*fn)(mq_map_node *n, void *ud), void *ud) {
    for (size_t i = 0; i < m->nbuckets; i++)
        for (mq_map_node *n = m->buckets[i], *next; n; n = next) {
            next = n->next;
            fn(n, ud);
        }
}

void mq_map_free(mq_map *m) {
    if (!m) return;
    free(m->buckets);
    free(m);
}
