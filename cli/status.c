/* status.c -- `mixq status`: ask a broker for its StatusReply and print it as a table
 * (or as JSON). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "cli/broker.h"
#include "cli/commands.h"
#include "common/config.h"

static const char usage_head[] =
    "usage: mixq status [options]\n"
    "\n"
    "Prints a broker's view of the cluster: queue depths (waiting in Redis, pending at\n"
    "brokers), jobs in flight, workers, completion rate and failures. Exit status 0, 1\n"
    "when the broker does not answer in time, 2 for usage errors.\n"
    "\n"
    "Options:\n";
static const char usage_tail[] =
    "      --timeout S            how long to wait for the answer (default 5)\n"
    "      --json                 print the reply as one JSON object\n"
    "  -h, --help                 this help\n";

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void print_usage(FILE *f) {
    fputs(usage_head, f);
    fputs(cli_broker_usage, f);
    fputs(usage_tail, f);
}

static json_t *reply_json(const Mixq__StatusReply *r) {
    json_t *o = json_object(), *qs = json_object(), *ws = json_array();
    if (!o || !qs || !ws) {
        json_decref(o);
        json_decref(qs);
        json_decref(ws);
        return NULL;
    }
    json_object_set_new(o, "broker_id", json_string(r->broker_id ? r->broker_id : ""));
    for (size_t i = 0; i < r->n_queues; i++) {
        json_t *q = json_pack("{s:I,s:I}", "waiting", (json_int_t)r->queues[i]->waiting, "pending",
                              (json_int_t)r->queues[i]->pending);
        if (q) json_object_set_new(qs, r->queues[i]->name ? r->queues[i]->name : "", q);
    }
    json_object_set_new(o, "queues", qs);
    json_object_set_new(o, "in_flight", json_integer((json_int_t)r->in_flight));
    for (size_t i = 0; i < r->n_workers; i++) {
        const Mixq__WorkerInfo *w = r->workers[i];
        json_t *x =
            json_pack("{s:s,s:I,s:I,s:I,s:f}", "worker_id", w->worker_id ? w->worker_id : "",
                      "threads", (json_int_t)w->threads, "in_flight", (json_int_t)w->in_flight,
                      "done", (json_int_t)w->done, "idle_s", w->idle_s);
        if (x) json_array_append_new(ws, x);
    }
    json_object_set_new(o, "workers", ws);
    json_object_set_new(o, "submitted", json_integer((json_int_t)r->submitted));
    json_object_set_new(o, "completed", json_integer((json_int_t)r->completed));
    json_object_set_new(o, "failed", json_integer((json_int_t)r->failed));
    json_object_set_new(o, "retried", json_integer((json_int_t)r->retried));
    json_object_set_new(o, "dead_lettered", json_integer((json_int_t)r->dead_lettered));
    json_object_set_new(o, "jobs_per_s", json_real(r->jobs_per_s));
    json_object_set_new(o, "results_buffered", json_integer((json_int_t)r->results_buffered));
    json_object_set_new(o, "delayed", json_integer((json_int_t)r->delayed));
    json_object_set_new(o, "dead_letter_depth", json_integer((json_int_t)r->dead_letter_depth));
    return o;
}

static void print_table(const Mixq__StatusReply *r, const char *endpoint) {
    printf("broker   %s (%s)\n\n", r->broker_id && *r->broker_id ? r->broker_id : "?", endpoint);
    printf("%-14s %12s %12s\n", "queue", "waiting", "pending");
    for (size_t i = 0; i < r->n_queues; i++)
        printf("%-14s %12llu %12llu\n", r->queues[i]->name,
               (unsigned long long)r->queues[i]->waiting,
               (unsigned long long)r->queues[i]->pending);
    printf("%-14s %12llu\n", "delayed", (unsigned long long)r->delayed);
    printf("%-14s %12llu\n", "dead letters", (unsigned long long)r->dead_letter_depth);
    printf("\n%-14s %12llu   results buffered for PostgreSQL: %llu\n", "in flight",
           (unsigned long long)r->in_flight, (unsigned long long)r->results_buffered);
    printf("%-14s %12.1f jobs/s (last minute)\n", "rate", r->jobs_per_s);
    printf("%-14s submitted %llu, completed %llu, failed %llu, retried %llu, dead-lettered "
           "%llu\n",
           "since start", (unsigned long long)r->submitted, (unsigned long long)r->completed,
           (unsigned long long)r->failed, (unsigned long long)r->retried,
           (unsigned long long)r->dead_lettered);
    printf("\nworkers (%zu)\n", r->n_workers);
    if (r->n_workers)
        printf("  %-32s %7s %9s %10s %8s\n", "id", "threads", "in flight", "done", "idle s");
    for (size_t i = 0; i < r->n_workers; i++) {
        const Mixq__WorkerInfo *w = r->workers[i];
        printf("  %-32s %7u %9u %10llu %8.1f\n", w->worker_id, w->threads, w->in_flight,
               (unsigned long long)w->done, w->idle_s);
    }
}

int cmd_status(int argc, char **argv) {
    static const struct option longopts[] = {{"broker", required_argument, NULL, 'b'},
                                             {"broker-key", required_argument, NULL, 'k'},
                                             {"curve-server-key", required_argument, NULL, 'k'},
                                             {"curve-key", required_argument, NULL, 'c'},
                                             {"allow-plain", no_argument, NULL, 'P'},
                                             {"timeout", required_argument, NULL, 't'},
                                             {"json", no_argument, NULL, 'J'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    cli_broker_opts bo = {0};
    double timeout = 5;
    int as_json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "b:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'b': bo.broker = optarg; break;
        case 'k': bo.broker_key = optarg; break;
        case 'c': bo.curve_key = optarg; break;
        case 'P': bo.allow_plain = 1; break;
        case 't':
            if (mq_config_double(optarg, 0.1, 3600, &timeout)) {
                fprintf(stderr,
                        "mixq status: --timeout wants seconds from 0.1 to 3600, not "
                        "'%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'J': as_json = 1; break;
        case 'h': print_usage(stdout); return 0;
        default: print_usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mixq status: unexpected argument '%s'\n\n", argv[optind]);
        print_usage(stderr);
        return 2;
    }
    char err[512];
    void *ctx = zmq_ctx_new();
    void *sock = ctx ? cli_broker_connect(ctx, &bo, err, sizeof err) : NULL;
    if (!sock) {
        fprintf(stderr, "mixq status: %s\n", ctx ? err : "cannot create a ZeroMQ context");
        if (ctx) zmq_ctx_term(ctx);
        return 1;
    }
    Mixq__StatusRequest req = MIXQ__STATUS_REQUEST__INIT;
    Mixq__Envelope env = MIXQ__ENVELOPE__INIT;
    env.version = MQ_WIRE_VERSION;
    env.body_case = MIXQ__ENVELOPE__BODY_STATUS_REQUEST;
    env.status_request = &req;
    int rc = 1;
    const char *ep = cli_broker_endpoint(&bo);
    if (mq_wire_send(sock, &env, ZMQ_DONTWAIT) != 0 && zmq_errno() != EAGAIN) {
        fprintf(stderr, "mixq status: cannot send to %s: %s\n", ep, zmq_strerror(zmq_errno()));
    } else {
        Mixq__Envelope *reply = NULL;
        mq_wire_status st = MQ_WIRE_AGAIN;
        /* Anything but a StatusReply (there should be nothing else) is skipped. */
        double deadline = now_s() + timeout;
        while (now_s() < deadline) {
            st = cli_broker_recv(sock, (long)((deadline - now_s()) * 1000) + 1, &reply);
            if (st != MQ_WIRE_OK || reply->body_case == MIXQ__ENVELOPE__BODY_STATUS_REPLY) break;
            mixq__envelope__free_unpacked(reply, NULL);
            reply = NULL;
        }
        if (st == MQ_WIRE_OK && reply) {
            if (as_json) {
                json_t *o = reply_json(reply->status_reply);
                char *s = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
                if (s) {
                    puts(s);
                    rc = 0;
                } else {
                    fputs("mixq status: out of memory\n", stderr);
                }
                free(s);
                json_decref(o);
            } else {
                print_table(reply->status_reply, ep);
                rc = 0;
            }
            mixq__envelope__free_unpacked(reply, NULL);
        } else {
            fprintf(stderr, "mixq status: no answer from the broker at %s within %g s\n", ep,
                    timeout);
        }
    }
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return rc;
}
