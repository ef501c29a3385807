/* routes_misc.c -- GET /v1/health and GET /metrics. */
#include <stdlib.h>
#include <string.h>

#include "common/jsonout.h"
#include "recommender/reply.h"
#include "recommender/routes.h"

/* Index memory in bytes: records, id map, cells, text and tags (search apart). */
static size_t index_bytes(const rec_index *x) {
    rec_index_mem m;
    rec_index_memory(x, &m);
    return m.records + m.idmap + m.cells + m.text + m.tags;
}

/* Brings the gauges up to date from the store. */
static void refresh_gauges(rec_app *app) {
    rec_store *st = app->store;
    rec_model_stats ms;
    rec_store_read(st);
    size_t tracks = rec_index_count(st->index), ib = index_bytes(st->index);
    size_t sb = rec_search_bytes(st->search);
    rec_model_stats_get(st->model, &ms);
    rec_store_unlock(st);
    mq_metric_set(app->g_tracks, (double)tracks);
    mq_metric_set(app->g_users, (double)ms.users);
    mq_metric_set(app->g_events, (double)ms.events);
    mq_metric_set(app->g_transitions, (double)ms.transitions);
    mq_metric_set(app->g_index_bytes, (double)ib);
    mq_metric_set(app->g_model_bytes, (double)ms.bytes);
    mq_metric_set(app->g_search_bytes, (double)sb);
    mq_metric_set(app->g_ready, atomic_load(&st->ready));
    mq_metric_set(app->g_listening, atomic_load(&st->listening));
}

void rec_get_health(rec_app *app, const rec_req *q, rec_resp *r) {
    static const char *const args[] = {NULL};
    if (rec_req_only_args(q, args, r) != 0) return;
    refresh_gauges(app);
    int ready = atomic_load(&app->store->ready);
    double tracks = mq_metric_get(app->g_tracks);
    json_t *o = json_pack(
        "{s:s,s:s,s:I,s:I,s:I,s:I,s:b,s:o,s:o}", "status", ready ? "ok" : "loading", "version",
        app->version, "tracks", (json_int_t)tracks, "users",
        (json_int_t)mq_metric_get(app->g_users), "feedback_events",
        (json_int_t)mq_metric_get(app->g_events), "transitions",
        (json_int_t)mq_metric_get(app->g_transitions), "listening",
        atomic_load(&app->store->listening), "index_bytes_per_track",
        tracks > 0 ? mq_json_round(mq_metric_get(app->g_index_bytes) / tracks, 1) : json_null(),
        "search_bytes_per_track",
        tracks > 0 ? mq_json_round(mq_metric_get(app->g_search_bytes) / tracks, 1) : json_null());
    if (!ready) r->retry_after = 1;
    rec_reply_json(r, ready ? 200 : 503, o);
}

void rec_get_metrics(rec_app *app, const rec_req *q, rec_resp *r) {
    static const char *const args[] = {NULL};
    if (rec_req_only_args(q, args, r) != 0) return;
    refresh_gauges(app);
    char *text = mq_metrics_render(app->metrics);
    if (!text) {
        rec_reply_error(r, 500, "out of memory");
        return;
    }
    free(r->body);
    r->status = 200;
    r->body = text;
    r->len = strlen(text);
    r->content_type = "text/plain; version=0.0.4";
}
