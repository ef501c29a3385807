/* broker.h -- how `mixq submit` and `mixq status` reach a broker: the connection flags
 * they share, a DEALER socket (CURVE or plain, as docs/protocol.md says), and a receive
 * with a deadline. */
#ifndef MQ_CLI_BROKER_H
#define MQ_CLI_BROKER_H

#include <stddef.h>

#include "common/wire.h"

/* The shared flags; NULL fields fall back to the environment, then the defaults. */
typedef struct cli_broker_opts {
    const char *broker;     /* --broker, else MIXQ_BROKER, else MQ_DEFAULT_BROKER */
    const char *curve_key;  /* --curve-key FILE, else MIXQ_CURVE_KEY */
    const char *broker_key; /* --broker-key KEY|FILE, else MIXQ_BROKER_KEY, else
                               MIXQ_CURVE_SERVER_KEY; turns CURVE on */
    int allow_plain;        /* --allow-plain: plain mode to a non-loopback endpoint */
} cli_broker_opts;

/* The usage lines of the shared flags. */
extern const char cli_broker_usage[];

/* The endpoint o names (flag, environment or default). */
const char *cli_broker_endpoint(const cli_broker_opts *o);

/* A DEALER socket on ctx connected to the broker. NULL with a message in err (bad key,
 * plain mode refused, bad endpoint). */
void *cli_broker_connect(void *ctx, const cli_broker_opts *o, char *err, size_t errlen);

/* Receives one envelope within timeout_ms: MQ_WIRE_OK (*env set; free with
 * mixq__envelope__free_unpacked), MQ_WIRE_AGAIN on timeout, MQ_WIRE_MALFORMED or
 * MQ_WIRE_ERROR. */
mq_wire_status cli_broker_recv(void *sock, long timeout_ms, Mixq__Envelope **env);

#endif
