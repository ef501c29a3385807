/* queue.c -- Redis Streams commands for the job queue (see queue.h for the layout). */
#include "broker/queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

#define GROUP "brokers"

struct mq_queue {
    mq_redis *r;
    char *keys[MQ_STREAMS];
    char *retry_key;
    char *dead_key;
    char *consumer;
    char hist[MQ_STREAMS][MQ_ENTRY_ID_MAX]; /* history cursor: our entries from before */
    int hist_done[MQ_STREAMS];
    char claim[MQ_STREAMS][MQ_ENTRY_ID_MAX]; /* XAUTOCLAIM cursor */
};

static const char *stream_names[MQ_STREAMS] = {"interactive", "bulk"};

const char *mq_queue_stream_name(int i) { return i >= 0 && i < MQ_STREAMS ? stream_names[i] : "?"; }

/* A growable argv for one command; the strings must outlive the append. */
typedef struct argv {
    const char **v;
    size_t *l;
    int n, cap;
    int oom;
} argv;

static void arg(argv *a, const char *s, size_t len) {
    if (a->oom) return;
    if (a->n == a->cap) {
        int cap = a->cap ? a->cap * 2 : 16;
        const char **v = realloc(a->v, (size_t)cap * sizeof *v);
        if (v) a->v = v;
        size_t *l = v ? realloc(a->l, (size_t)cap * sizeof *l) : NULL;
        if (!v || !l) {
            a->oom = 1;
            return;
        }
        a->l = l;
        a->cap = cap;
    }
    a->v[a->n] = s;
    a->l[a->n++] = len;
}

static void args(argv *a, const char *s) { arg(a, s, strlen(s)); }

/* Appends the command to the pipeline and empties a. Returns 0 or -1. */
static int append(redisContext *c, argv *a) {
    int rc = a->oom ? -1 : redisAppendCommandArgv(c, a->n, a->v, a->l) == REDIS_OK ? 0 : -1;
    a->n = 0;
    a->oom = 0;
    return rc;
}

static void argv_free(argv *a) {
    free(a->v);
    free(a->l);
}

static int setup(redisContext *c, void *ud, char *err, size_t errlen) {
    mq_queue *q = ud;
    for (int i = 0; i < MQ_STREAMS; i++) {
        const char *a[] = {"XGROUP", "CREATE", q->keys[i], GROUP, "0", "MKSTREAM"};
        redisReply *rep = redisCommandArgv(c, 6, a, NULL);
        if (!rep) {
            snprintf(err, errlen, "%s", c->errstr);
            return -1;
        }
        int ok = rep->type != REDIS_REPLY_ERROR || !strncmp(rep->str, "BUSYGROUP", 9);
        if (!ok) snprintf(err, errlen, "XGROUP CREATE %s: %s", q->keys[i], rep->str);
        freeReplyObject(rep);
        if (!ok) return -1;
    }
    return 0;
}

static char *key_of(const char *prefix, const char *name) {
    size_t n = strlen(prefix) + strlen(name) + 2;
    char *k = malloc(n);
    if (k) snprintf(k, n, "%s:%s", prefix, name);
    return k;
}

mq_queue *mq_queue_new(mq_redis *r, const char *prefix, const char *consumer) {
    mq_queue *q = calloc(1, sizeof *q);
    if (!q) return NULL;
    q->r = r;
    q->keys[0] = key_of(prefix, "jobs:interactive");
    q->keys[1] = key_of(prefix, "jobs:bulk");
    q->retry_key = key_of(prefix, "retry");
    q->dead_key = key_of(prefix, "dead");
    q->consumer = strdup(consumer);
    if (!q->keys[0] || !q->keys[1] || !q->retry_key || !q->dead_key || !q->consumer) {
        mq_queue_del(q);
        return NULL;
    }
    for (int i = 0; i < MQ_STREAMS; i++) {
        snprintf(q->hist[i], sizeof q->hist[i], "0");
        snprintf(q->claim[i], sizeof q->claim[i], "0-0");
    }
    mq_redis_on_connect(r, setup, q);
    return q;
}

int mq_queue_add(mq_queue *q, Mixq__Job *const *jobs, size_t n, char *err, size_t errlen) {
    redisContext *c = mq_redis_get(q->r);
    if (!c) {
        snprintf(err, errlen, "redis unavailable");
        return -1;
    }
    argv a = {0};
    uint8_t stackbuf[1024];
    size_t appended = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = mixq__job__get_packed_size(jobs[i]);
        uint8_t *buf = len <= sizeof stackbuf ? stackbuf : malloc(len);
        if (!buf) break;
        mixq__job__pack(jobs[i], buf);
        int s = jobs[i]->priority == MIXQ__PRIORITY__PRIORITY_INTERACTIVE ? 0 : 1;
        args(&a, "XADD");
        args(&a, q->keys[s]);
        args(&a, "*");
        args(&a, "j");
        arg(&a, (const char *)buf, len);
        int rc = append(c, &a);
        if (buf != stackbuf) free(buf);
        if (rc != 0) break;
        appended++;
    }
    argv_free(&a);
    size_t ok = 0;
    char first_err[160] = "";
    for (size_t i = 0; i < appended; i++) {
        redisReply *rep;
        if (mq_redis_replies(q->r, 1, &rep) != 0) {
            snprintf(err, errlen, "redis connection lost");
            return -1;
        }
        if (rep->type == REDIS_REPLY_STRING)
            ok++;
        else if (!first_err[0])
            snprintf(first_err, sizeof first_err, "%s",
                     rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
        freeReplyObject(rep);
    }
    if (ok == n) return 0;
    snprintf(err, errlen, "redis: %s", first_err[0] ? first_err : "out of memory");
    return -1;
}

/* Passes each [id, [field, value, ...]] entry of a reply array to fn. Returns how many
 * there were and copies the last id to last (if given). */
static int each_entry(mq_queue *q, int stream, const redisReply *entries, mq_queue_entry_fn fn,
                      void *ud, char *last) {
    int n = 0;
    if (!entries || entries->type != REDIS_REPLY_ARRAY) return 0;
    for (size_t i = 0; i < entries->elements; i++) {
        const redisReply *e = entries->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 ||
            e->element[0]->type != REDIS_REPLY_STRING || e->element[0]->len >= MQ_ENTRY_ID_MAX)
            continue;
        const char *id = e->element[0]->str;
        const redisReply *f = e->element[1];
        const uint8_t *data = NULL;
        size_t len = 0;
        if (f->type == REDIS_REPLY_ARRAY)
            for (size_t k = 0; k + 1 < f->elements; k += 2)
                if (f->element[k]->type == REDIS_REPLY_STRING && f->element[k]->len == 1 &&
                    f->element[k]->str[0] == 'j' && f->element[k + 1]->type == REDIS_REPLY_STRING) {
                    data = (const uint8_t *)f->element[k + 1]->str;
                    len = f->element[k + 1]->len;
                }
        fn(ud, stream, id, data, len);
        if (last) snprintf(last, MQ_ENTRY_ID_MAX, "%s", id);
        n++;
    }
    (void)q;
    return n;
}

int mq_queue_read(mq_queue *q, int count, mq_queue_entry_fn fn, void *ud) {
    if (count <= 0) return 0;
    char cnt[16];
    snprintf(cnt, sizeof cnt, "%d", count);
    /* Both streams in one command (each gives up to count); a stream's own earlier
     * entries first, by an explicit id, then new ones (">"). */
    const char *a[] = {"XREADGROUP",
                       "GROUP",
                       GROUP,
                       q->consumer,
                       "COUNT",
                       cnt,
                       "STREAMS",
                       q->keys[0],
                       q->keys[1],
                       q->hist_done[0] ? ">" : q->hist[0],
                       q->hist_done[1] ? ">" : q->hist[1]};
    redisReply *rep = mq_redis_cmd(q->r, 11, a, NULL);
    if (!rep) return -1;
    if (rep->type == REDIS_REPLY_ERROR) {
        mq_log(MQ_LOG_WARN, "XREADGROUP failed", "error", rep->str, NULL);
        /* NOGROUP: a stream was deleted under us; set the groups up again. */
        if (!strncmp(rep->str, "NOGROUP", 7)) mq_redis_lost(q->r, rep->str);
        freeReplyObject(rep);
        return -1;
    }
    int n = 0, got[MQ_STREAMS] = {0, 0};
    for (size_t k = 0; rep->type == REDIS_REPLY_ARRAY && k < rep->elements; k++) {
        const redisReply *st = rep->element[k];
        if (st->type != REDIS_REPLY_ARRAY || st->elements < 2 ||
            st->element[0]->type != REDIS_REPLY_STRING)
            continue;
        int s = !strcmp(st->element[0]->str, q->keys[0])   ? 0
                : !strcmp(st->element[0]->str, q->keys[1]) ? 1
                                                           : -1;
        if (s < 0) continue;
        got[s] = each_entry(q, s, st->element[1], fn, ud, q->hist_done[s] ? NULL : q->hist[s]);
        n += got[s];
    }
    for (int s = 0; s < MQ_STREAMS; s++)
        if (!q->hist_done[s] && got[s] == 0) {
            q->hist_done[s] = 1;
            mq_log(MQ_LOG_DEBUG, "earlier entries read", "stream", q->keys[s], NULL);
        }
    freeReplyObject(rep);
    return n;
}

int mq_queue_autoclaim(mq_queue *q, int stream, long long min_idle_ms, int count,
                       mq_queue_entry_fn fn, void *ud) {
    if (count <= 0) return 0;
    char cnt[16], idle[24];
    snprintf(cnt, sizeof cnt, "%d", count);
    snprintf(idle, sizeof idle, "%lld", min_idle_ms);
    const char *a[] = {"XAUTOCLAIM", q->keys[stream],  GROUP,   q->consumer,
                       idle,         q->claim[stream], "COUNT", cnt};
    redisReply *rep = mq_redis_cmd(q->r, 8, a, NULL);
    if (!rep) return -1;
    int n = -1;
    if (rep->type == REDIS_REPLY_ARRAY && rep->elements >= 2 &&
        rep->element[0]->type == REDIS_REPLY_STRING) {
        snprintf(q->claim[stream], sizeof q->claim[stream], "%s", rep->element[0]->str);
        n = each_entry(q, stream, rep->element[1], fn, ud, NULL);
    } else if (rep->type == REDIS_REPLY_ERROR) {
        mq_log(MQ_LOG_WARN, "XAUTOCLAIM failed", "stream", q->keys[stream], "error", rep->str,
               NULL);
    }
    freeReplyObject(rep);
    return n;
}

/* Appends one XACK of the entries of jobs[0..n) in stream s. Returns 1 when appended,
 * 0 when none of them is in s, -1 on failure. */
static int append_ack(redisContext *c, mq_queue *q, argv *a, mq_job *const *jobs, size_t n, int s) {
    args(a, "XACK");
    args(a, q->keys[s]);
    args(a, GROUP);
    int have = 0;
    for (size_t i = 0; i < n; i++)
        for (int r = 0; r < jobs[i]->nrefs; r++)
            if (jobs[i]->refs[r].stream == s) {
                args(a, jobs[i]->refs[r].id);
                have = 1;
            }
    if (!have) {
        a->n = 0;
        return 0;
    }
    return append(c, a) == 0 ? 1 : -1;
}

/* Appends the commands ending one retried or dead job (inside MULTI). Returns the
 * number of commands appended, or -1. */
static int append_fin(redisContext *c, mq_queue *q, argv *a, mq_job *j) {
    uint8_t *buf = NULL;
    unsigned attempt = j->fin == MQ_FIN_RETRY ? j->attempt + 1 : j->attempt;
    size_t len = mq_job_pack(j, attempt, &buf);
    if (!len) return -1;
    int cmds = 0, rc = 0;
    if (j->fin == MQ_FIN_RETRY) {
        char *member = malloc(len + 1);
        char score[32];
        if (!member) {
            free(buf);
            return -1;
        }
        member[0] = j->prio == MIXQ__PRIORITY__PRIORITY_INTERACTIVE ? '0' : '1';
        memcpy(member + 1, buf, len);
        snprintf(score, sizeof score, "%lld", j->due_ms);
        args(a, "ZADD");
        args(a, q->retry_key);
        args(a, score);
        arg(a, member, len + 1);
        rc = append(c, a);
        free(member);
    } else {
        char track[24], att[16], now[24];
        snprintf(track, sizeof track, "%lld", (long long)j->track_id);
        snprintf(att, sizeof att, "%u", j->attempt);
        snprintf(now, sizeof now, "%lld", (long long)time(NULL) * 1000);
        args(a, "XADD");
        args(a, q->dead_key);
        args(a, "*");
        args(a, "j");
        arg(a, (const char *)buf, len);
        args(a, "job_id");
        args(a, j->id);
        args(a, "track_id");
        args(a, track);
        args(a, "uri");
        args(a, j->uri);
        args(a, "error_code");
        args(a, j->err_code ? j->err_code : "");
        args(a, "error_message");
        args(a, j->err_msg ? j->err_msg : "");
        args(a, "attempts");
        args(a, att);
        args(a, "failed_at_ms");
        args(a, now);
        rc = append(c, a);
    }
    free(buf);
    if (rc != 0) return -1;
    cmds++;
    for (int s = 0; s < MQ_STREAMS; s++) {
        int k = append_ack(c, q, a, &j, 1, s);
        if (k < 0) return -1;
        cmds += k;
    }
    return cmds;
}

/* True when an EXEC reply says every queued command succeeded. */
static int exec_ok(const redisReply *rep, char *why, size_t whylen) {
    if (rep->type != REDIS_REPLY_ARRAY) {
        snprintf(why, whylen, "%s",
                 rep->type == REDIS_REPLY_ERROR ? rep->str : "transaction aborted");
        return 0;
    }
    for (size_t i = 0; i < rep->elements; i++)
        if (rep->element[i]->type == REDIS_REPLY_ERROR) {
            snprintf(why, whylen, "%s", rep->element[i]->str);
            return 0;
        }
    return 1;
}

/* A group of pipelined replies: the plain acks, or one job's transaction. */
typedef struct unit {
    size_t job;   /* the job of a transaction, or (size_t)-1 for the plain acks */
    int nreplies; /* replies to read */
} unit;

int mq_queue_finish(mq_queue *q, mq_job *const *jobs, size_t n, char *done) {
    memset(done, 0, n);
    redisContext *c = mq_redis_get(q->r);
    if (!c) return -1;
    argv a = {0};
    unit *units = malloc((n + 1) * sizeof *units);
    mq_job **acks = malloc((n ? n : 1) * sizeof *acks);
    size_t nunits = 0, nacks = 0;
    int ok = units && acks;
    for (size_t i = 0; ok && i < n; i++)
        if (jobs[i]->fin == MQ_FIN_ACK) acks[nacks++] = jobs[i];
    /* Plain acknowledgements: one XACK per stream for them all. Acknowledged entries
     * are deleted later, in bulk, by mq_queue_trim. */
    if (ok && nacks) {
        int k = 0;
        for (int s = 0; ok && s < MQ_STREAMS; s++) {
            int r = append_ack(c, q, &a, acks, nacks, s);
            ok = r >= 0;
            k += r > 0;
        }
        units[nunits++] = (unit){(size_t)-1, k};
    }
    /* A retry or a dead letter, with its ack, as one transaction each. */
    for (size_t i = 0; ok && i < n; i++) {
        if (jobs[i]->fin == MQ_FIN_ACK) continue;
        args(&a, "MULTI");
        ok = append(c, &a) == 0;
        int k = ok ? append_fin(c, q, &a, jobs[i]) : -1;
        ok = k >= 0;
        args(&a, "EXEC");
        if (ok) ok = append(c, &a) == 0;
        units[nunits++] = (unit){i, k + 2};
    }
    argv_free(&a);
    free(acks);
    if (!ok) {
        /* The pipeline is in an unknown state: start again on a fresh connection. */
        mq_redis_lost(q->r, "could not build a pipeline");
        free(units);
        return -1;
    }
    int all = 1;
    for (size_t u = 0; u < nunits; u++) {
        int unit_ok = 1;
        char why[200] = "";
        for (int k = 0; k < units[u].nreplies; k++) {
            redisReply *rep = NULL;
            if (mq_redis_replies(q->r, 1, &rep) != 0) {
                free(units);
                return -1;
            }
            int last = k == units[u].nreplies - 1;
            if (units[u].job != (size_t)-1 && last) {
                unit_ok = exec_ok(rep, why, sizeof why);
            } else if (rep->type == REDIS_REPLY_ERROR) {
                snprintf(why, sizeof why, "%s", rep->str);
                if (units[u].job == (size_t)-1) unit_ok = 0;
            }
            freeReplyObject(rep);
        }
        if (!unit_ok) {
            all = 0;
            mq_log(MQ_LOG_WARN, "redis refused to end jobs", "error", why, NULL);
        } else if (units[u].job == (size_t)-1) {
            for (size_t i = 0; i < n; i++)
                if (jobs[i]->fin == MQ_FIN_ACK) done[i] = 1;
        } else {
            done[units[u].job] = 1;
        }
    }
    free(units);
    return all ? 0 : -1;
}

static const char trim_lua[] = "local pend = redis.call('XPENDING', KEYS[1], ARGV[1])\n"
                               "local last\n"
                               "for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do\n"
                               "  local name, ld\n"
                               "  for i = 1, #g, 2 do\n"
                               "    if g[i] == 'name' then name = g[i + 1] elseif g[i] == "
                               "'last-delivered-id' then ld = g[i + 1] end\n"
                               "  end\n"
                               "  if name == ARGV[1] then last = ld end\n"
                               "end\n"
                               "if not last then return 0 end\n"
                               "local minid = pend[2]\n"
                               "if pend[1] == 0 then\n"
                               "  local ms, seq = string.match(last, '^(%d+)-(%d+)$')\n"
                               "  if not ms then return 0 end\n"
                               "  minid = ms .. '-' .. string.format('%d', tonumber(seq) + 1)\n"
                               "end\n"
                               "return redis.call('XTRIM', KEYS[1], 'MINID', minid)\n";

int mq_queue_trim(mq_queue *q) {
    int total = 0;
    for (int s = 0; s < MQ_STREAMS; s++) {
        const char *a[] = {"EVAL", trim_lua, "1", q->keys[s], GROUP};
        redisReply *rep = mq_redis_cmd(q->r, 5, a, NULL);
        if (!rep) return -1;
        if (rep->type == REDIS_REPLY_INTEGER)
            total += (int)rep->integer;
        else if (rep->type == REDIS_REPLY_ERROR)
            mq_log(MQ_LOG_WARN, "trimming a stream failed", "stream", q->keys[s], "error", rep->str,
                   NULL);
        freeReplyObject(rep);
    }
    return total;
}

static const char promote_lua[] =
    "local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, "
    "tonumber(ARGV[2]))\n"
    "for _, m in ipairs(due) do\n"
    "  local k = KEYS[3]\n"
    "  if string.sub(m, 1, 1) == '0' then k = KEYS[2] end\n"
    "  redis.call('XADD', k, '*', 'j', string.sub(m, 2))\n"
    "  redis.call('ZREM', KEYS[1], m)\n"
    "end\n"
    "return #due\n";

int mq_queue_promote(mq_queue *q, long long now_ms, int max) {
    char now[24], cnt[16];
    snprintf(now, sizeof now, "%lld", now_ms);
    snprintf(cnt, sizeof cnt, "%d", max);
    const char *a[] = {"EVAL", promote_lua, "3", q->retry_key, q->keys[0], q->keys[1], now, cnt};
    redisReply *rep = mq_redis_cmd(q->r, 8, a, NULL);
    if (!rep) return -1;
    int n = rep->type == REDIS_REPLY_INTEGER ? (int)rep->integer : -1;
    if (rep->type == REDIS_REPLY_ERROR)
        mq_log(MQ_LOG_WARN, "moving due retries failed", "error", rep->str, NULL);
    freeReplyObject(rep);
    return n;
}

static const char refresh_lua[] =
    "local lost = {}\n"
    "for i = 3, #ARGV do\n"
    "  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)\n"
    "  if #p == 1 and p[1][2] == ARGV[2] then\n"
    "    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')\n"
    "  else\n"
    "    lost[#lost + 1] = ARGV[i]\n"
    "  end\n"
    "end\n"
    "return lost\n";

int mq_queue_refresh(mq_queue *q, int stream, const char *const *ids, size_t n,
                     void (*lost)(void *ud, int stream, const char *id), void *ud) {
    if (!n) return 0;
    argv a = {0};
    args(&a, "EVAL");
    args(&a, refresh_lua);
    args(&a, "1");
    args(&a, q->keys[stream]);
    args(&a, GROUP);
    args(&a, q->consumer);
    for (size_t i = 0; i < n; i++) args(&a, ids[i]);
    redisReply *rep = NULL;
    if (!a.oom) rep = mq_redis_cmd(q->r, a.n, a.v, a.l);
    argv_free(&a);
    if (!rep) return -1;
    int rc = -1;
    if (rep->type == REDIS_REPLY_ARRAY) {
        for (size_t i = 0; i < rep->elements; i++)
            if (rep->element[i]->type == REDIS_REPLY_STRING) lost(ud, stream, rep->element[i]->str);
        rc = 0;
    } else if (rep->type == REDIS_REPLY_ERROR) {
        mq_log(MQ_LOG_WARN, "refreshing pending entries failed", "error", rep->str, NULL);
    }
    freeReplyObject(rep);
    return rc;
}

/* Our group's pending count and lag (-1 when Redis cannot tell) from XINFO GROUPS. */
static void group_info(const redisReply *r, long long *pending, long long *lag) {
    *pending = 0;
    *lag = -1;
    if (r->type != REDIS_REPLY_ARRAY) return;
    for (size_t g = 0; g < r->elements; g++) {
        const redisReply *e = r->element[g];
        if (e->type != REDIS_REPLY_ARRAY) continue;
        int ours = 0;
        long long p = 0, l = -1;
        for (size_t i = 0; i + 1 < e->elements; i += 2) {
            const redisReply *k = e->element[i], *v = e->element[i + 1];
            if (k->type != REDIS_REPLY_STRING) continue;
            if (!strcmp(k->str, "name"))
                ours = v->type == REDIS_REPLY_STRING && !strcmp(v->str, GROUP);
            else if (!strcmp(k->str, "pending") && v->type == REDIS_REPLY_INTEGER)
                p = v->integer;
            else if (!strcmp(k->str, "lag") && v->type == REDIS_REPLY_INTEGER)
                l = v->integer;
        }
        if (ours) {
            *pending = p;
            *lag = l;
        }
    }
}

int mq_queue_depths(mq_queue *q, mq_depths *d) {
    memset(d, 0, sizeof *d);
    redisContext *c = mq_redis_get(q->r);
    if (!c) return -1;
    int n = 0;
    for (int s = 0; s < MQ_STREAMS; s++) {
        redisAppendCommand(c, "XLEN %s", q->keys[s]);
        redisAppendCommand(c, "XINFO GROUPS %s", q->keys[s]);
        n += 2;
    }
    redisAppendCommand(c, "ZCARD %s", q->retry_key);
    redisAppendCommand(c, "XLEN %s", q->dead_key);
    n += 2;
    redisReply *rep[8];
    if (mq_redis_replies(q->r, n, rep) != 0) return -1;
    for (int s = 0; s < MQ_STREAMS; s++) {
        long long len = rep[2 * s]->type == REDIS_REPLY_INTEGER ? rep[2 * s]->integer : 0, pend,
                  lag;
        group_info(rep[2 * s + 1], &pend, &lag);
        d->pending[s] = (uint64_t)pend;
        /* lag: entries never delivered. Without it, an upper bound: acknowledged entries
         * stay in the stream until the next trim. */
        d->waiting[s] = lag >= 0 ? (uint64_t)lag : len > pend ? (uint64_t)(len - pend) : 0;
    }
    d->delayed = rep[4]->type == REDIS_REPLY_INTEGER ? (uint64_t)rep[4]->integer : 0;
    d->dead = rep[5]->type == REDIS_REPLY_INTEGER ? (uint64_t)rep[5]->integer : 0;
    for (int i = 0; i < n; i++) freeReplyObject(rep[i]);
    return 0;
}

void mq_queue_del(mq_queue *q) {
    if (!q) return;
    for (int i = 0; i < MQ_STREAMS; i++) free(q->keys[i]);
    free(q->retry_key);
    free(q->dead_key);
    free(q->consumer);
    free(q);
}
