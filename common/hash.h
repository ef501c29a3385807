/* hash.h -- the content hash of a track: 128-bit xxHash (XXH3-128) of a file's bytes.
 *
 * Files are hashed in a stream of fixed-size reads, so any size hashes in constant memory.
 * A hash is kept in xxHash's canonical (big-endian) byte order: the 16 bytes stored in
 * tracks.content_hash, and printed as 32 lower-case hex digits. */
#ifndef MQ_HASH_H
#define MQ_HASH_H

#include <stddef.h>
#include <stdint.h>

#define MQ_HASH_LEN 16
#define MQ_HASH_HEXLEN 33 /* 32 hex digits and a terminator */

typedef struct mq_hash128 {
    unsigned char b[MQ_HASH_LEN]; /* canonical byte order */
} mq_hash128;

/* Hashes the n bytes at p. */
void mq_hash_bytes(const void *p, size_t n, mq_hash128 *out);

/* Hashes everything readable from fd, from its current offset to the end. The number of
 * bytes hashed goes to *size if size is non-NULL. Returns 0, or -1 with errno set (ENOMEM
 * when the hash state cannot be allocated). */
int mq_hash_fd(int fd, mq_hash128 *out, uint64_t *size);

/* Opens path and hashes its content. Returns 0, or -1 with a message in err. */
int mq_hash_file(const char *path, mq_hash128 *out, uint64_t *size, char *err, size_t errlen);

/* Writes h as 32 lower-case hex digits and a terminator into hex. */
void mq_hash_hex(const mq_hash128 *h, char hex[MQ_HASH_HEXLEN]);

#endif
