/* hash.c -- streaming XXH3-128 of files (libxxhash). */
#include "common/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#define READ_CHUNK (256u << 10)

static void canonical(XXH128_hash_t h, mq_hash128 *out) {
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, h);
    memcpy(out->b, c.digest, MQ_HASH_LEN);
}

void mq_hash_bytes(const void *p, size_t n, mq_hash128 *out) { canonical(XXH3_128bits(p, n), out); }

int mq_hash_fd(int fd, mq_hash128 *out, uint64_t *size) {
    XXH3_state_t *st = XXH3_createState();
    unsigned char *buf = malloc(READ_CHUNK);
    if (!st || !buf) {
        XXH3_freeState(st);
        free(buf);
        errno = ENOMEM;
        return -1;
    }
    XXH3_128bits_reset(st);
    uint64_t total = 0;
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, buf, READ_CHUNK);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            rc = -1;
            break;
        }
        if (n == 0) break;
        XXH3_128bits_update(st, buf, (size_t)n);
        total += (uint64_t)n;
    }
    if (rc == 0) {
        canonical(XXH3_128bits_digest(st), out);
        if (size) *size = total;
    }
    int e = errno;
    XXH3_freeState(st);
    free(buf);
    errno = e;
    return rc;
}

int mq_hash_file(const char *path, mq_hash128 *out, uint64_t *size, char *err, size_t errlen) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return -1;
    }
    int rc = mq_hash_fd(fd, out, size);
    if (rc != 0) snprintf(err, errlen, "cannot read: %s", strerror(errno));
    close(fd);
    return rc;
}

void mq_hash_hex(const mq_hash128 *h, char hex[MQ_HASH_HEXLEN]) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < MQ_HASH_LEN; i++) {
        hex[2 * i] = digits[h->b[i] >> 4];
        hex[2 * i + 1] = digits[h->b[i] & 15];
    }
    hex[2 * MQ_HASH_LEN] = 0;
}
