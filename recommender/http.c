/* http.c -- libmicrohttpd glue: body accumulation, dispatch, headers, metrics. */
#include "recommender/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "recommender/reply.h"
#include "recommender/routes.h"

struct rec_http {
    rec_app *app;
    struct MHD_Daemon *d;
    int port;
};

/* What is kept for one request between libmicrohttpd's calls. */
typedef struct req_state {
    char *body;
    size_t len, cap;
    size_t dropped; /* bytes read past the limit and thrown away */
    int too_large;
    struct timespec start;
} req_state;

static double since(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) * 1e-9;
}

static enum MHD_Result send_resp(rec_http *h, struct MHD_Connection *c, req_state *st, rec_resp *r,
                                 rec_route_id route) {
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->len, r->body ? r->body : (void *)"",
                                        r->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(r->body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->content_type ? r->content_type : "application/json");
    if (r->retry_after > 0) {
        char s[16];
        snprintf(s, sizeof s, "%d", r->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, s);
    }
    if (r->allow) MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r->www_authenticate)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"mixq\"");
    enum MHD_Result ret = MHD_queue_response(c, r->status, resp);
    MHD_destroy_response(resp);
    rec_app *app = h->app;
    mq_metric_add(app->requests[route], 1);
    mq_metric_add(app->route_seconds[route], since(&st->start));
    unsigned cls = r->status / 100;
    if (cls >= 2 && cls <= 5) mq_metric_add(app->responses[cls], 1);
    if (r->status >= 500 && r->status != 503)
        mq_logf(MQ_LOG_ERROR, "answered %u to a request", r->status);
    return ret;
}

static enum MHD_Result too_large(rec_http *h, struct MHD_Connection *c, req_state *st) {
    rec_resp r = {0};
    rec_reply_error(&r, 413, "the request body is larger than %zu bytes", h->app->max_body);
    return send_resp(h, c, st, &r, REC_R_OTHER);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **ptr) {
    rec_http *h = cls;
    req_state *st = *ptr;
    size_t max = h->app->max_body;
    if (!st) {
        st = calloc(1, sizeof *st);
        if (!st) return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &st->start);
        *ptr = st;
        const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > max) {
            st->too_large = 1;
            return too_large(h, c, st); /* before the body is sent */
        }
        return MHD_YES;
    }
    if (*size) {
        if (st->too_large) {
            st->dropped += *size;
            *size = 0;
            return st->dropped > 16 * max ? MHD_NO : MHD_YES;
        }
        if (st->len + *size > max) {
            st->too_large = 1;
            st->dropped = *size;
            free(st->body);
            st->body = NULL;
            *size = 0;
            return MHD_YES;
        }
        if (st->len + *size > st->cap) {
            size_t nc = st->cap ? st->cap : 4096;
            while (nc < st->len + *size) nc *= 2;
            if (nc > max) nc = max;
            char *nb = realloc(st->body, nc);
            if (!nb) return MHD_NO;
            st->body = nb;
            st->cap = nc;
        }
        memcpy(st->body + st->len, data, *size);
        st->len += *size;
        *size = 0;
        return MHD_YES;
    }
    if (st->too_large) return too_large(h, c, st);
    rec_req q = {c, method, url, st->body, st->len};
    rec_resp r = {0};
    rec_route_id route = REC_R_OTHER;
    rec_route(h->app, &q, &r, &route);
    if (!r.status) rec_reply_error(&r, 500, "no response");
    return send_resp(h, c, st, &r, route);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **ptr,
                         enum MHD_RequestTerminationCode why) {
    req_state *st = *ptr;
    if (!st) return;
    free(st->body);
    free(st);
    *ptr = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n') msg[--n] = 0;
    mq_log(MQ_LOG_WARN, "http", "detail", msg, NULL);
}

rec_http *rec_http_start(rec_app *app, const char *addr, int port, int threads, char *err,
                         size_t errlen) {
    rec_http *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    h->app = app;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        snprintf(err, errlen, "--bind wants an IPv4 address, not '%s'", addr);
        free(h);
        return NULL;
    }
    h->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG,
                            (uint16_t)port, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER,
                            on_mhd_log, h, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_THREAD_POOL_SIZE,
                            (unsigned)threads, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                            MHD_OPTION_CONNECTION_LIMIT, 4096u, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                            1024u, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_END);
    if (!h->d) {
        snprintf(err, errlen, "cannot listen on %s:%d", addr, port);
        free(h);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : port;
    return h;
}

int rec_http_port(const rec_http *h) { return h->port; }

void rec_http_stop(rec_http *h) {
    if (!h) return;
    MHD_stop_daemon(h->d);
    free(h);
}
