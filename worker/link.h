/* link.h -- one connection to the broker: a DEALER socket and its monitor.
 *
 * While the socket lives, libzmq reconnects it by itself after a lost TCP connection
 * (100 ms doubling to reconnect_max_ms) and, with ZMTP heartbeats, notices a dead peer
 * within a few seconds. The monitor tells the loop when a connection is ready (the
 * handshake, CURVE included, succeeded) -- so that it can register with an initial Ready
 * -- and when it is lost. A broker that stays silent is the loop's business: it closes the
 * link and makes a new one (worker/loop.h). With ZMQ_IMMEDIATE nothing is queued while
 * disconnected: sends fail with EAGAIN and the loop keeps what it could not send. */
#ifndef WK_LINK_H
#define WK_LINK_H

#include <stddef.h>

#include "common/curve.h"
#include "proto/mixq.pb-c.h"

typedef struct wk_link wk_link;

typedef struct wk_link_opts {
    const char *endpoint;    /* tcp://host:port, ipc://... */
    const mq_curve_key *key; /* this worker's key pair; NULL for plain mode */
    const char *server_key;  /* the broker's public key (Z85), with key */
    int reconnect_max_ms;    /* the ceiling of libzmq's own reconnection backoff */
    unsigned seq;            /* distinct for every link made on one context */
} wk_link_opts;

typedef enum wk_link_event {
    WK_LINK_NONE = 0, /* nothing the loop needs to act on */
    WK_LINK_UP,       /* a connection to the broker is ready */
    WK_LINK_DOWN,     /* the connection was lost; libzmq is reconnecting */
    WK_LINK_REFUSED   /* the handshake failed (e.g. the broker refused our key) */
} wk_link_event;

/* Creates the socket on ctx and connects it. NULL with a message in err on failure. */
wk_link *wk_link_new(void *ctx, const wk_link_opts *o, char *err, size_t errlen);

/* The DEALER socket (to poll for input and receive envelopes). */
void *wk_link_socket(wk_link *l);

/* The monitor socket (to poll; then call wk_link_event). */
void *wk_link_monitor(wk_link *l);

/* Reads one monitor event, if any waits. detail (if non-NULL, len bytes) says what happened
 * for logs. */
wk_link_event wk_link_event_read(wk_link *l, char *detail, size_t len);

/* True while a connection is ready. */
int wk_link_up(const wk_link *l);

/* Sends env without blocking. Returns 0, or -1 (errno EAGAIN while disconnected or the
 * send queue is full). */
int wk_link_send(wk_link *l, const Mixq__Envelope *env);

/* Closes the sockets, waiting up to linger_ms for queued messages to go out. Accepts
 * NULL. */
void wk_link_del(wk_link *l, int linger_ms);

#endif
