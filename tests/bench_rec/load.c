/* load.c -- an open-loop HTTP load generator for the recommender benchmark.
 *
 *   load PORT RATE SECONDS CONNECTIONS TRACKS USERS KEY
 *
 * Sends GET /v1/tracks/{random 1..TRACKS}/next?limit=10 (with user=user-{random} when
 * USERS > 0, and "Authorization: Bearer KEY") to 127.0.0.1:PORT at a constant RATE per
 * second for SECONDS, over CONNECTIONS keep-alive connections. Requests are due on a fixed
 * schedule whatever the answers do (open loop): a request's latency runs from when it was
 * due, not from when a connection was free to send it, so a stalled server shows in the
 * percentiles instead of slowing the load (no coordinated omission, unlike a closed loop
 * such as wrk's). Prints one line: rate achieved, p50 p90 p99 p99.9 max in ms, errors.
 * Standalone (libc only), built by tests/bench_rec/run with cc. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF 65536

typedef struct conn {
    int fd;
    int busy;
    double due; /* when the request in flight was due */
    char in[BUF];
    size_t len;
} conn;

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t next_rand(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int open_conn(int port, int ep, conn *c) {
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0) return -1;
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(c->fd);
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    c->busy = 0;
    c->len = 0;
    return epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

/* A complete response in c->in: its total length, or 0 when more is needed. */
static size_t complete(conn *c, int *status) {
    c->in[c->len < BUF ? c->len : BUF - 1] = 0;
    char *end = strstr(c->in, "\r\n\r\n");
    if (!end) return 0;
    *status = atoi(c->in + 9);
    size_t body = 0;
    for (char *p = c->in; p < end; p++)
        if ((p == c->in || p[-1] == '\n') && !strncasecmp(p, "content-length:", 15))
            body = strtoul(p + 15, NULL, 10);
    size_t total = (size_t)(end + 4 - c->in) + body;
    return c->len >= total ? total : 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 8) {
        fputs("usage: load PORT RATE SECONDS CONNECTIONS TRACKS USERS KEY\n", stderr);
        return 2;
    }
    int port = atoi(argv[1]), nconn = atoi(argv[4]);
    double rate = atof(argv[2]), secs = atof(argv[3]);
    long tracks = atol(argv[5]), users = atol(argv[6]);
    const char *key = argv[7];
    if (port <= 0 || rate <= 0 || secs <= 0 || nconn <= 0 || tracks <= 0) return 2;
    size_t total = (size_t)(rate * secs);
    double *lat = malloc(total * sizeof *lat);
    double *queue = malloc(total * sizeof *queue); /* due times not yet sent */
    conn *cs = calloc((size_t)nconn, sizeof *cs);
    int ep = epoll_create1(0);
    if (!lat || !queue || !cs || ep < 0) return 1;
    for (int i = 0; i < nconn; i++)
        if (open_conn(port, ep, &cs[i]) != 0) {
            perror("load: connect");
            return 1;
        }
    uint64_t rs = 88172645463325252ULL;
    size_t issued = 0, qhead = 0, qtail = 0, done = 0, errors = 0;
    double t0 = now_s(), end_by = t0 + secs + 10;
    struct epoll_event evs[64];
    while (done + errors < total && now_s() < end_by) {
        double t = now_s();
        while (issued < total && t0 + (double)issued / rate <= t)
            queue[qtail++] = t0 + (double)(issued++) / rate;
        for (int i = 0; i < nconn && qhead < qtail; i++) {
            conn *c = &cs[i];
            if (c->busy) continue;
            char req[512];
            long id = (long)(next_rand(&rs) % (uint64_t)tracks) + 1;
            int n;
            if (users > 0)
                n = snprintf(req, sizeof req,
                             "GET /v1/tracks/%ld/next?limit=10&user=user-%ld HTTP/1.1\r\n"
                             "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n\r\n",
                             id, (long)(next_rand(&rs) % (uint64_t)users), key);
            else
                n = snprintf(req, sizeof req,
                             "GET /v1/tracks/%ld/next?limit=10 HTTP/1.1\r\n"
                             "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n\r\n",
                             id, key);
            if (write(c->fd, req, (size_t)n) != n) {
                errors++;
                qhead++;
                close(c->fd);
                open_conn(port, ep, c);
                continue;
            }
            c->busy = 1;
            c->due = queue[qhead++];
        }
        /* Sleep until the next request is due or an answer arrives. */
        double next_due = issued < total ? t0 + (double)issued / rate : now_s() + 0.01;
        double wait = next_due - now_s();
        if (wait < 0) wait = 0;
        struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        int n = epoll_pwait2(ep, evs, 64, &ts, NULL);
        for (int k = 0; k < n; k++) {
            conn *c = evs[k].data.ptr;
            ssize_t r = read(c->fd, c->in + c->len, BUF - 1 - c->len);
            if (r <= 0) {
                if (r < 0 && errno == EINTR) continue;
                if (c->busy) errors++;
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                close(c->fd);
                open_conn(port, ep, c);
                continue;
            }
            c->len += (size_t)r;
            int status;
            size_t used = complete(c, &status);
            if (!used) {
                if (c->len >= BUF - 1) { /* too large for this tool: count and reset */
                    errors++;
                    c->busy = 0;
                    c->len = 0;
                }
                continue;
            }
            if (status == 200)
                lat[done++] = now_s() - c->due;
            else
                errors++;
            memmove(c->in, c->in + used, c->len - used);
            c->len -= used;
            c->busy = 0;
        }
    }
    double elapsed = now_s() - t0;
    qsort(lat, done, sizeof *lat, cmp_double);
#define PCT(p) (done ? 1000 * lat[(size_t)((double)(done - 1) * (p))] : 0)
    printf("%.0f req/s  p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms  errors %zu\n",
           (double)done / elapsed, PCT(0.50), PCT(0.90), PCT(0.99), PCT(0.999), PCT(1.0), errors);
    return 0;
}
