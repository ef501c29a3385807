/* Unit tests of the bounded tag parsers (ingest/rawtags.c) and the inotify watch map
 * (ingest/wdmap.c). The parsers get well-formed tags of each format, then every
 * truncation and many corruptions of them: fewer fields, never a crash. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/buf.c"
#include "ingest/rawtags.c"
#include "ingest/wdmap.c"

/* An anonymous file holding n bytes of p. */
static int mem_file(const void *p, size_t n) {
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    if (n) cr_assert_eq(fwrite(p, 1, n, f), n);
    fflush(f);
    int fd = dup(fileno(f));
    fclose(f);
    return fd;
}

static void parse(const void *p, size_t n, const char *format, ig_rawtags *t) {
    memset(t, 0, sizeof *t);
    int fd = mem_file(p, n);
    cr_assert_eq(ig_rawtags_read(fd, format, t), 0);
    close(fd);
}

static size_t put_syncsafe(unsigned char *o, uint32_t v) {
    o[0] = (v >> 21) & 0x7F, o[1] = (v >> 14) & 0x7F, o[2] = (v >> 7) & 0x7F, o[3] = v & 0x7F;
    return 4;
}

/* An ID3v2.4 tag with UTF-8 frames, a UTF-16 TPE2 and a TXXX:INITIALKEY. */
static size_t make_id3(unsigned char *o) {
    unsigned char fr[512];
    size_t n = 0;
    struct {
        const char *id;
        const char *text;
        size_t len;
        int enc;
    } f[] = {{"TIT2", "Title", 5, 3},
             {"TSRC", "GBABC1100001", 12, 3},
             {"TBPM", "128", 3, 0},
             {"TPE2",
              "\xff\xfe"
              "A\0r\0t\0",
              8, 1},
             {"TXXX",
              "INITIALKEY\0"
              "8A",
              13, 3}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        memcpy(fr + n, f[i].id, 4);
        put_syncsafe(fr + n + 4, (uint32_t)(f[i].len + 1));
        fr[n + 8] = fr[n + 9] = 0;
        fr[n + 10] = (unsigned char)f[i].enc;
        memcpy(fr + n + 11, f[i].text, f[i].len);
        n += 11 + f[i].len;
    }
    memcpy(o, "ID3\x04\x00\x00", 6);
    put_syncsafe(o + 6, (uint32_t)n);
    memcpy(o + 10, fr, n);
    return 10 + n;
}

Test(ingest_rawtags, id3v24_fields) {
    unsigned char tag[600];
    size_t n = make_id3(tag);
    ig_rawtags t;
    parse(tag, n, "mp3", &t);
    cr_assert_str_eq(t.title, "Title");
    cr_assert_str_eq(t.isrc, "GBABC1100001");
    cr_assert_str_eq(t.bpm, "128");
    cr_assert_str_eq(t.album_artist, "Art");
    cr_assert_str_eq(t.key, "8A");
    ig_rawtags_free(&t);
}

/* A FLAC stream header with a Vorbis comment block. */
static size_t make_flac(unsigned char *o) {
    const char *c[] = {"ALBUMARTIST=AA", "ISRC=USRC17607839", "BPM=97.5", "INITIALKEY=Am",
                       "NOEQUALS"};
    unsigned char vc[512];
    size_t n = 0;
    memcpy(vc, "\x04\0\0\0test", 8), n = 8;
    uint32_t cnt = 5;
    memcpy(vc + n, &cnt, 4), n += 4; /* little-endian hosts only, as the format */
    for (int i = 0; i < 5; i++) {
        uint32_t l = (uint32_t)strlen(c[i]);
        memcpy(vc + n, &l, 4), n += 4;
        memcpy(vc + n, c[i], l), n += l;
    }
    memcpy(o, "fLaC", 4);
    o[4] = 0x00, o[5] = 0, o[6] = 0, o[7] = 34; /* STREAMINFO */
    memset(o + 8, 0, 34);
    o[42] = 0x84, o[43] = 0, o[44] = (unsigned char)(n >> 8), o[45] = (unsigned char)n;
    memcpy(o + 46, vc, n);
    return 46 + n;
}

Test(ingest_rawtags, flac_vorbis_comments) {
    unsigned char f[600];
    size_t n = make_flac(f);
    ig_rawtags t;
    parse(f, n, "flac", &t);
    cr_assert_str_eq(t.album_artist, "AA");
    cr_assert_str_eq(t.isrc, "USRC17607839");
    cr_assert_str_eq(t.bpm, "97.5");
    cr_assert_str_eq(t.key, "Am");
    ig_rawtags_free(&t);
}

static size_t atom(unsigned char *o, const char *type, const void *body, size_t n) {
    uint32_t size = (uint32_t)(n + 8);
    o[0] = (unsigned char)(size >> 24), o[1] = (unsigned char)(size >> 16);
    o[2] = (unsigned char)(size >> 8), o[3] = (unsigned char)size;
    memcpy(o + 4, type, 4);
    if (n) memcpy(o + 8, body, n);
    return n + 8;
}

/* An item atom holding one data atom of type dt. */
static size_t item(unsigned char *o, const char *type, uint32_t dt, const void *v, size_t n) {
    unsigned char d[256];
    d[0] = 0, d[1] = 0, d[2] = 0, d[3] = (unsigned char)dt;
    memset(d + 4, 0, 4);
    memcpy(d + 8, v, n);
    unsigned char da[300];
    size_t dn = atom(da, "data", d, n + 8);
    return atom(o, type, da, dn);
}

static size_t make_m4a(unsigned char *o) {
    unsigned char ilst[1024], tmp[1024];
    size_t n = 0;
    n += item(ilst + n, "aART", 1, "Album Artist", 12);
    n += item(ilst + n, "tmpo", 21, "\x00\x7c", 2);
    n += item(ilst + n, "trkn", 0, "\0\0\0\x05\0\x0c\0\0", 8);
    unsigned char ff[512];
    size_t fn = 0;
    fn += atom(ff + fn, "mean", "\0\0\0\0com.apple.iTunes", 20);
    fn += atom(ff + fn, "name", "\0\0\0\0ISRC", 8);
    unsigned char d[64] = {0, 0, 0, 1, 0, 0, 0, 0};
    memcpy(d + 8, "FRXXX2400001", 12);
    fn += atom(ff + fn, "data", d, 20);
    n += atom(ilst + n, "----", ff, fn);
    size_t m = atom(tmp, "ilst", ilst, n);
    unsigned char meta[1100];
    memset(meta, 0, 4); /* full box: version and flags */
    memcpy(meta + 4, tmp, m);
    size_t k = atom(tmp, "meta", meta, m + 4);
    unsigned char udta[1200];
    size_t u = atom(udta, "udta", tmp, k);
    size_t off = atom(o, "ftyp", "M4A \0\0\0\0", 8);
    off += atom(o + off, "mdat", "xxxx", 4);
    off += atom(o + off, "moov", udta, u);
    return off;
}

Test(ingest_rawtags, mp4_ilst_items) {
    unsigned char f[2048];
    size_t n = make_m4a(f);
    ig_rawtags t;
    parse(f, n, "m4a", &t);
    cr_assert_str_eq(t.album_artist, "Album Artist");
    cr_assert_str_eq(t.bpm, "124");
    cr_assert_str_eq(t.track, "5");
    cr_assert_str_eq(t.isrc, "FRXXX2400001");
    ig_rawtags_free(&t);
}

/* Every truncation and a few thousand byte flips of each tag: no crash, no leak. */
Test(ingest_rawtags, truncated_and_corrupted_tags) {
    unsigned char buf[3][2048];
    size_t len[3] = {make_id3(buf[0]), make_flac(buf[1]), make_m4a(buf[2])};
    const char *fmt[3] = {"mp3", "flac", "m4a"};
    unsigned seed = 12345;
    for (int k = 0; k < 3; k++) {
        for (size_t cut = 0; cut <= len[k]; cut++) {
            ig_rawtags t;
            parse(buf[k], cut, fmt[k], &t);
            ig_rawtags_free(&t);
        }
        for (int round = 0; round < 600; round++) {
            unsigned char c[2048];
            memcpy(c, buf[k], len[k]);
            for (int flips = 0; flips < 3; flips++) {
                seed = seed * 1103515245u + 12345u;
                c[(seed >> 8) % len[k]] = (unsigned char)(seed >> 20);
            }
            ig_rawtags t;
            parse(c, len[k], fmt[k], &t);
            ig_rawtags_free(&t);
        }
    }
}

Test(ingest_wdmap, matches_a_reference_under_churn) {
    ig_wdmap *m = ig_wdmap_new();
    char *ref[4096] = {0};
    unsigned seed = 7;
    for (int op = 0; op < 40000; op++) {
        seed = seed * 1103515245u + 12345u;
        int wd = (int)((seed >> 8) % 4096);
        if ((seed >> 4) & 1) {
            char p[32];
            snprintf(p, sizeof p, "/d/%d/%d", wd, op);
            cr_assert_eq(ig_wdmap_set(m, wd, p), 0);
            free(ref[wd]);
            ref[wd] = strdup(p);
        } else {
            ig_wdmap_remove(m, wd);
            free(ref[wd]);
            ref[wd] = NULL;
        }
    }
    size_t live = 0;
    for (int wd = 0; wd < 4096; wd++) {
        const char *got = ig_wdmap_get(m, wd);
        if (ref[wd]) {
            live++;
            cr_assert(got && !strcmp(got, ref[wd]), "wd %d", wd);
        } else {
            cr_assert_null(got, "wd %d", wd);
        }
        free(ref[wd]);
    }
    cr_assert_eq(ig_wdmap_count(m), live);
    ig_wdmap_del(m);
}
