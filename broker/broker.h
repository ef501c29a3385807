/* broker.h -- the mixq broker: one ROUTER socket, the Redis queue, the result sink.
 *
 * Single-threaded loop (plus the sink's, the CURVE handler's and the metrics server's
 * threads): receive envelopes, make submitted jobs durable, read as many jobs from
 * Redis as workers can take, dispatch them by credit, track leases, hand results to
 * the sink and acknowledge them in Redis once committed. See docs/protocol.md and
 * docs/operations.md. */
#ifndef MQ_BROKER_BROKER_H
#define MQ_BROKER_BROKER_H

#include <signal.h>
#include <stddef.h>

#include "broker/options.h"

typedef struct mq_broker mq_broker;

/* Binds the endpoint, starts the sink and the metrics server. Redis and PostgreSQL
 * need not be up yet. NULL with a message in err when the broker cannot start (bad
 * key files, endpoint in use, plain mode refused, ...). o must outlive the broker. */
mq_broker *mq_broker_new(const mq_broker_opts *o, char *err, size_t errlen);

/* Runs until *stop becomes non-zero, then stops taking work, lets in-flight results be
 * written for up to the shutdown grace and returns 0. */
int mq_broker_run(mq_broker *b, volatile sig_atomic_t *stop);

/* Frees the broker. Accepts NULL. */
void mq_broker_del(mq_broker *b);

#endif
