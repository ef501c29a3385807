/* Unit tests of common/hash.c: streaming XXH3-128 of files equals the one-shot hash. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "audio_util.h"
#include "common/hash.h"

static char dir[512];
static void setup(void) { tmpdir_make(dir, sizeof dir); }
TestSuite(hash, .init = setup);

Test(hash, empty_input_has_the_published_value) {
    mq_hash128 h;
    char hex[MQ_HASH_HEXLEN];
    mq_hash_bytes("", 0, &h);
    mq_hash_hex(&h, hex);
    /* XXH3_128bits of no bytes, seed 0, in canonical (big-endian) order. */
    cr_assert_str_eq(hex, "99aa06d3014798d86001c324468d497f");
}

Test(hash, streamed_file_equals_one_shot_across_chunk_boundaries) {
    /* Larger than the read chunk and not a multiple of it. */
    size_t n = (1u << 20) * 3 + 17;
    unsigned char *buf = malloc(n);
    cr_assert_not_null(buf);
    for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)(i * 2654435761u >> 13);
    char path[600];
    snprintf(path, sizeof path, "%s/big.bin", dir);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(buf, 1, n, f), n);
    fclose(f);

    mq_hash128 a, b;
    uint64_t size = 0;
    char err[256];
    cr_assert_eq(mq_hash_file(path, &a, &size, err, sizeof err), 0, "%s", err);
    cr_assert_eq(size, n);
    mq_hash_bytes(buf, n, &b);
    cr_assert_eq(memcmp(a.b, b.b, MQ_HASH_LEN), 0);

    /* And the library's own one-shot hash, in canonical order. */
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits(buf, n));
    cr_assert_eq(memcmp(a.b, c.digest, MQ_HASH_LEN), 0);

    /* One byte changed changes the hash. */
    buf[n / 2] ^= 1;
    mq_hash_bytes(buf, n, &b);
    cr_assert_neq(memcmp(a.b, b.b, MQ_HASH_LEN), 0);
    free(buf);
}

Test(hash, fd_hashes_from_its_offset) {
    char path[600];
    snprintf(path, sizeof path, "%s/small.bin", dir);
    FILE *f = fopen(path, "wb");
    fputs("0123456789", f);
    fclose(f);
    int fd = open(path, O_RDONLY);
    cr_assert_geq(fd, 0);
    cr_assert_eq(lseek(fd, 4, SEEK_SET), 4);
    mq_hash128 a, b;
    uint64_t size;
    cr_assert_eq(mq_hash_fd(fd, &a, &size), 0);
    close(fd);
    cr_assert_eq(size, 6);
    mq_hash_bytes("456789", 6, &b);
    cr_assert_eq(memcmp(a.b, b.b, MQ_HASH_LEN), 0);
}

Test(hash, errors_are_reported) {
    mq_hash128 h;
    char err[256] = "";
    char path[600];
    snprintf(path, sizeof path, "%s/missing", dir);
    cr_assert_eq(mq_hash_file(path, &h, NULL, err, sizeof err), -1);
    cr_assert(strstr(err, "No such file"), "%s", err);
    /* A directory opens but cannot be read. */
    cr_assert_eq(mq_hash_file(dir, &h, NULL, err, sizeof err), -1);
    cr_assert(strstr(err, "cannot read"), "%s", err);
}

Test(hash, hex_is_lower_case_and_complete) {
    mq_hash128 h;
    for (int i = 0; i < MQ_HASH_LEN; i++) h.b[i] = (unsigned char)(i * 17);
    char hex[MQ_HASH_HEXLEN];
    mq_hash_hex(&h, hex);
    cr_assert_str_eq(hex, "00112233445566778899aabbccddeeff");
}
