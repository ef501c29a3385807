/* broker.c -- the client side of a broker connection for the mixq commands. */
#include "cli/broker.h"

#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "common/config.h"
#include "common/curve.h"

const char cli_broker_usage[] =
    "  -b, --broker ENDPOINT      the broker (default: $MIXQ_BROKER, else " MQ_DEFAULT_BROKER ")\n"
    "      --broker-key KEY|FILE  the broker's public key (Z85, or a key file); turns CURVE\n"
    "                             on (default: $MIXQ_BROKER_KEY, else $MIXQ_CURVE_SERVER_KEY;\n"
    "                             --curve-server-key is the same)\n"
    "      --curve-key FILE       this client's key pair, from `mixq keygen` (default:\n"
    "                             $MIXQ_CURVE_KEY)\n"
    "      --allow-plain          allow an unauthenticated connection to a broker that is\n"
    "                             not on this machine\n";

const char *cli_broker_endpoint(const cli_broker_opts *o) {
    return mq_config_str(o->broker, "MIXQ_BROKER", MQ_DEFAULT_BROKER);
}

void *cli_broker_connect(void *ctx, const cli_broker_opts *o, char *err, size_t errlen) {
    const char *ep = cli_broker_endpoint(o);
    const char *bkey = mq_config_str(o->broker_key, "MIXQ_BROKER_KEY",
                                     mq_config_str(NULL, "MIXQ_CURVE_SERVER_KEY", NULL));
    char server_pub[MQ_CURVE_KEYLEN];
    mq_curve_key self;
    if (bkey) {
        const char *kf = mq_config_str(o->curve_key, "MIXQ_CURVE_KEY", NULL);
        if (mq_curve_public_key(bkey, server_pub, err, errlen) != 0) return NULL;
        if (!kf) {
            snprintf(err, errlen,
                     "CURVE needs this client's key pair: --curve-key FILE (or "
                     "MIXQ_CURVE_KEY); make one with `mixq keygen --out FILE`");
            return NULL;
        }
        if (mq_curve_key_load(kf, &self, err, errlen) != 0) return NULL;
    } else if (!mq_endpoint_is_loopback(ep) && !o->allow_plain) {
        snprintf(err, errlen,
                 "refusing an unauthenticated connection to %s, which is not on "
                 "this machine: give --broker-key and --curve-key, or --allow-plain",
                 ep);
        return NULL;
    }
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    int zero = 0;
    if (!s || zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero) != 0 ||
        (bkey && mq_curve_client(s, &self, server_pub) != 0)) {
        snprintf(err, errlen, "ZeroMQ: %s", zmq_strerror(zmq_errno()));
        if (s) zmq_close(s);
        return NULL;
    }
    if (zmq_connect(s, ep) != 0) {
        snprintf(err, errlen, "cannot connect to %s: %s", ep, zmq_strerror(zmq_errno()));
        zmq_close(s);
        return NULL;
    }
    return s;
}

mq_wire_status cli_broker_recv(void *sock, long timeout_ms, Mixq__Envelope **env) {
    *env = NULL;
    zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
    int n = zmq_poll(&it, 1, timeout_ms < 0 ? 0 : timeout_ms);
    if (n < 0) return MQ_WIRE_ERROR;
    if (n == 0) return MQ_WIRE_AGAIN;
    return mq_wire_recv(sock, ZMQ_DONTWAIT, env, NULL, 0);
}
