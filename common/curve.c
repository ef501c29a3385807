/* curve.c -- CURVE keys and a ZAP handler with an allow list. */
#include "common/curve.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "common/log.h"

#define MAX_ALLOWED 4096

struct mq_curve_auth {
    void *sock; /* REP on inproc://zeromq.zap.01 */
    pthread_t thread;
    _Atomic int running;
    char (*allowed)[MQ_CURVE_KEYLEN];
    size_t nallowed;
    _Atomic unsigned long refused;
};

int mq_curve_keygen(mq_curve_key *k) {
    return zmq_curve_keypair(k->pub, k->sec) == 0 ? 0 : -1;
}

int mq_curve_key_save(const mq_curve_key *k, const char *path, char *err, size_t errlen) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char buf[160];
    int n = snprintf(buf, sizeof buf, "public %s\nsecret %s\n", k->pub, k->sec);
    int ok = write(fd, buf, (size_t)n) == n;
    close(fd);
    if (!ok) snprintf(err, errlen, "%s: write failed", path);
    return ok ? 0 : -1;
}

/* True when s is exactly 40 Z85 characters. */
static int z85_key(const char *s) {
    static const char z85[] =
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
    size_t n = strlen(s);
    if (n != 40) return 0;
    for (size_t i = 0; i < n; i++)
        if (!strchr(z85, s[i])) return 0;
    return 1;
}

int mq_curve_key_load(const char *path, mq_curve_key *k, char *err, size_t errlen) {
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    memset(k, 0, sizeof *k);
    char line[256], word[16], key[128];
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%15s %127s", word, key) != 2 || !z85_key(key)) continue;
        if (!strcmp(word, "public")) memcpy(k->pub, key, 41);
        else if (!strcmp(word, "secret")) memcpy(k->sec, key, 41);
    }
    fclose(f);
    if (!k->pub[0] || !k->sec[0]) {
        snprintf(err, errlen, "%s: not a key file (want 'public KEY' and 'secret KEY' lines)", path);
        return -1;
    }
    return 0;
}

int mq_curve_public_key(const char *arg, char out[MQ_CURVE_KEYLEN], char *err, size_t errlen) {
    if (z85_key(arg)) {
        memcpy(out, arg, MQ_CURVE_KEYLEN);
        return 0;
    }
    FILE *f = fopen(arg, "r");
    if (!f) {
        snprintf(err, errlen, "'%s' is neither a 40-character Z85 key nor a readable file", arg);
        return -1;
    }
    char line[256], key[128];
    int found = 0;
    while (!found && fgets(line, sizeof line, f))
        if ((sscanf(line, "public %127s", key) == 1 || sscanf(line, "%127s", key) == 1) &&
            z85_key(key)) {
            memcpy(out, key, MQ_CURVE_KEYLEN);
            found = 1;
        }
    fclose(f);
    if (!found) snprintf(err, errlen, "%s holds no public key", arg);
    return found ? 0 : -1;
}

int mq_curve_client(void *sock, const mq_curve_key *self, const char *server_pub) {
    if (!z85_key(server_pub)) return -1;
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server_pub, 40) != 0) return -1;
    if (zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, self->pub, 40) != 0) return -1;
    return zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, self->sec, 40);
}

int mq_curve_server(void *sock, const mq_curve_key *self) {
    int one = 1;
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) != 0) return -1;
    if (zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, self->sec, 40) != 0) return -1;
    return zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, "mixq", 4);
}

static int allowed(const mq_curve_auth *a, const char *z85) {
    for (size_t i = 0; i < a->nallowed; i++)
        if (!strcmp(a->allowed[i], z85)) return 1;
    return 0;
}

/* Receives one ZAP request (RFC 27) and answers it. */
static void zap_serve_one(mq_curve_auth *a) {
    zmq_msg_t part[8];
    int n = 0, more = 1;
    while (more && n < 8) {
        zmq_msg_init(&part[n]);
        if (zmq_msg_recv(&part[n], a->sock, 0) < 0) {
            zmq_msg_close(&part[n]);
            for (int i = 0; i < n; i++) zmq_msg_close(&part[i]);
            return;
        }
        more = zmq_msg_more(&part[n]);
        n++;
    }
    /* Frames: version, request id, domain, address, identity, mechanism, credentials. */
    const char *status = "400", *text = "malformed request";
    char peer[64] = "", key[MQ_CURVE_KEYLEN] = "";
    if (n >= 7) {
        size_t al = zmq_msg_size(&part[3]);
        if (al >= sizeof peer) al = sizeof peer - 1;
        memcpy(peer, zmq_msg_data(&part[3]), al);
        size_t ml = zmq_msg_size(&part[5]);
        const char *mech = zmq_msg_data(&part[5]);
        if (ml == 5 && !memcmp(mech, "CURVE", 5) && zmq_msg_size(&part[6]) == 32) {
            zmq_z85_encode(key, zmq_msg_data(&part[6]), 32);
            if (allowed(a, key)) status = "200", text = "OK";
            else status = "400", text = "public key not allowed";
        } else {
            text = "CURVE required";
        }
    }
    if (strcmp(status, "200") != 0) {
        atomic_fetch_add(&a->refused, 1);
        mq_log(MQ_LOG_WARN, "connection refused", "peer", peer, "key", key[0] ? key : "(none)",
               "reason", text, NULL);
    }
    /* Reply: version, request id, status code, status text, user id, metadata. */
    zmq_send(a->sock, "1.0", 3, ZMQ_SNDMORE);
    if (n >= 2) zmq_send(a->sock, zmq_msg_data(&part[1]), zmq_msg_size(&part[1]), ZMQ_SNDMORE);
    else zmq_send(a->sock, "", 0, ZMQ_SNDMORE);
    zmq_send(a->sock, status, 3, ZMQ_SNDMORE);
    zmq_send(a->sock, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(a->sock, key, strlen(key), ZMQ_SNDMORE);
    zmq_send(a->sock, "", 0, 0);
    for (int i = 0; i < n; i++) zmq_msg_close(&part[i]);
}

static void *zap_thread(void *arg) {
    mq_curve_auth *a = arg;
    while (a->running) {
        zmq_pollitem_t it = {a->sock, 0, ZMQ_POLLIN, 0};
        int rc = zmq_poll(&it, 1, 200);
        if (rc < 0 && zmq_errno() == ETERM) break;
        if (rc > 0) zap_serve_one(a);
    }
    return NULL;
}

mq_curve_auth *mq_curve_auth_start(void *ctx, const char *allow_path, char *err, size_t errlen) {
    FILE *f = fopen(allow_path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", allow_path, strerror(errno));
        return NULL;
    }
    mq_curve_auth *a = calloc(1, sizeof *a);
    if (a) a->allowed = calloc(MAX_ALLOWED, sizeof *a->allowed);
    if (!a || !a->allowed) {
        fclose(f);
        free(a);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    char line[256], key[128];
    while (fgets(line, sizeof line, f) && a->nallowed < MAX_ALLOWED) {
        /* '#' is a Z85 character: only a line starting with it is a comment. */
        const char *p = line + strspn(line, " \t");
        if (*p == '#') continue;
        /* Accept a bare key, or a key file's "public KEY" line. */
        if (sscanf(p, "public %127s", key) == 1 || sscanf(p, "%127s", key) == 1)
            if (z85_key(key)) memcpy(a->allowed[a->nallowed++], key, 41);
    }
    fclose(f);
    a->sock = zmq_socket(ctx, ZMQ_REP);
    int linger = 0;
    if (!a->sock || zmq_setsockopt(a->sock, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_bind(a->sock, "inproc://zeromq.zap.01") != 0) {
        snprintf(err, errlen, "ZAP handler: %s", zmq_strerror(zmq_errno()));
        if (a->sock) zmq_close(a->sock);
        free(a->allowed);
        free(a);
        return NULL;
    }
    a->running = 1;
    if (pthread_create(&a->thread, NULL, zap_thread, a) != 0) {
        zmq_close(a->sock);
        free(a->allowed);
        free(a);
        snprintf(err, errlen, "cannot start the ZAP thread");
        return NULL;
    }
    return a;
}

unsigned long mq_curve_auth_refused(const mq_curve_auth *a) {
    return a ? atomic_load(&((mq_curve_auth *)a)->refused) : 0;
}

void mq_curve_auth_stop(mq_curve_auth *a) {
    if (!a) return;
    a->running = 0;
    pthread_join(a->thread, NULL);
    zmq_close(a->sock);
    free(a->allowed);
    free(a);
}

int mq_endpoint_is_loopback(const char *ep) {
    if (!strncmp(ep, "ipc://", 6) || !strncmp(ep, "inproc://", 9)) return 1;
    if (strncmp(ep, "tcp://", 6) != 0) return 0;
    const char *h = ep + 6;
    return !strncmp(h, "127.", 4) || !strncmp(h, "localhost:", 10) || !strncmp(h, "[::1]:", 6) ||
           !strncmp(h, "lo:", 3);
}
