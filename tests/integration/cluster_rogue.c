/* cluster_rogue.c -- a misbehaving broker client for tests/integration/cluster_rogue.sh.
 *
 *   cluster_rogue garbage ENDPOINT [SERVER_PUB CLIENT_PUB CLIENT_SEC]
 *       sends malformed messages of every kind the broker must refuse, then a valid
 *       StatusRequest; exits 0 when the broker answers it (still serving), 1 if not.
 *   cluster_rogue silent ENDPOINT [SERVER_PUB CLIENT_PUB CLIENT_SEC]
 *       sends one valid StatusRequest; exits 0 when NO answer comes within 2 s (the
 *       connection was refused), 1 when the broker answered.
 *   cluster_rogue newkey ENDPOINT SERVER_PUB
 *       like silent, with a freshly made CURVE key pair that no broker allows.
 *
 * Envelopes are written as raw protobuf bytes, so the helper needs only libzmq. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

/* Envelope{version: 1, status_request: {}}: field 1 varint 1, field 9 empty message. */
static const unsigned char status_request[] = {0x08, 0x01, 0x4a, 0x00};

static void *connect_dealer(void *ctx, int argc, char **argv) {
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    int zero = 0, hwm = 100000;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (argc >= 6) {
        zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, argv[3], 40);
        zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, argv[4], 40);
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, argv[5], 40);
    }
    if (zmq_connect(s, argv[2]) != 0) {
        fprintf(stderr, "connect %s: %s\n", argv[2], zmq_strerror(zmq_errno()));
        exit(2);
    }
    return s;
}

/* Sends a StatusRequest and waits up to ms for any answer. 1 when one came. */
static int answered(void *s, int ms) {
    zmq_send(s, status_request, sizeof status_request, 0);
    zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, ms) <= 0) return 0;
    char buf[65536];
    return zmq_recv(s, buf, sizeof buf, 0) > 0;
}

static int garbage(void *s) {
    /* 1. bytes that are no protobuf at all */
    static const char junk[] = "\xff\xff\xff\xff this is not an envelope";
    /* 2. a protobuf with the wrong protocol version (2) and a StatusRequest */
    static const unsigned char v2[] = {0x08, 0x02, 0x4a, 0x00};
    /* 3. version 1 but no body */
    static const unsigned char nobody[] = {0x08, 0x01};
    /* 4. a Dispatch, which only a broker sends */
    static const unsigned char dispatch[] = {0x08, 0x01, 0x2a, 0x00};
    /* 5. a Ready without a worker id */
    static const unsigned char ready[] = {0x08, 0x01, 0x22, 0x02, 0x10, 0x05};
    /* 6. a Submit whose job is truncated mid-field */
    static const unsigned char trunc[] = {0x08, 0x01, 0x12, 0x06, 0x12, 0x09, 0x0a, 0x02, 'a'};
    for (int round = 0; round < 20; round++) {
        zmq_send(s, junk, sizeof junk - 1, 0);
        zmq_send(s, v2, sizeof v2, 0);
        zmq_send(s, nobody, sizeof nobody, 0);
        zmq_send(s, dispatch, sizeof dispatch, 0);
        zmq_send(s, ready, sizeof ready, 0);
        zmq_send(s, trunc, sizeof trunc, 0);
        zmq_send(s, "", 0, 0); /* 7. an empty frame */
        /* 8. a valid envelope followed by an extra frame */
        zmq_send(s, status_request, sizeof status_request, ZMQ_SNDMORE);
        zmq_send(s, "extra", 5, 0);
    }
    /* 9. a large frame of noise (1 MiB) */
    size_t n = 1 << 20;
    unsigned char *big = malloc(n);
    if (big) {
        for (size_t i = 0; i < n; i++) big[i] = (unsigned char)(i * 2654435761u >> 13);
        zmq_send(s, big, n, 0);
        free(big);
    }
    /* The malformed ones get no answer; the valid request must. */
    return answered(s, 10000) ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: cluster_rogue garbage|silent|newkey ENDPOINT [keys]\n");
        return 2;
    }
    void *ctx = zmq_ctx_new();
    char pub[41], sec[41];
    char *av[6] = {argv[0], argv[1], argv[2], NULL, pub, sec};
    int ac = argc;
    if (!strcmp(argv[1], "newkey")) {
        if (argc < 4 || zmq_curve_keypair(pub, sec) != 0) return 2;
        av[3] = argv[3];
        ac = 6;
    } else {
        for (int i = 3; i < argc && i < 6; i++) av[i] = argv[i];
    }
    void *s = connect_dealer(ctx, ac, av);
    int rc;
    if (!strcmp(argv[1], "garbage"))
        rc = garbage(s);
    else
        rc = answered(s, 2000) ? 1 : 0;
    zmq_close(s);
    zmq_ctx_term(ctx);
    return rc;
}
