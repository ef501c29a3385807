/* app.h -- the recommender's objects as the HTTP handlers see them, and the request and
 * response the router passes around. Built once in main.c; read-only afterwards except
 * through the objects' own locks and atomic metrics. */
#ifndef REC_APP_H
#define REC_APP_H

#include <stddef.h>
#include <stdint.h>

#include "common/metrics.h"
#include "recommender/auth.h"
#include "recommender/pool.h"
#include "recommender/rank.h"
#include "recommender/store.h"

#define REC_MAX_LIMIT 100   /* results per request */
#define REC_MAX_EXCLUDE 500 /* ids in exclude= */
#define REC_MAX_EVENTS 1000 /* events per feedback batch */

typedef enum rec_route_id {
    REC_R_HEALTH,
    REC_R_METRICS,
    REC_R_SEARCH,
    REC_R_TRACK,
    REC_R_NEXT,
    REC_R_ORDER,
    REC_R_FEEDBACK,
    REC_R_OTHER,
    REC_NROUTES
} rec_route_id;

typedef struct rec_app {
    rec_store *store;
    rec_pool *pool;
    rec_auth *auth; /* NULL when keys are not required (--no-auth) */
    rec_rank_opts rank;
    size_t max_body; /* bytes of a request body */
    const char *version;
    mq_metrics *metrics;
    mq_metric *requests[REC_NROUTES];
    mq_metric *responses[6];               /* by status class: [2] 2xx ... [5] 5xx */
    mq_metric *route_seconds[REC_NROUTES]; /* time spent answering, per route */
    mq_metric *unauthorized, *rate_limited;
    mq_metric *g_tracks, *g_users, *g_events, *g_transitions, *g_index_bytes, *g_model_bytes,
        *g_search_bytes, *g_ready, *g_listening;
    mq_metric *notifications, *tracks_reloaded, *feedback_applied, *reconnects;
} rec_app;

/* One request, with its whole body (bounded by max_body). */
typedef struct rec_req {
    void *conn; /* the libmicrohttpd connection, for headers and query arguments */
    const char *method;
    const char *path;
    const char *body;
    size_t body_len;
} rec_req;

/* The response a handler fills in. */
typedef struct rec_resp {
    unsigned status;
    char *body; /* malloc'd; may be NULL for an empty body */
    size_t len;
    const char *content_type;
    int retry_after;   /* seconds; 0 for no Retry-After header */
    const char *allow; /* the Allow header of a 405 */
    int www_authenticate;
} rec_resp;

#endif
