/* produce.c -- the producer of the broker benchmark: submits N jobs (track ids
 * FIRST..FIRST+N-1, which must exist in `tracks`) in Submits of BATCH with up to
 * WINDOW unacknowledged, then asks the broker for its status until it has completed
 * N more jobs than when we started. Prints "submit_seconds total_seconds".
 *
 *   produce ENDPOINT N FIRST [BATCH] [WINDOW] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "common/wire.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void send_status(void *s) {
    Mixq__StatusRequest sr = MIXQ__STATUS_REQUEST__INIT;
    Mixq__Envelope env = MIXQ__ENVELOPE__INIT;
    env.version = MQ_WIRE_VERSION;
    env.body_case = MIXQ__ENVELOPE__BODY_STATUS_REQUEST;
    env.status_request = &sr;
    mq_wire_send(s, &env, 0);
}

/* The broker's completed counter (blocking for the answer). */
static long long completed(void *s) {
    send_status(s);
    for (;;) {
        Mixq__Envelope *env = NULL;
        if (mq_wire_recv(s, 0, &env, NULL, 0) != MQ_WIRE_OK) continue;
        long long c = -1;
        if (env->body_case == MIXQ__ENVELOPE__BODY_STATUS_REPLY)
            c = (long long)env->status_reply->completed;
        mixq__envelope__free_unpacked(env, NULL);
        if (c >= 0) return c;
    }
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: produce ENDPOINT N FIRST [BATCH] [WINDOW]\n");
        return 2;
    }
    long n = atol(argv[2]), first = atol(argv[3]);
    long batch = argc > 4 ? atol(argv[4]) : 1000, window = argc > 5 ? atol(argv[5]) : 4;
    void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_connect(s, argv[1]) != 0) return 1;
    long long base = completed(s);
    Mixq__Job *jobs = calloc((size_t)batch, sizeof *jobs);
    Mixq__Job **jp = calloc((size_t)batch, sizeof *jp);
    char(*ids)[48] = calloc((size_t)batch, sizeof *ids),
    (*uris)[64] = calloc((size_t)batch, sizeof *uris);
    double t0 = now();
    long sent = 0, acked = 0, outstanding = 0;
    uint64_t req = 0;
    while (acked < n) {
        while (sent < n && outstanding < window) {
            long b = n - sent < batch ? n - sent : batch;
            for (long i = 0; i < b; i++) {
                long t = first + sent + i;
                mixq__job__init(&jobs[i]);
                snprintf(ids[i], sizeof ids[i], "%ld:bench", t);
                snprintf(uris[i], sizeof uris[i], "file:///bench/%ld.wav", t);
                jobs[i].job_id = ids[i];
                jobs[i].track_id = t;
                jobs[i].uri = uris[i];
                jobs[i].analyzer_version = (char *)"mixq-analysis/0.1.0";
                jp[i] = &jobs[i];
            }
            Mixq__Submit sub = MIXQ__SUBMIT__INIT;
            sub.request_id = ++req;
            sub.n_jobs = (size_t)b;
            sub.jobs = jp;
            Mixq__Envelope env = MIXQ__ENVELOPE__INIT;
            env.version = MQ_WIRE_VERSION;
            env.body_case = MIXQ__ENVELOPE__BODY_SUBMIT;
            env.submit = &sub;
            if (mq_wire_send(s, &env, 0) != 0) return 1;
            sent += b;
            outstanding++;
        }
        Mixq__Envelope *env = NULL;
        if (mq_wire_recv(s, 0, &env, NULL, 0) != MQ_WIRE_OK) continue;
        if (env->body_case == MIXQ__ENVELOPE__BODY_SUBMIT_ACK) {
            if (env->submit_ack->error[0]) {
                fprintf(stderr, "submit failed: %s\n", env->submit_ack->error);
                return 1;
            }
            acked += env->submit_ack->accepted;
            outstanding--;
        }
        mixq__envelope__free_unpacked(env, NULL);
    }
    double t_submit = now() - t0;
    while (completed(s) - base < n) {
        struct timespec ts = {0, 20 * 1000000};
        nanosleep(&ts, NULL);
    }
    printf("%.3f %.3f\n", t_submit, now() - t0);
    zmq_close(s);
    zmq_ctx_term(ctx);
    free(jobs);
    free(jp);
    free(ids);
    free(uris);
    return 0;
}
