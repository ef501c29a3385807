/* oggfix.c -- rewrite Ogg page serial numbers and checksums (see oggfix.h). */
#include "oggfix.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OGG_HEADER 27
#define OGG_MAX_PAGE (OGG_HEADER + 255 + 255 * 255)

/* Ogg's CRC-32: polynomial 0x04c11db7, no reflection, initial value and final xor 0. */
static uint32_t ogg_crc(const uint32_t table[256], const unsigned char *p, size_t n) {
    uint32_t crc = 0;
    for (size_t i = 0; i < n; i++)
        crc = (crc << 8) ^ table[((crc >> 24) ^ p[i]) & 0xff];
    return crc;
}

static void crc_table(uint32_t table[256]) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t r = i << 24;
        for (int k = 0; k < 8; k++)
            r = (r & 0x80000000u) ? (r << 1) ^ 0x04c11db7u : r << 1;
        table[i] = r;
    }
}

static void put_le32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16), p[3] = (unsigned char)(v >> 24);
}

int oggfix_serial(const char *path, uint32_t serial, char *err, size_t errlen) {
    uint32_t table[256];
    crc_table(table);
    unsigned char *page = malloc(OGG_MAX_PAGE);
    if (!page) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    FILE *f = fopen(path, "r+b");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        free(page);
        return -1;
    }
    int rc = 0, pages = 0;
    long off = 0;
    for (;;) {
        if (fseek(f, off, SEEK_SET) != 0)
            goto io_error;
        size_t got = fread(page, 1, OGG_HEADER, f);
        if (got == 0 && feof(f))
            break;
        if (got != OGG_HEADER || memcmp(page, "OggS", 4) != 0) {
            snprintf(err, errlen, "%s: not a valid Ogg page at byte %ld", path, off);
            rc = -1;
            break;
        }
        int nseg = page[26];
        if (fread(page + OGG_HEADER, 1, (size_t)nseg, f) != (size_t)nseg)
            goto io_error;
        size_t body = 0;
        for (int i = 0; i < nseg; i++)
            body += page[OGG_HEADER + i];
        if (fread(page + OGG_HEADER + nseg, 1, body, f) != body)
            goto io_error;
        size_t len = OGG_HEADER + (size_t)nseg + body;
        put_le32(page + 14, serial);
        put_le32(page + 22, 0);
        put_le32(page + 22, ogg_crc(table, page, len));
        if (fseek(f, off, SEEK_SET) != 0 || fwrite(page, 1, OGG_HEADER, f) != OGG_HEADER)
            goto io_error;
        off += (long)len;
        pages++;
    }
    if (rc == 0 && pages == 0) {
        snprintf(err, errlen, "%s: no Ogg pages", path);
        rc = -1;
    }
    if (fclose(f) != 0 && rc == 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    free(page);
    return rc;

io_error:
    snprintf(err, errlen, "%s: read/write error while fixing Ogg pages", path);
    fclose(f);
    free(page);
    return -1;
}
