/* rawtags.c -- bounded parsers for ID3v2, Vorbis comments, MP4 ilst and RIFF INFO
 * (see rawtags.h). Every read goes through pread with a length limit; every length field
 * read from the file is checked against the bytes actually present. */
#include "ingest/rawtags.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <unistd.h>

#include "ingest/buf.h"

#define MAX_ID3 (8u << 20)        /* ID3 tags beyond this (huge cover art) are cut */
#define MAX_BLOCK (4u << 20)      /* a FLAC metadata block or a RIFF INFO list */
#define MAX_OGG_HEAD (256u << 10) /* the start of an Ogg file searched for comments */
#define MAX_MOOV (32u << 20)      /* an MP4 moov atom */
#define MAX_CHUNKS 4096           /* RIFF/AIFF chunks or FLAC blocks visited */

/* Parser state: the result and a sticky out-of-memory flag. */
typedef struct rt {
    ig_rawtags *t;
    int fd;
    int oom;
} rt;

/* Reads exactly n bytes at off into a new buffer, or NULL (short file or no memory). */
static unsigned char *read_at(rt *r, off_t off, size_t n) {
    unsigned char *p = malloc(n ? n : 1);
    if (!p) {
        r->oom = 1;
        return NULL;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t k = pread(r->fd, p + got, n - got, off + (off_t)got);
        if (k <= 0) {
            free(p);
            return NULL;
        }
        got += (size_t)k;
    }
    return p;
}

/* Like read_at but accepts a short read: returns the bytes read in *got. */
static unsigned char *read_upto(rt *r, off_t off, size_t n, size_t *got) {
    unsigned char *p = malloc(n ? n : 1);
    if (!p) {
        r->oom = 1;
        return NULL;
    }
    *got = 0;
    while (*got < n) {
        ssize_t k = pread(r->fd, p + *got, n - *got, off + (off_t)*got);
        if (k <= 0) break;
        *got += (size_t)k;
    }
    return p;
}

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint32_t le32(const unsigned char *p) {
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static uint32_t syncsafe(const unsigned char *p) {
    return (uint32_t)(p[0] & 0x7F) << 21 | (uint32_t)(p[1] & 0x7F) << 14 |
           (uint32_t)(p[2] & 0x7F) << 7 | (p[3] & 0x7F);
}

/* Stores a copy of the n bytes at s into *field unless it is already set. */
static void set_field(rt *r, char **field, const char *s, size_t n) {
    if (*field || n == 0) return;
    /* A NUL ends the value (ID3v2.4 separates multiple values with NUL). */
    const char *nul = memchr(s, 0, n);
    if (nul) n = (size_t)(nul - s);
    if (!n) return;
    char *d = malloc(n + 1);
    if (!d) {
        r->oom = 1;
        return;
    }
    memcpy(d, s, n);
    d[n] = 0;
    *field = d;
}

/* The field of t that a tag key (Vorbis comment name, TXXX description, MP4 freeform
 * name) sets, or NULL. */
static char **field_for_key(ig_rawtags *t, const char *k, size_t n) {
    static const struct {
        const char *key;
        size_t off;
    } map[] = {
        {"TITLE", offsetof(ig_rawtags, title)},
        {"ARTIST", offsetof(ig_rawtags, artist)},
        {"ALBUM", offsetof(ig_rawtags, album)},
        {"ALBUMARTIST", offsetof(ig_rawtags, album_artist)},
        {"ALBUM ARTIST", offsetof(ig_rawtags, album_artist)},
        {"ALBUM_ARTIST", offsetof(ig_rawtags, album_artist)},
        {"GENRE", offsetof(ig_rawtags, genre)},
        {"DATE", offsetof(ig_rawtags, date)},
        {"YEAR", offsetof(ig_rawtags, date)},
        {"TRACKNUMBER", offsetof(ig_rawtags, track)},
        {"ISRC", offsetof(ig_rawtags, isrc)},
        {"BPM", offsetof(ig_rawtags, bpm)},
        {"TEMPO", offsetof(ig_rawtags, bpm)},
        {"INITIALKEY", offsetof(ig_rawtags, key)},
        {"INITIAL KEY", offsetof(ig_rawtags, key)},
        {"KEY", offsetof(ig_rawtags, key)},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i].key) == n && !strncasecmp(map[i].key, k, n))
            return (char **)((char *)t + map[i].off);
    return NULL;
}

/* ---- text decoding ---------------------------------------------------------------- */

static void put_utf8(ig_buf *b, uint32_t cp) {
    char o[4];
    if (cp < 0x80) {
        ig_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6)), o[1] = (char)(0x80 | (cp & 0x3F));
        ig_buf_put(b, o, 2);
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12)), o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        ig_buf_put(b, o, 3);
    } else {
        o[0] = (char)(0xF0 | (cp >> 18)), o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), o[3] = (char)(0x80 | (cp & 0x3F));
        ig_buf_put(b, o, 4);
    }
}

/* Decodes ID3 text of encoding enc (0 Latin-1, 1 UTF-16 with BOM, 2 UTF-16BE, 3 UTF-8)
 * up to its first NUL into b. Returns the bytes consumed including the terminator. */
static size_t id3_text(ig_buf *b, int enc, const unsigned char *p, size_t n) {
    size_t i = 0;
    if (enc == 0 || enc == 3) {
        while (i < n && p[i]) {
            if (enc == 0)
                put_utf8(b, p[i]);
            else
                ig_buf_putc(b, (char)p[i]);
            i++;
        }
        return i < n ? i + 1 : i;
    }
    int big = enc == 2;
    if (enc == 1 && n >= 2) {
        if (p[0] == 0xFE && p[1] == 0xFF)
            big = 1, i = 2;
        else if (p[0] == 0xFF && p[1] == 0xFE)
            big = 0, i = 2;
    }
    while (i + 1 < n) {
        uint32_t u = big ? (uint32_t)p[i] << 8 | p[i + 1] : (uint32_t)p[i + 1] << 8 | p[i];
        i += 2;
        if (u == 0) return i;
        if (u >= 0xD800 && u < 0xDC00 && i + 1 < n) {
            uint32_t lo = big ? (uint32_t)p[i] << 8 | p[i + 1] : (uint32_t)p[i + 1] << 8 | p[i];
            if (lo >= 0xDC00 && lo < 0xE000) {
                i += 2;
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            } else {
                u = 0xFFFD;
            }
        } else if (u >= 0xD800 && u < 0xE000) {
            u = 0xFFFD;
        }
        put_utf8(b, u);
    }
    return n;
}

/* ---- ID3v2 ------------------------------------------------------------------------ */

/* Frame ids of ID3v2.3/2.4 (4 chars) and 2.2 (3 chars) and the fields they set. */
static char **id3_field(ig_rawtags *t, const char *id, int v22) {
    static const struct {
        const char *v23, *v22;
        size_t off;
    } map[] = {
        {"TIT2", "TT2", offsetof(ig_rawtags, title)},
        {"TPE1", "TP1", offsetof(ig_rawtags, artist)},
        {"TALB", "TAL", offsetof(ig_rawtags, album)},
        {"TPE2", "TP2", offsetof(ig_rawtags, album_artist)},
        {"TCON", "TCO", offsetof(ig_rawtags, genre)},
        {"TDRC", "TYE", offsetof(ig_rawtags, date)},
        {"TYER", "TYE", offsetof(ig_rawtags, date)},
        {"TRCK", "TRK", offsetof(ig_rawtags, track)},
        {"TSRC", "TRC", offsetof(ig_rawtags, isrc)},
        {"TBPM", "TBP", offsetof(ig_rawtags, bpm)},
        {"TKEY", "TKE", offsetof(ig_rawtags, key)},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!memcmp(id, v22 ? map[i].v22 : map[i].v23, v22 ? 3 : 4))
            return (char **)((char *)t + map[i].off);
    return NULL;
}

/* Removes ID3 unsynchronisation (FF 00 -> FF) in place; returns the new length. */
static size_t unsync(unsigned char *p, size_t n) {
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        p[o++] = p[i];
        if (p[i] == 0xFF && i + 1 < n && p[i + 1] == 0) i++;
    }
    return o;
}

/* One text frame (or TXXX) of payload p[0..n). */
static void id3_frame(rt *r, const char *id, int v22, unsigned char *p, size_t n) {
    if (n < 2) return;
    int enc = p[0];
    if (enc > 3) return;
    int txxx = v22 ? !memcmp(id, "TXX", 3) : !memcmp(id, "TXXX", 4);
    char **field = txxx ? NULL : id3_field(r->t, id, v22);
    if (!txxx && !field) return;
    ig_buf b = {0};
    size_t used = 0;
    if (txxx) {
        used = id3_text(&b, enc, p + 1, n - 1);
        if (b.oom) {
            r->oom = 1;
            ig_buf_free(&b);
            return;
        }
        field = b.p ? field_for_key(r->t, b.p, b.len) : NULL;
        ig_buf_reset(&b);
        if (!field) {
            ig_buf_free(&b);
            return;
        }
    }
    id3_text(&b, enc, p + 1 + used, n - 1 - used);
    if (b.oom)
        r->oom = 1;
    else if (b.p)
        set_field(r, field, b.p, b.len);
    ig_buf_free(&b);
}

/* Parses an ID3v2 tag held in tag[0..n) (header included). */
static void id3_parse(rt *r, unsigned char *tag, size_t n) {
    if (n < 10 || memcmp(tag, "ID3", 3)) return;
    int ver = tag[3], flags = tag[5];
    if (ver < 2 || ver > 4) return;
    int v22 = ver == 2;
    unsigned char *p = tag + 10;
    size_t len = n - 10;
    if ((flags & 0x80) && ver < 4) len = unsync(p, len);
    if ((flags & 0x40) && !v22) { /* extended header */
        if (len < 4) return;
        size_t ext = ver == 4 ? syncsafe(p) : be32(p) + 4;
        if (ext > len) return;
        p += ext, len -= ext;
    }
    size_t hdr = v22 ? 6 : 10;
    while (len >= hdr && !r->oom) {
        if (p[0] == 0) break; /* padding */
        char id[5] = {0};
        memcpy(id, p, v22 ? 3 : 4);
        size_t fsize;
        int fflags = 0;
        if (v22) {
            fsize = (size_t)p[3] << 16 | (size_t)p[4] << 8 | p[5];
        } else {
            int plain = ver == 3 || (p[4] | p[5] | p[6] | p[7]) & 0x80;
            fsize = plain ? be32(p + 4) : syncsafe(p + 4);
            fflags = p[9];
        }
        p += hdr, len -= hdr;
        if (fsize > len) break;
        unsigned char *f = p;
        size_t fn = fsize;
        p += fsize, len -= fsize;
        if (ver == 3) {
            if (fflags & 0xC0) continue; /* compressed or encrypted */
            if (fflags & 0x20) {         /* grouping identity */
                if (fn < 1) continue;
                f++, fn--;
            }
        } else if (ver == 4) {
            if (fflags & 0x0C) continue; /* compressed or encrypted */
            if (fflags & 0x40) {
                if (fn < 1) continue;
                f++, fn--;
            }
            if (fflags & 0x01) {
                if (fn < 4) continue;
                f += 4, fn -= 4;
            }
            if (fflags & 0x02) fn = unsync(f, fn);
        }
        id3_frame(r, id, v22, f, fn);
    }
}

/* Reads and parses the ID3v2 tag at off, if there is one. Returns its total size (0
 * when none). */
static uint64_t id3_at(rt *r, off_t off) {
    unsigned char h[10];
    if (pread(r->fd, h, 10, off) != 10 || memcmp(h, "ID3", 3) || h[3] < 2 || h[3] > 4) return 0;
    uint64_t size = (uint64_t)syncsafe(h + 6) + 10 + ((h[5] & 0x10) ? 10 : 0);
    size_t want = size > MAX_ID3 ? MAX_ID3 : (size_t)size;
    size_t got;
    unsigned char *tag = read_upto(r, off, want, &got);
    if (tag) {
        id3_parse(r, tag, got);
        free(tag);
    }
    return size;
}

/* ---- Vorbis comments --------------------------------------------------------------- */

/* Parses a Vorbis comment block (vendor string, count, KEY=value entries). */
static void vorbis_comments(rt *r, const unsigned char *p, size_t n) {
    if (n < 8) return;
    uint32_t vlen = le32(p);
    if (vlen > n - 8) return;
    size_t i = 4 + vlen;
    uint32_t count = le32(p + i);
    i += 4;
    for (uint32_t c = 0; c < count && i + 4 <= n && !r->oom; c++) {
        uint32_t len = le32(p + i);
        i += 4;
        if (len > n - i) return;
        const char *e = (const char *)p + i;
        const char *eq = memchr(e, '=', len);
        if (eq) {
            char **field = field_for_key(r->t, e, (size_t)(eq - e));
            if (field) set_field(r, field, eq + 1, len - (size_t)(eq - e) - 1);
        }
        i += len;
    }
}

/* ---- FLAC -------------------------------------------------------------------------- */

static void flac_blocks(rt *r, off_t off) {
    unsigned char h[4];
    if (pread(r->fd, h, 4, off) != 4 || memcmp(h, "fLaC", 4)) return;
    off += 4;
    for (int i = 0; i < MAX_CHUNKS && !r->oom; i++) {
        if (pread(r->fd, h, 4, off) != 4) return;
        int last = h[0] & 0x80, type = h[0] & 0x7F;
        uint32_t len = (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
        off += 4;
        if (type == 4 && len <= MAX_BLOCK) {
            unsigned char *b = read_at(r, off, len);
            if (b) {
                vorbis_comments(r, b, len);
                free(b);
            }
            return;
        }
        if (last || type == 127) return;
        off += len;
    }
}

/* ---- Ogg --------------------------------------------------------------------------- */

/* Assembles the second packet of the first logical stream (the comment header) from the
 * pages at the start of the file, and parses it. */
static void ogg_comments(rt *r) {
    size_t n;
    unsigned char *d = read_upto(r, 0, MAX_OGG_HEAD, &n);
    if (!d) return;
    ig_buf pkt = {0};
    int packet = 0; /* index of the packet being assembled */
    uint32_t serial = 0;
    int have_serial = 0, done = 0;
    size_t pos = 0;
    while (!done && pos + 27 <= n && !memcmp(d + pos, "OggS", 4)) {
        int nseg = d[pos + 26];
        if (pos + 27 + (size_t)nseg > n) break;
        uint32_t s = le32(d + pos + 14);
        const unsigned char *seg = d + pos + 27;
        size_t body = pos + 27 + (size_t)nseg, blen = 0;
        for (int i = 0; i < nseg; i++) blen += seg[i];
        if (body + blen > n) break;
        if (!have_serial) serial = s, have_serial = 1;
        if (s == serial) {
            size_t at = body;
            for (int i = 0; i < nseg && !done; i++) {
                if (packet == 1) ig_buf_put(&pkt, d + at, seg[i]);
                at += seg[i];
                if (seg[i] < 255) { /* a packet ends here */
                    if (packet == 1) done = 1;
                    packet++;
                }
            }
        }
        pos = body + blen;
    }
    if (pkt.oom) r->oom = 1;
    /* A comment packet cut short (e.g. by embedded cover art) still yields the fields
     * before the cut: vorbis_comments stops at the first entry that overruns. */
    if (packet >= 1 && pkt.p) {
        const unsigned char *p = (const unsigned char *)pkt.p;
        if (pkt.len >= 7 && !memcmp(p, "\x03vorbis", 7))
            vorbis_comments(r, p + 7, pkt.len - 7);
        else if (pkt.len >= 8 && !memcmp(p, "OpusTags", 8))
            vorbis_comments(r, p + 8, pkt.len - 8);
        else if (pkt.len >= 4 && (p[0] & 0x7F) == 4) /* Ogg FLAC metadata block */
            vorbis_comments(r, p + 4, pkt.len - 4);
    }
    ig_buf_free(&pkt);
    free(d);
}

/* ---- MP4 --------------------------------------------------------------------------- */

/* Finds the child atom `type` inside p[0..n) (a sequence of atoms). Sets *body and *blen. */
static int mp4_child(const unsigned char *p, size_t n, const char *type, const unsigned char **body,
                     size_t *blen) {
    size_t i = 0;
    for (int k = 0; k < MAX_CHUNKS && i + 8 <= n; k++) {
        uint64_t size = be32(p + i);
        size_t hdr = 8;
        if (size == 1) {
            if (i + 16 > n) return 0;
            size = (uint64_t)be32(p + i + 8) << 32 | be32(p + i + 12);
            hdr = 16;
        } else if (size == 0) {
            size = n - i;
        }
        if (size < hdr || size > n - i) return 0;
        if (!memcmp(p + i + 4, type, 4)) {
            *body = p + i + hdr;
            *blen = (size_t)size - hdr;
            return 1;
        }
        i += (size_t)size;
    }
    return 0;
}

/* The payload of an ilst item's "data" atom (after its type and locale words). */
static int mp4_data(const unsigned char *item, size_t n, const unsigned char **v, size_t *vn,
                    uint32_t *type) {
    const unsigned char *d;
    size_t dn;
    if (!mp4_child(item, n, "data", &d, &dn) || dn < 8) return 0;
    *type = be32(d) & 0xFFFFFF;
    *v = d + 8;
    *vn = dn - 8;
    return 1;
}

static void mp4_item(rt *r, const unsigned char *type, const unsigned char *p, size_t n) {
    ig_rawtags *t = r->t;
    const unsigned char *v;
    size_t vn;
    uint32_t dt;
    char num[32];
    if (!memcmp(type, "----", 4)) {
        const unsigned char *name;
        size_t nn;
        if (!mp4_child(p, n, "name", &name, &nn) || nn < 4) return;
        char **field = field_for_key(t, (const char *)name + 4, nn - 4);
        if (field && mp4_data(p, n, &v, &vn, &dt)) set_field(r, field, (const char *)v, vn);
        return;
    }
    if (!mp4_data(p, n, &v, &vn, &dt)) return;
    static const struct {
        const char *atom;
        size_t off;
    } text[] = {
        {"\xa9nam", offsetof(ig_rawtags, title)},
        {"\xa9"
         "ART",
         offsetof(ig_rawtags, artist)},
        {"\xa9"
         "alb",
         offsetof(ig_rawtags, album)},
        {"aART", offsetof(ig_rawtags, album_artist)},
        {"\xa9gen", offsetof(ig_rawtags, genre)},
        {"\xa9"
         "day",
         offsetof(ig_rawtags, date)},
    };
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        if (!memcmp(type, text[i].atom, 4)) {
            if (dt == 1) set_field(r, (char **)((char *)t + text[i].off), (const char *)v, vn);
            return;
        }
    if (!memcmp(type, "tmpo", 4) && vn >= 2) {
        unsigned bpm = (unsigned)v[0] << 8 | v[1];
        if (bpm) {
            snprintf(num, sizeof num, "%u", bpm);
            set_field(r, &t->bpm, num, strlen(num));
        }
    } else if (!memcmp(type, "trkn", 4) && vn >= 4) {
        unsigned tr = (unsigned)v[2] << 8 | v[3];
        if (tr) {
            snprintf(num, sizeof num, "%u", tr);
            set_field(r, &t->track, num, strlen(num));
        }
    }
}

static void mp4_tags(rt *r) {
    off_t off = 0;
    unsigned char h[16];
    for (int k = 0; k < MAX_CHUNKS; k++) {
        if (pread(r->fd, h, 16, off) < 8) return;
        uint64_t size = be32(h);
        size_t hdr = 8;
        if (size == 1) {
            size = (uint64_t)be32(h + 8) << 32 | be32(h + 12);
            hdr = 16;
        }
        if (size == 0 || size < hdr || size > ((uint64_t)1 << 50)) return;
        if (!memcmp(h + 4, "moov", 4)) {
            if (size - hdr > MAX_MOOV) return;
            size_t n = (size_t)(size - hdr);
            unsigned char *m = read_at(r, off + (off_t)hdr, n);
            if (!m) return;
            const unsigned char *udta, *meta, *ilst;
            size_t un, mn, in;
            if (mp4_child(m, n, "udta", &udta, &un) && mp4_child(udta, un, "meta", &meta, &mn)) {
                /* meta is a full box (4 bytes of version/flags) in MP4, not in QuickTime. */
                if (mn >= 12 && be32(meta) == 0) meta += 4, mn -= 4;
                if (mp4_child(meta, mn, "ilst", &ilst, &in)) {
                    size_t i = 0;
                    for (int c = 0; c < MAX_CHUNKS && i + 8 <= in && !r->oom; c++) {
                        uint32_t isz = be32(ilst + i);
                        if (isz < 8 || isz > in - i) break;
                        mp4_item(r, ilst + i + 4, ilst + i + 8, isz - 8);
                        i += isz;
                    }
                }
            }
            free(m);
            return;
        }
        off += (off_t)size;
    }
}

/* ---- RIFF / AIFF ------------------------------------------------------------------- */

static void riff_info(rt *r, const unsigned char *p, size_t n) {
    static const struct {
        const char *id;
        size_t off;
    } map[] = {
        {"INAM", offsetof(ig_rawtags, title)}, {"IART", offsetof(ig_rawtags, artist)},
        {"IPRD", offsetof(ig_rawtags, album)}, {"IGNR", offsetof(ig_rawtags, genre)},
        {"ICRD", offsetof(ig_rawtags, date)},  {"ITRK", offsetof(ig_rawtags, track)},
        {"IPRT", offsetof(ig_rawtags, track)},
    };
    size_t i = 0;
    while (i + 8 <= n && !r->oom) {
        uint32_t len = le32(p + i + 4);
        if (len > n - i - 8) return;
        for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
            if (!memcmp(p + i, map[k].id, 4))
                set_field(r, (char **)((char *)r->t + map[k].off), (const char *)p + i + 8, len);
        i += 8 + len + (len & 1);
    }
}

/* Walks the chunks of a RIFF (little-endian sizes) or AIFF (big-endian) file for an ID3
 * chunk and, in RIFF, a LIST/INFO chunk. */
static void chunks(rt *r, int big_endian) {
    off_t off = 12;
    unsigned char h[12];
    for (int k = 0; k < MAX_CHUNKS && !r->oom; k++) {
        if (pread(r->fd, h, 12, off) < 8) return;
        uint32_t len = big_endian ? be32(h + 4) : le32(h + 4);
        if (!memcmp(h, "id3 ", 4) || !memcmp(h, "ID3 ", 4)) {
            id3_at(r, off + 8);
        } else if (!big_endian && !memcmp(h, "LIST", 4) && !memcmp(h + 8, "INFO", 4) && len >= 4 &&
                   len <= MAX_BLOCK) {
            unsigned char *b = read_at(r, off + 12, len - 4);
            if (b) {
                riff_info(r, b, len - 4);
                free(b);
            }
        }
        off += 8 + (off_t)len + (len & 1);
    }
}

int ig_rawtags_read(int fd, const char *format, ig_rawtags *out) {
    rt r = {out, fd, 0};
    if (!format) return 0;
    if (!strcmp(format, "mp3") || !strcmp(format, "aac")) {
        id3_at(&r, 0);
    } else if (!strcmp(format, "flac")) {
        unsigned char h[4];
        uint64_t skip = id3_at(&r, 0); /* some taggers put ID3 before fLaC */
        if (pread(fd, h, 4, 0) == 4 && !memcmp(h, "OggS", 4))
            ogg_comments(&r);
        else
            flac_blocks(&r, (off_t)skip);
    } else if (!strcmp(format, "ogg") || !strcmp(format, "opus")) {
        ogg_comments(&r);
    } else if (!strcmp(format, "m4a")) {
        mp4_tags(&r);
    } else if (!strcmp(format, "wav") || !strcmp(format, "rf64")) {
        chunks(&r, 0);
    } else if (!strcmp(format, "aiff")) {
        chunks(&r, 1);
    }
    return r.oom ? -1 : 0;
}

void ig_rawtags_free(ig_rawtags *t) {
    free(t->title), free(t->artist), free(t->album), free(t->album_artist), free(t->genre);
    free(t->date), free(t->track), free(t->isrc), free(t->bpm), free(t->key);
    memset(t, 0, sizeof *t);
}
