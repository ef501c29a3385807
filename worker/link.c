/* link.c -- a DEALER socket to the broker, CURVE or plain, with a connection monitor. */
#include "worker/link.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "common/wire.h"

struct wk_link {
    void *sock, *mon;
    int up;
};

/* Transport heartbeats: libzmq drops a connection whose peer is silent this long. */
#define ZMTP_HEARTBEAT_IVL_MS 1000
#define ZMTP_HEARTBEAT_TIMEOUT_MS 4000

static int setopt_int(void *s, int opt, int v) { return zmq_setsockopt(s, opt, &v, sizeof v); }

wk_link *wk_link_new(void *ctx, const wk_link_opts *o, char *err, size_t errlen) {
    wk_link *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    char mon_ep[64];
    snprintf(mon_ep, sizeof mon_ep, "inproc://mixq-worker-monitor-%u", o->seq);
    l->sock = zmq_socket(ctx, ZMQ_DEALER);
    if (!l->sock) goto zerr;
    if (setopt_int(l->sock, ZMQ_IMMEDIATE, 1) || setopt_int(l->sock, ZMQ_LINGER, 0) ||
        setopt_int(l->sock, ZMQ_RECONNECT_IVL, 100) ||
        setopt_int(l->sock, ZMQ_RECONNECT_IVL_MAX, o->reconnect_max_ms) ||
        setopt_int(l->sock, ZMQ_HEARTBEAT_IVL, ZMTP_HEARTBEAT_IVL_MS) ||
        setopt_int(l->sock, ZMQ_HEARTBEAT_TIMEOUT, ZMTP_HEARTBEAT_TIMEOUT_MS) ||
        setopt_int(l->sock, ZMQ_SNDHWM, 10000) || setopt_int(l->sock, ZMQ_RCVHWM, 10000))
        goto zerr;
    if (o->key && mq_curve_client(l->sock, o->key, o->server_key) != 0) {
        snprintf(err, errlen,
                 "cannot set up CURVE (is the broker's public key 40 Z85 "
                 "characters?): %s",
                 zmq_strerror(zmq_errno()));
        goto fail;
    }
    if (zmq_socket_monitor(l->sock, mon_ep,
                           ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED |
                               ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0)
        goto zerr;
    l->mon = zmq_socket(ctx, ZMQ_PAIR);
    if (!l->mon || setopt_int(l->mon, ZMQ_LINGER, 0) || zmq_connect(l->mon, mon_ep) != 0) goto zerr;
    if (zmq_connect(l->sock, o->endpoint) != 0) {
        snprintf(err, errlen, "cannot connect to %s: %s", o->endpoint, zmq_strerror(zmq_errno()));
        goto fail;
    }
    return l;
zerr:
    snprintf(err, errlen, "ZeroMQ: %s", zmq_strerror(zmq_errno()));
fail:
    wk_link_del(l, 0);
    return NULL;
}

void *wk_link_socket(wk_link *l) { return l->sock; }
void *wk_link_monitor(wk_link *l) { return l->mon; }
int wk_link_up(const wk_link *l) { return l->up; }

wk_link_event wk_link_event_read(wk_link *l, char *detail, size_t len) {
    /* An event is two frames: 6 bytes (uint16 event, uint32 value), then the endpoint. */
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, l->mon, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&m);
        return WK_LINK_NONE;
    }
    uint16_t ev = 0;
    uint32_t value = 0;
    if (zmq_msg_size(&m) >= 6) {
        memcpy(&ev, zmq_msg_data(&m), 2);
        memcpy(&value, (char *)zmq_msg_data(&m) + 2, 4);
    }
    int more = zmq_msg_more(&m);
    zmq_msg_close(&m);
    char addr[256] = "";
    while (more) {
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, l->mon, 0) < 0) {
            zmq_msg_close(&m);
            break;
        }
        size_t n = zmq_msg_size(&m);
        if (n >= sizeof addr) n = sizeof addr - 1;
        memcpy(addr, zmq_msg_data(&m), n);
        addr[n] = 0;
        more = zmq_msg_more(&m);
        zmq_msg_close(&m);
    }
    wk_link_event out = WK_LINK_NONE;
    const char *what = "";
    switch (ev) {
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        l->up = 1;
        out = WK_LINK_UP;
        what = "connected";
        break;
    case ZMQ_EVENT_DISCONNECTED:
        l->up = 0;
        out = WK_LINK_DOWN;
        what = "disconnected";
        break;
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        out = WK_LINK_REFUSED;
        what = "the broker refused our CURVE key";
        break;
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        out = WK_LINK_REFUSED;
        what = "handshake failed (wrong broker key, or plain/CURVE mismatch)";
        break;
    default: break;
    }
    if (detail && len) snprintf(detail, len, "%s (%s)", what, addr);
    return out;
}

int wk_link_send(wk_link *l, const Mixq__Envelope *env) {
    return mq_wire_send(l->sock, env, ZMQ_DONTWAIT);
}

void wk_link_del(wk_link *l, int linger_ms) {
    if (!l) return;
    if (l->sock) {
        setopt_int(l->sock, ZMQ_LINGER, linger_ms);
        zmq_socket_monitor(l->sock, NULL, 0);
        zmq_close(l->sock);
    }
    if (l->mon) zmq_close(l->mon);
    free(l);
}
