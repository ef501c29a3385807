/* curve.h -- ZeroMQ CURVE authentication: key files, client and server set-up.
 *
 * A key file (made by `mixq keygen`) holds two lines, "public Z85KEY" and
 * "secret Z85KEY" (40 characters each). A broker admits only clients whose public keys
 * are listed in its allow file (one Z85 public key per line; a line starting with '#' is a
 * comment -- '#' is also a Z85 character, so not elsewhere):
 * it answers ZeroMQ's authentication protocol (ZAP) itself, in a thread of its own,
 * and counts and logs every refusal. */
#ifndef MQ_CURVE_H
#define MQ_CURVE_H

#include <stddef.h>

#define MQ_CURVE_KEYLEN 41 /* 40 Z85 characters and a terminator */

typedef struct mq_curve_key {
    char pub[MQ_CURVE_KEYLEN];
    char sec[MQ_CURVE_KEYLEN];
} mq_curve_key;

typedef struct mq_curve_auth mq_curve_auth;

/* Makes a new key pair. Returns 0 or -1 (libzmq built without CURVE). */
int mq_curve_keygen(mq_curve_key *k);

/* Writes k to path (mode 0600). Returns 0 or -1 with a message in err. */
int mq_curve_key_save(const mq_curve_key *k, const char *path, char *err, size_t errlen);

/* Reads a key file. Returns 0 or -1 with a message in err. */
int mq_curve_key_load(const char *path, mq_curve_key *k, char *err, size_t errlen);

/* A public key given as 40 Z85 characters, or as a file holding a "public KEY" line (a
 * key file from `mixq keygen`) or a bare key line, into out. Returns 0, or -1 with a
 * message in err. */
int mq_curve_public_key(const char *arg, char out[MQ_CURVE_KEYLEN], char *err, size_t errlen);

/* Makes sock a CURVE client of the server whose public key is server_pub. */
int mq_curve_client(void *sock, const mq_curve_key *self, const char *server_pub);

/* Starts the ZAP handler on ctx that admits the public keys listed in allow_path, and
 * counts refusals (see mq_curve_auth_refused). Call before binding server sockets. */
mq_curve_auth *mq_curve_auth_start(void *ctx, const char *allow_path, char *err, size_t errlen);

/* Makes sock a CURVE server with key self (the ZAP handler decides who gets in). */
int mq_curve_server(void *sock, const mq_curve_key *self);

/* Connections refused so far. */
unsigned long mq_curve_auth_refused(const mq_curve_auth *a);

/* Stops the handler and frees it (before the context is terminated). Accepts NULL. */
void mq_curve_auth_stop(mq_curve_auth *a);

/* True when endpoint (tcp://HOST:PORT, ipc://, inproc://) is local to this machine:
 * plain (unauthenticated) mode is allowed there only. */
int mq_endpoint_is_loopback(const char *endpoint);

#endif
