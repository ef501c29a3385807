/* routes.c -- path matching, authentication, readiness; shared argument parsing. */
#include "recommender/routes.h"

#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/jsonout.h"
#include "recommender/reply.h"

/* A track id from the path: 1..18 digits, positive. 0 or -1. */
static int parse_id(const char *s, size_t n, int64_t *id) {
    if (n == 0 || n > 18) return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v <= 0) return -1;
    *id = v;
    return 0;
}

static int is(const rec_req *q, const char *m) { return !strcmp(q->method, m); }

static void not_allowed(rec_resp *r, const rec_req *q, const char *allow) {
    r->allow = allow;
    rec_reply_error(r, 405, "%.16s is not allowed on %.200s (allowed: %s)", q->method, q->path,
                    allow);
}

/* Which route q's path names; *id set for paths with {id}. -1 with r filled when the path
 * names a track but its id is malformed. */
static int match(const rec_req *q, rec_resp *r, int64_t *id) {
    const char *p = q->path;
    if (!strcmp(p, "/v1/health")) return REC_R_HEALTH;
    if (!strcmp(p, "/metrics")) return REC_R_METRICS;
    if (!strcmp(p, "/v1/tracks")) return REC_R_SEARCH;
    if (!strcmp(p, "/v1/mixes/order")) return REC_R_ORDER;
    if (!strcmp(p, "/v1/feedback")) return REC_R_FEEDBACK;
    if (!strncmp(p, "/v1/tracks/", 11)) {
        const char *s = p + 11, *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        int route;
        if (!slash)
            route = REC_R_TRACK;
        else if (!strcmp(slash, "/next"))
            route = REC_R_NEXT;
        else
            return REC_R_OTHER;
        if (parse_id(s, n, id) != 0) {
            rec_reply_error(r, 400, "track id must be a positive whole number, not '%.*s'",
                            (int)(n > 40 ? 40 : n), s);
            return -1;
        }
        return route;
    }
    return REC_R_OTHER;
}

void rec_route(rec_app *app, const rec_req *q, rec_resp *r, rec_route_id *route) {
    int64_t id = 0;
    int m = match(q, r, &id);
    *route = m < 0 ? REC_R_OTHER : (rec_route_id)m;
    if (m < 0) return;
    static const char *const allow[REC_NROUTES] = {
        [REC_R_HEALTH] = "GET",    [REC_R_METRICS] = "GET", [REC_R_SEARCH] = "GET",
        [REC_R_TRACK] = "GET",     [REC_R_NEXT] = "GET",    [REC_R_ORDER] = "POST",
        [REC_R_FEEDBACK] = "POST",
    };
    if (m == REC_R_OTHER) {
        rec_reply_error(r, 404, "no such route: %.16s %.200s (see docs/api.yaml)", q->method,
                        q->path);
        return;
    }
    if (!is(q, allow[m])) {
        not_allowed(r, q, allow[m]);
        return;
    }
    if (m == REC_R_HEALTH) {
        rec_get_health(app, q, r);
        return;
    }
    if (m == REC_R_METRICS) {
        rec_get_metrics(app, q, r);
        return;
    }
    if (app->auth) {
        double wait = 0;
        switch (
            rec_auth_check(app->auth, rec_req_header(q, MHD_HTTP_HEADER_AUTHORIZATION), &wait)) {
        case REC_AUTH_OK: break;
        case REC_AUTH_MISSING:
            mq_metric_add(app->unauthorized, 1);
            r->www_authenticate = 1;
            rec_reply_error(r, 401, "an API key is required: Authorization: Bearer KEY");
            return;
        case REC_AUTH_INVALID:
            mq_metric_add(app->unauthorized, 1);
            r->www_authenticate = 1;
            rec_reply_error(r, 401, "the API key is malformed, unknown or revoked");
            return;
        case REC_AUTH_LIMITED:
            mq_metric_add(app->rate_limited, 1);
            r->retry_after = (int)ceil(wait);
            if (r->retry_after < 1) r->retry_after = 1;
            rec_reply_error(r, 429, "over this key's rate limit: retry in %d s", r->retry_after);
            return;
        case REC_AUTH_UNAVAILABLE:
            r->retry_after = (int)ceil(wait) < 1 ? 1 : (int)ceil(wait);
            rec_reply_error(r, 503, "the API key cannot be checked now: retry in %d s",
                            r->retry_after);
            return;
        }
    }
    if (!atomic_load(&app->store->ready) &&
        (m == REC_R_SEARCH || m == REC_R_NEXT || m == REC_R_ORDER)) {
        r->retry_after = 1;
        rec_reply_error(r, 503, "the index is still loading");
        return;
    }
    switch (m) {
    case REC_R_SEARCH: rec_get_search(app, q, r); break;
    case REC_R_TRACK: rec_get_track(app, q, r, id); break;
    case REC_R_NEXT: rec_get_next(app, q, r, id); break;
    case REC_R_ORDER: rec_post_order(app, q, r); break;
    case REC_R_FEEDBACK: rec_post_feedback(app, q, r); break;
    default: rec_reply_error(r, 500, "unrouted"); break;
    }
}

int rec_req_json(const rec_req *q, rec_resp *r, json_t **out) {
    const char *ct = rec_req_header(q, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
        rec_reply_error(r, 415, "the body must be JSON, sent with Content-Type: application/json");
        return -1;
    }
    if (q->body_len == 0) {
        rec_reply_error(r, 400, "the request body is empty: expected a JSON object");
        return -1;
    }
    json_error_t e;
    json_t *j = json_loadb(q->body, q->body_len, JSON_REJECT_DUPLICATES, &e);
    if (!j) {
        rec_reply_error(r, 400, "malformed JSON at line %d, column %d: %s", e.line, e.column,
                        e.text);
        return -1;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        rec_reply_error(r, 400, "the body must be a JSON object");
        return -1;
    }
    *out = j;
    return 0;
}

int rec_json_only(const json_t *obj, const char *const *allowed, const char *where, rec_resp *r) {
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        int ok = 0;
        for (const char *const *p = allowed; *p; p++) ok |= !strcmp(*p, key);
        if (!ok) {
            rec_reply_error(r, 400, "%s: unknown field '%.100s'", where, key);
            return -1;
        }
    }
    return 0;
}

int rec_arg_limit(const char *s, int dflt, int *out, rec_resp *r) {
    if (!s) {
        *out = dflt;
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 1 || v > REC_MAX_LIMIT) {
        rec_reply_error(r, 400, "limit: must be a whole number from 1 to %d, not '%.40s'",
                        REC_MAX_LIMIT, s);
        return -1;
    }
    *out = (int)v;
    return 0;
}

int rec_arg_user(const char *s, const char *what, rec_resp *r) {
    if (!s) return 0;
    size_t n = strlen(s);
    if (n == 0 || n > REC_MAX_USER || !mq_utf8_valid(s, n)) {
        rec_reply_error(r, 400, "%s: must be 1 to %d bytes of UTF-8", what, REC_MAX_USER);
        return -1;
    }
    return 0;
}
