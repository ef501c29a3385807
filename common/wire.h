/* wire.h -- the mixq wire protocol on ZeroMQ: one protobuf Envelope per frame.
 *
 * Peers (producers, workers, status clients) use DEALER sockets and send one frame; the
 * broker's ROUTER socket sees [identity][envelope]. Anything else -- extra frames, bytes
 * that are not an Envelope, another protocol version -- is malformed: the receive calls
 * drain it and report MQ_WIRE_MALFORMED so the caller can count, log and drop it. */
#ifndef MQ_WIRE_H
#define MQ_WIRE_H

#include <stddef.h>

#include "proto/mixq.pb-c.h"

#define MQ_WIRE_VERSION 1
#define MQ_WIRE_MAX_IDENTITY 256

typedef enum mq_wire_status {
    MQ_WIRE_OK = 0,
    MQ_WIRE_AGAIN,     /* nothing to read (non-blocking) or interrupted */
    MQ_WIRE_MALFORMED, /* a message arrived but was not a valid envelope; dropped */
    MQ_WIRE_ERROR      /* the socket failed */
} mq_wire_status;

/* Sends env on a DEALER socket. Returns 0 or -1 (errno from zmq). */
int mq_wire_send(void *sock, const Mixq__Envelope *env, int flags);

/* Sends env to the peer with identity id on a ROUTER socket. Returns 0 or -1. */
int mq_wire_send_to(void *sock, const void *id, size_t idlen, const Mixq__Envelope *env,
                    int flags);

/* Receives one envelope on a DEALER socket into *env (free with
 * mixq__envelope__free_unpacked). why, if given, says what was malformed. */
mq_wire_status mq_wire_recv(void *sock, int flags, Mixq__Envelope **env, char *why, size_t whylen);

/* Receives [identity][envelope] on a ROUTER socket; the identity is copied to id
 * (MQ_WIRE_MAX_IDENTITY bytes) and its length to *idlen. */
mq_wire_status mq_wire_recv_from(void *sock, int flags, void *id, size_t *idlen,
                                 Mixq__Envelope **env, char *why, size_t whylen);

#endif
