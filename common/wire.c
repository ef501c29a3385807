/* wire.c -- protobuf-c envelopes over ZeroMQ frames. */
#include "common/wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

/* Largest envelope accepted: a result carries a features JSON of a few tens of kB. */
#define MAX_FRAME (16u << 20)

static int send_env(void *sock, const Mixq__Envelope *env, int flags) {
    size_t n = mixq__envelope__get_packed_size(env);
    uint8_t stackbuf[4096], *buf = n <= sizeof stackbuf ? stackbuf : malloc(n);
    if (!buf) {
        errno = ENOMEM;
        return -1;
    }
    mixq__envelope__pack(env, buf);
    int rc = zmq_send(sock, buf, n, flags) < 0 ? -1 : 0;
    if (buf != stackbuf) free(buf);
    return rc;
}

int mq_wire_send(void *sock, const Mixq__Envelope *env, int flags) {
    return send_env(sock, env, flags);
}

int mq_wire_send_to(void *sock, const void *id, size_t idlen, const Mixq__Envelope *env,
                    int flags) {
    if (zmq_send(sock, id, idlen, ZMQ_SNDMORE | (flags & ZMQ_DONTWAIT)) < 0) return -1;
    return send_env(sock, env, flags);
}

static void why_set(char *why, size_t len, const char *msg) {
    if (why && len) snprintf(why, len, "%s", msg);
}

/* Discards the rest of a multipart message. */
static void drain(void *sock) {
    int more = 1;
    size_t sz = sizeof more;
    while (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz) == 0 && more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        zmq_msg_recv(&m, sock, 0);
        zmq_msg_close(&m);
    }
}

static int has_more(void *sock) {
    int more = 0;
    size_t sz = sizeof more;
    zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz);
    return more;
}

/* Reads the envelope frame (the socket is positioned on it). */
static mq_wire_status read_envelope(void *sock, int flags, Mixq__Envelope **env, char *why,
                                    size_t whylen) {
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, sock, flags) < 0) {
        int e = errno;
        zmq_msg_close(&m);
        return e == EAGAIN || e == EINTR ? MQ_WIRE_AGAIN : MQ_WIRE_ERROR;
    }
    mq_wire_status st = MQ_WIRE_OK;
    size_t n = zmq_msg_size(&m);
    if (has_more(sock)) {
        drain(sock);
        why_set(why, whylen, "unexpected extra frames");
        st = MQ_WIRE_MALFORMED;
    } else if (n == 0 || n > MAX_FRAME) {
        why_set(why, whylen, n ? "frame too large" : "empty frame");
        st = MQ_WIRE_MALFORMED;
    } else {
        *env = mixq__envelope__unpack(NULL, n, zmq_msg_data(&m));
        if (!*env) {
            why_set(why, whylen, "not a protobuf Envelope");
            st = MQ_WIRE_MALFORMED;
        } else if ((*env)->version != MQ_WIRE_VERSION) {
            why_set(why, whylen, "unsupported protocol version");
            st = MQ_WIRE_MALFORMED;
        } else if ((*env)->body_case == MIXQ__ENVELOPE__BODY__NOT_SET) {
            why_set(why, whylen, "envelope without a body");
            st = MQ_WIRE_MALFORMED;
        }
        if (st != MQ_WIRE_OK && *env) {
            mixq__envelope__free_unpacked(*env, NULL);
            *env = NULL;
        }
    }
    zmq_msg_close(&m);
    return st;
}

mq_wire_status mq_wire_recv(void *sock, int flags, Mixq__Envelope **env, char *why,
                            size_t whylen) {
    *env = NULL;
    return read_envelope(sock, flags, env, why, whylen);
}

mq_wire_status mq_wire_recv_from(void *sock, int flags, void *id, size_t *idlen,
                                 Mixq__Envelope **env, char *why, size_t whylen) {
    *env = NULL;
    int n = zmq_recv(sock, id, MQ_WIRE_MAX_IDENTITY, flags);
    if (n < 0) return errno == EAGAIN || errno == EINTR ? MQ_WIRE_AGAIN : MQ_WIRE_ERROR;
    *idlen = (size_t)n > MQ_WIRE_MAX_IDENTITY ? MQ_WIRE_MAX_IDENTITY : (size_t)n;
    if (!has_more(sock)) {
        why_set(why, whylen, "identity without an envelope");
        return MQ_WIRE_MALFORMED;
    }
    /* The envelope follows at once: a blocking read cannot stall here. */
    return read_envelope(sock, 0, env, why, whylen);
}
