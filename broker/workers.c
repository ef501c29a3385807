/* workers.c -- the worker table and its credit ring. */
#include "broker/workers.h"

#include <stdlib.h>
#include <string.h>

int mq_workers_init(mq_workers *ws) {
    memset(ws, 0, sizeof *ws);
    mq_list_init(&ws->all);
    mq_list_init(&ws->ring);
    ws->byid = mq_map_new();
    return ws->byid ? 0 : -1;
}

mq_worker *mq_workers_get(const mq_workers *ws, const char *id) {
    mq_map_node *n = mq_map_get(ws->byid, id);
    return n ? MQ_CONTAINER(n, mq_worker, node) : NULL;
}

mq_worker *mq_workers_add(mq_workers *ws, const char *id, long long now) {
    mq_worker *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->id = strdup(id);
    if (!w->id) {
        free(w);
        return NULL;
    }
    mq_map_put(ws->byid, &w->node, w->id);
    w->last_seen = now;
    mq_list_init(&w->jobs);
    mq_list_push_back(&ws->all, &w->all);
    return w;
}

void mq_worker_set_ident(mq_worker *w, const void *ident, size_t len) {
    if (len > sizeof w->ident) len = sizeof w->ident;
    memcpy(w->ident, ident, len);
    w->identlen = len;
}

/* Keeps ring membership in step with credit. */
static void ring_update(mq_workers *ws, mq_worker *w) {
    if (w->credit && !w->on_ring) {
        mq_list_push_back(&ws->ring, &w->ring);
        w->on_ring = 1;
    } else if (!w->credit && w->on_ring) {
        mq_list_remove(&ws->ring, &w->ring);
        w->on_ring = 0;
    }
}

void mq_workers_credit(mq_workers *ws, mq_worker *w, unsigned credit, int replace, unsigned max) {
    ws->credit -= w->credit;
    unsigned long long c = replace ? credit : (unsigned long long)w->credit + credit;
    w->credit = c > max ? max : (unsigned)c;
    ws->credit += w->credit;
    ring_update(ws, w);
}

mq_worker *mq_workers_take(mq_workers *ws) {
    mq_link *k = mq_list_first(&ws->ring);
    if (!k) return NULL;
    mq_worker *w = MQ_CONTAINER(k, mq_worker, ring);
    w->credit--;
    ws->credit--;
    mq_list_remove(&ws->ring, k);
    w->on_ring = 0;
    ring_update(ws, w); /* back at the tail while it has credit left */
    return w;
}

void mq_workers_untake(mq_workers *ws, mq_worker *w) {
    w->credit++;
    ws->credit++;
    ring_update(ws, w);
}

void mq_workers_remove(mq_workers *ws, mq_worker *w) {
    ws->credit -= w->credit;
    if (w->on_ring) mq_list_remove(&ws->ring, &w->ring);
    mq_list_remove(&ws->all, &w->all);
    mq_map_remove(ws->byid, &w->node);
    free(w->id);
    free(w);
}

void mq_workers_fini(mq_workers *ws) {
    mq_link *k;
    while ((k = mq_list_first(&ws->all))) {
        mq_worker *w = MQ_CONTAINER(k, mq_worker, all);
        mq_list_init(&w->jobs); /* the job table is freed separately */
        mq_workers_remove(ws, w);
    }
    mq_map_free(ws->byid);
}
