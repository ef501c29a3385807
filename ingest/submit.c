/* submit.c -- Submit/SubmitAck over a DEALER socket with resends (see submit.h). */
#include "ingest/submit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "common/curve.h"
#include "common/log.h"
#include "common/wire.h"

#define JOBS_PER_SUBMIT 1000

struct ig_submitter {
    void *ctx, *sock;
    ig_broker_opts o;
    uint64_t next_request;
};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s) {
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* The broker's public key from a Z85 string or a key file. */
static int broker_pub(const char *v, char out[MQ_CURVE_KEYLEN], char *err, size_t errlen) {
    if (strlen(v) == MQ_CURVE_KEYLEN - 1 && !strchr(v, '/')) {
        memcpy(out, v, MQ_CURVE_KEYLEN);
        return 0;
    }
    mq_curve_key k;
    if (mq_curve_key_load(v, &k, err, errlen) != 0) return -1;
    memcpy(out, k.pub, MQ_CURVE_KEYLEN);
    return 0;
}

ig_submitter *ig_submitter_new(const ig_broker_opts *o, char *err, size_t errlen) {
    char server[MQ_CURVE_KEYLEN];
    mq_curve_key self;
    if (o->broker_key) {
        if (broker_pub(o->broker_key, server, err, errlen) != 0) return NULL;
        if (!o->curve_key_file) {
            snprintf(err, errlen,
                     "CURVE needs this producer's key pair: --curve-key FILE (or "
                     "MIXQ_CURVE_KEY); make one with `mixq keygen --out FILE`");
            return NULL;
        }
        if (mq_curve_key_load(o->curve_key_file, &self, err, errlen) != 0) return NULL;
    } else if (!mq_endpoint_is_loopback(o->endpoint) && !o->allow_plain) {
        snprintf(err, errlen,
                 "refusing an unauthenticated connection to %s, which is not on this "
                 "machine: give --broker-key KEY and --curve-key FILE, or --allow-plain",
                 o->endpoint);
        return NULL;
    }
    ig_submitter *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->o = *o;
    s->next_request = 1;
    s->ctx = zmq_ctx_new();
    s->sock = s->ctx ? zmq_socket(s->ctx, ZMQ_DEALER) : NULL;
    if (!s->sock) {
        snprintf(err, errlen, "cannot create a ZeroMQ socket: %s", zmq_strerror(errno));
        ig_submitter_del(s);
        return NULL;
    }
    int linger = 1000, immediate = 1, sndtimeo = o->ack_timeout_ms;
    zmq_setsockopt(s->sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s->sock, ZMQ_IMMEDIATE, &immediate, sizeof immediate);
    zmq_setsockopt(s->sock, ZMQ_SNDTIMEO, &sndtimeo, sizeof sndtimeo);
    if (o->broker_key && mq_curve_client(s->sock, &self, server) != 0) {
        snprintf(err, errlen, "cannot set up CURVE (libzmq without CURVE support?)");
        ig_submitter_del(s);
        return NULL;
    }
    if (zmq_connect(s->sock, o->endpoint) != 0) {
        snprintf(err, errlen, "cannot connect to %s: %s", o->endpoint, zmq_strerror(errno));
        ig_submitter_del(s);
        return NULL;
    }
    return s;
}

/* Waits for the SubmitAck of one of the request ids in [first, last]. Returns 1 with the
 * answer in *ack (caller frees), 0 on timeout, -1 on socket failure. */
static int wait_ack(ig_submitter *s, uint64_t first, uint64_t last, double deadline,
                    Mixq__Envelope **ack) {
    for (;;) {
        double left = deadline - now_s();
        if (left <= 0) return 0;
        zmq_pollitem_t it = {s->sock, 0, ZMQ_POLLIN, 0};
        int n = zmq_poll(&it, 1, (long)(left * 1000) + 1);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (n == 0) continue;
        Mixq__Envelope *env = NULL;
        char why[128];
        mq_wire_status st = mq_wire_recv(s->sock, ZMQ_DONTWAIT, &env, why, sizeof why);
        if (st == MQ_WIRE_AGAIN) continue;
        if (st == MQ_WIRE_ERROR) return -1;
        if (st == MQ_WIRE_MALFORMED) {
            mq_log(MQ_LOG_WARN, "malformed message from the broker", "why", why, NULL);
            continue;
        }
        if (env->body_case == MIXQ__ENVELOPE__BODY_SUBMIT_ACK &&
            env->submit_ack->request_id >= first && env->submit_ack->request_id <= last) {
            *ack = env;
            return 1;
        }
        mixq__envelope__free_unpacked(env, NULL); /* a stale answer to an earlier send */
    }
}

/* Sends jobs[0..n) as one Submit until acknowledged. Returns 0 or -1. */
static int submit_batch(ig_submitter *s, Mixq__Job **jobs, size_t n, size_t *accepted,
                        size_t *refused, char *err, size_t errlen) {
    double start = now_s(), pause = 0.5;
    uint64_t first = s->next_request;
    for (int attempt = 1;; attempt++) {
        Mixq__Submit sub = MIXQ__SUBMIT__INIT;
        sub.request_id = s->next_request++;
        sub.n_jobs = n;
        sub.jobs = jobs;
        Mixq__Envelope env = MIXQ__ENVELOPE__INIT;
        env.version = MQ_WIRE_VERSION;
        env.body_case = MIXQ__ENVELOPE__BODY_SUBMIT;
        env.submit = &sub;
        const char *problem = NULL;
        char detail[256] = "";
        if (mq_wire_send(s->sock, &env, 0) != 0) {
            problem = "cannot send to the broker";
            snprintf(detail, sizeof detail, "%s", zmq_strerror(errno));
        } else {
            Mixq__Envelope *ack = NULL;
            int w =
                wait_ack(s, first, sub.request_id, now_s() + s->o.ack_timeout_ms / 1000.0, &ack);
            if (w < 0) {
                snprintf(err, errlen, "broker socket failed: %s", zmq_strerror(errno));
                return -1;
            }
            if (w == 0) {
                problem = "no acknowledgement from the broker";
            } else {
                Mixq__SubmitAck *a = ack->submit_ack;
                if (a->error && *a->error) {
                    problem = "the broker refused the submit";
                    snprintf(detail, sizeof detail, "%s", a->error);
                } else {
                    *accepted += a->accepted;
                    *refused += a->refused;
                    if (a->refused)
                        mq_logf(MQ_LOG_WARN, "the broker refused %u malformed jobs", a->refused);
                    mixq__envelope__free_unpacked(ack, NULL);
                    return 0;
                }
                mixq__envelope__free_unpacked(ack, NULL);
            }
        }
        if (now_s() - start + pause > s->o.give_up_s) {
            snprintf(err, errlen, "%s after %d attempts over %.0f s%s%s (endpoint %s)", problem,
                     attempt, now_s() - start, *detail ? ": " : "", detail, s->o.endpoint);
            return -1;
        }
        char att[16];
        snprintf(att, sizeof att, "%d", attempt);
        mq_log(MQ_LOG_WARN, "submit not acknowledged; sending again", "why", problem, "detail",
               detail, "attempt", att, "endpoint", s->o.endpoint, NULL);
        sleep_s(pause);
        pause = pause * 2 > 5 ? 5 : pause * 2;
    }
}

int ig_submitter_send(ig_submitter *s, const ig_job *jobs, size_t n, const char *version,
                      int interactive, size_t *accepted, size_t *refused, char *err,
                      size_t errlen) {
    *accepted = *refused = 0;
    size_t cap = n < JOBS_PER_SUBMIT ? n : JOBS_PER_SUBMIT;
    Mixq__Job *store = calloc(cap ? cap : 1, sizeof *store);
    Mixq__Job **ptrs = calloc(cap ? cap : 1, sizeof *ptrs);
    char(*ids)[300] = calloc(cap ? cap : 1, sizeof *ids);
    int rc = 0;
    if (!store || !ptrs || !ids) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    for (size_t off = 0; rc == 0 && off < n; off += cap) {
        size_t k = n - off < cap ? n - off : cap;
        for (size_t i = 0; i < k; i++) {
            const ig_job *j = &jobs[off + i];
            Mixq__Job init = MIXQ__JOB__INIT;
            store[i] = init;
            snprintf(ids[i], sizeof ids[i], "%" PRId64 ":%s", j->track_id, version);
            store[i].job_id = ids[i];
            store[i].track_id = j->track_id;
            store[i].uri = (char *)j->uri;
            store[i].priority =
                interactive ? MIXQ__PRIORITY__PRIORITY_INTERACTIVE : MIXQ__PRIORITY__PRIORITY_BULK;
            store[i].attempt = 1;
            store[i].analyzer_version = (char *)version;
            ptrs[i] = &store[i];
        }
        rc = submit_batch(s, ptrs, k, accepted, refused, err, errlen);
    }
    free(store);
    free(ptrs);
    free(ids);
    return rc;
}

void ig_submitter_del(ig_submitter *s) {
    if (!s) return;
    if (s->sock) zmq_close(s->sock);
    if (s->ctx) zmq_ctx_term(s->ctx);
    free(s);
}
