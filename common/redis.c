/* redis.c -- URL parsing, connection with back-off, pipelined replies. */
#include "common/redis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000

struct mq_redis {
    mq_redis_url url;
    char display[300]; /* host:port or the socket path, for logs */
    int timeout_ms;
    redisContext *ctx;
    long long next_try_ms; /* monotonic time of the next connection attempt */
    int backoff_ms;
    int down_logged; /* the current outage was logged */
    mq_redis_setup_fn setup;
    void *setup_ud;
};

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int parse_db(const char *s, int *db) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0 || v > 1000000) return -1;
    *db = (int)v;
    return 0;
}

int mq_redis_url_parse(const char *url, mq_redis_url *u, char *err, size_t errlen) {
    memset(u, 0, sizeof *u);
    u->port = 6379;
    if (!strncmp(url, "unix://", 7)) {
        const char *p = url + 7, *q = strchr(p, '?');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (n == 0 || n >= sizeof u->path || p[0] != '/') goto bad;
        memcpy(u->path, p, n);
        if (q && (strncmp(q, "?db=", 4) != 0 || parse_db(q + 4, &u->db) != 0)) goto bad;
        return 0;
    }
    if (strncmp(url, "redis://", 8) != 0) goto bad;
    const char *p = url + 8, *at = strrchr(p, '@');
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        size_t ul = colon ? (size_t)(colon - p) : 0;
        const char *pw = colon ? colon + 1 : p;
        size_t pl = (size_t)(at - pw);
        if (ul >= sizeof u->user || pl >= sizeof u->password) goto bad;
        memcpy(u->user, p, ul);
        memcpy(u->password, pw, pl);
        p = at + 1;
    }
    const char *slash = strchr(p, '/');
    size_t hl = slash ? (size_t)(slash - p) : strlen(p);
    char hostport[256];
    if (hl >= sizeof hostport) goto bad;
    memcpy(hostport, p, hl);
    hostport[hl] = 0;
    char *colon = strrchr(hostport, ':');
    if (hostport[0] == '[') { /* [::1]:6379 */
        char *close = strchr(hostport, ']');
        if (!close) goto bad;
        *close = 0;
        colon = close[1] == ':' ? close + 1 : NULL;
        memcpy(u->host, hostport + 1, strlen(hostport + 1) + 1);
    } else {
        if (colon) *colon = 0;
        memcpy(u->host, hostport, strlen(hostport) + 1);
    }
    if (colon) {
        char *end;
        long port = strtol(colon + 1, &end, 10);
        if (*end || port < 1 || port > 65535) goto bad;
        u->port = (int)port;
    }
    if (!u->host[0]) snprintf(u->host, sizeof u->host, "127.0.0.1");
    if (slash && slash[1] && parse_db(slash + 1, &u->db) != 0) goto bad;
    return 0;
bad:
    snprintf(err, errlen,
             "not a Redis URL (want redis://[:PASSWORD@]HOST[:PORT][/DB] or unix:///PATH): %s",
             url);
    return -1;
}

mq_redis *mq_redis_new(const char *url, int timeout_ms, char *err, size_t errlen) {
    mq_redis *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (mq_redis_url_parse(url, &r->url, err, errlen) != 0) {
        free(r);
        return NULL;
    }
    if (r->url.path[0])
        snprintf(r->display, sizeof r->display, "%s", r->url.path);
    else
        snprintf(r->display, sizeof r->display, "%s:%d", r->url.host, r->url.port);
    r->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
    r->backoff_ms = BACKOFF_MIN_MS;
    return r;
}

void mq_redis_on_connect(mq_redis *r, mq_redis_setup_fn fn, void *ud) {
    r->setup = fn;
    r->setup_ud = ud;
}

/* Runs a command during connection set-up; 0 when it did not fail. */
static int setup_cmd(redisContext *c, int argc, const char **argv, char *err, size_t errlen) {
    redisReply *rep = redisCommandArgv(c, argc, argv, NULL);
    if (!rep) {
        snprintf(err, errlen, "%s", c->errstr);
        return -1;
    }
    int ok = rep->type != REDIS_REPLY_ERROR;
    if (!ok) snprintf(err, errlen, "%s: %s", argv[0], rep->str);
    freeReplyObject(rep);
    return ok ? 0 : -1;
}

static int try_connect(mq_redis *r, char *err, size_t errlen) {
    struct timeval tv = {r->timeout_ms / 1000, (r->timeout_ms % 1000) * 1000};
    redisContext *c = r->url.path[0] ? redisConnectUnixWithTimeout(r->url.path, tv)
                                     : redisConnectWithTimeout(r->url.host, r->url.port, tv);
    if (!c || c->err) {
        snprintf(err, errlen, "%s", c ? c->errstr : "out of memory");
        if (c) redisFree(c);
        return -1;
    }
    redisSetTimeout(c, tv);
    redisEnableKeepAlive(c);
    int ok = 1;
    if (r->url.password[0]) {
        const char *a[] = {"AUTH", r->url.user, r->url.password};
        ok = r->url.user[0]
                 ? setup_cmd(c, 3, a, err, errlen) == 0
                 : setup_cmd(c, 2, (const char *[]){"AUTH", r->url.password}, err, errlen) == 0;
    }
    if (ok && r->url.db) {
        char db[16];
        snprintf(db, sizeof db, "%d", r->url.db);
        ok = setup_cmd(c, 2, (const char *[]){"SELECT", db}, err, errlen) == 0;
    }
    if (ok && r->setup) ok = r->setup(c, r->setup_ud, err, errlen) == 0;
    if (!ok) {
        redisFree(c);
        return -1;
    }
    r->ctx = c;
    return 0;
}

redisContext *mq_redis_get(mq_redis *r) {
    if (r->ctx) return r->ctx;
    long long now = now_ms();
    if (now < r->next_try_ms) return NULL;
    char err[256] = "";
    if (try_connect(r, err, sizeof err) == 0) {
        mq_log(MQ_LOG_INFO, "redis connected", "redis", r->display, NULL);
        r->backoff_ms = BACKOFF_MIN_MS;
        r->down_logged = 0;
        return r->ctx;
    }
    if (!r->down_logged) {
        mq_log(MQ_LOG_WARN, "redis unavailable", "redis", r->display, "error", err, NULL);
        r->down_logged = 1;
    } else {
        mq_log(MQ_LOG_DEBUG, "redis connection attempt failed", "redis", r->display, "error", err,
               NULL);
    }
    r->next_try_ms = now + r->backoff_ms;
    r->backoff_ms = r->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : r->backoff_ms * 2;
    return NULL;
}

void mq_redis_lost(mq_redis *r, const char *why) {
    if (!r->ctx) return;
    if (!r->down_logged) {
        mq_log(MQ_LOG_WARN, "redis connection lost", "redis", r->display, "error",
               why ? why : (r->ctx->err ? r->ctx->errstr : "unknown"), NULL);
        r->down_logged = 1;
    }
    redisFree(r->ctx);
    r->ctx = NULL;
    r->next_try_ms = now_ms() + r->backoff_ms;
}

int mq_redis_is_up(const mq_redis *r) { return r->ctx != NULL; }

int mq_redis_replies(mq_redis *r, int n, redisReply **replies) {
    if (!r->ctx) return -1;
    for (int i = 0; i < n; i++) {
        void *rep = NULL;
        if (redisGetReply(r->ctx, &rep) != REDIS_OK || !rep) {
            for (int j = 0; j < i; j++) freeReplyObject(replies[j]);
            mq_redis_lost(r, r->ctx->err ? r->ctx->errstr : "no reply");
            return -1;
        }
        replies[i] = rep;
    }
    return 0;
}

redisReply *mq_redis_cmd(mq_redis *r, int argc, const char **argv, const size_t *lens) {
    redisContext *c = mq_redis_get(r);
    if (!c) return NULL;
    redisReply *rep = redisCommandArgv(c, argc, argv, lens);
    if (!rep) mq_redis_lost(r, c->errstr[0] ? c->errstr : "no reply");
    return rep;
}

void mq_redis_del(mq_redis *r) {
    if (!r) return;
    if (r->ctx) redisFree(r->ctx);
    free(r);
}
