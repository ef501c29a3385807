/* metrics.c -- a fixed-size registry of atomic metrics and its HTTP endpoint. */
#include "common/metrics.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_METRICS 128

struct mq_metric {
    char name[96];
    char help[160];
    int gauge;
    _Atomic uint64_t bits; /* the double's bits, so updates are lock-free */
};

struct mq_metrics {
    mq_metric items[MAX_METRICS];
    _Atomic int n;
    struct MHD_Daemon *httpd;
};

mq_metrics *mq_metrics_new(void) { return calloc(1, sizeof(mq_metrics)); }

static mq_metric *add(mq_metrics *m, const char *name, const char *help, int gauge) {
    int i = atomic_fetch_add(&m->n, 1);
    if (i >= MAX_METRICS) {
        atomic_fetch_sub(&m->n, 1);
        return NULL;
    }
    mq_metric *x = &m->items[i];
    snprintf(x->name, sizeof x->name, "%s", name);
    snprintf(x->help, sizeof x->help, "%s", help);
    x->gauge = gauge;
    return x;
}

mq_metric *mq_metrics_counter(mq_metrics *m, const char *name, const char *help) {
    return add(m, name, help, 0);
}

mq_metric *mq_metrics_gauge(mq_metrics *m, const char *name, const char *help) {
    return add(m, name, help, 1);
}

static double from_bits(uint64_t b) {
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static uint64_t to_bits(double d) {
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

void mq_metric_add(mq_metric *x, double v) {
    if (!x) return;
    uint64_t old = atomic_load(&x->bits);
    while (!atomic_compare_exchange_weak(&x->bits, &old, to_bits(from_bits(old) + v))) {
    }
}

void mq_metric_set(mq_metric *x, double v) {
    if (x) atomic_store(&x->bits, to_bits(v));
}

double mq_metric_get(const mq_metric *x) {
    return x ? from_bits(atomic_load(&((mq_metric *)x)->bits)) : 0;
}

char *mq_metrics_render(mq_metrics *m) {
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    if (!out) return NULL;
    out[0] = 0;
    int n = atomic_load(&m->n);
    if (n > MAX_METRICS) n = MAX_METRICS;
    for (int i = 0; i < n; i++) {
        const mq_metric *x = &m->items[i];
        char line[512];
        int k = snprintf(line, sizeof line, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", x->name,
                         x->help, x->name, x->gauge ? "gauge" : "counter", x->name,
                         mq_metric_get(x));
        if (k < 0) continue;
        if (len + (size_t)k + 1 > cap) {
            while (len + (size_t)k + 1 > cap) cap *= 2;
            char *o = realloc(out, cap);
            if (!o) {
                free(out);
                return NULL;
            }
            out = o;
        }
        memcpy(out + len, line, (size_t)k + 1);
        len += (size_t)k;
    }
    return out;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **state) {
    mq_metrics *m = cls;
    struct MHD_Response *r;
    unsigned status = MHD_HTTP_OK;
    if (strcmp(method, "GET") != 0) {
        static const char msg[] = "method not allowed\n";
        status = MHD_HTTP_METHOD_NOT_ALLOWED;
        r = MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
    } else if (strcmp(url, "/metrics") != 0) {
        static const char msg[] = "not found: try /metrics\n";
        status = MHD_HTTP_NOT_FOUND;
        r = MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
    } else {
        char *text = mq_metrics_render(m);
        if (!text) return MHD_NO;
        r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
        MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4");
    }
    if (!r) return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

int mq_metrics_serve(mq_metrics *m, int port, int bind_any) {
    if (port <= 0) return 0;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(bind_any ? INADDR_ANY : INADDR_LOOPBACK);
    m->httpd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
                                (uint16_t)port, NULL, NULL, answer, m, MHD_OPTION_SOCK_ADDR,
                                &sa, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    return m->httpd ? 0 : -1;
}

void mq_metrics_del(mq_metrics *m) {
    if (!m) return;
    if (m->httpd) MHD_stop_daemon(m->httpd);
    free(m);
}
