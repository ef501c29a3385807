/* Unit tests of ingest's pure helpers: text cleaning and matching keys (text.c), audio
 * sniffing (sniff.c), PostgreSQL array literals (sqlarr.c), the path index (pathidx.c)
 * and the pending-file set (pending.c). ingest/ builds no library, so the sources are
 * included here. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/buf.c"
#include "ingest/pathidx.c"
#include "ingest/pending.c"
#include "ingest/sniff.c"
#include "ingest/sqlarr.c"
#include "ingest/text.c"

static void key_is(char *(*fn)(const char *), const char *in, const char *want) {
    char *k = fn(in);
    cr_assert_not_null(k);
    cr_assert_str_eq(k, want, "key of \"%s\"", in);
    free(k);
}

Test(ingest_text, clean_makes_valid_trimmed_utf8) {
    char *c = ig_text_clean("  caf\xc3\xa9 \xff\x01x \t", 12, 1);
    cr_assert_str_eq(c, "caf\xc3\xa9 \xef\xbf\xbd x");
    free(c);
    cr_assert_null(ig_text_clean(" \t ", 3, 1), "blank is NULL when asked");
    c = ig_text_clean("", 0, 0);
    cr_assert_str_eq(c, "");
    free(c);
}

Test(ingest_text, title_keys_drop_edition_notes) {
    key_is(ig_text_title_key, "Song (feat. X) [2011 Remaster]", "song");
    key_is(ig_text_title_key, "Song - Radio Edit", "song");
    key_is(ig_text_title_key, "Song - 2011 Remastered Version", "song");
    key_is(ig_text_title_key, "Don't Stop Me Now", "dont stop me now");
    key_is(ig_text_title_key,
           "S\xc3\xb3ng \xc3\x9c"
           "ber Stra\xc3\x9f"
           "e",
           "song uber strasse");
    key_is(ig_text_title_key, "Rock & Roll", "rock and roll");
    key_is(ig_text_title_key, "Part 1 (Intro)", "part 1 intro");
    key_is(ig_text_title_key, "Mixed Up (Dub Mix)", "mixed up");
    key_is(ig_text_title_key, "\xe5\xa4\x9c\xe3\x81\xab\xe9\xa7\x86\xe3\x81\x91\xe3\x82\x8b",
           "\xe5\xa4\x9c\xe3\x81\xab\xe9\xa7\x86\xe3\x81\x91\xe3\x82\x8b");
}

Test(ingest_text, artist_keys_keep_the_first_artist) {
    key_is(ig_text_artist_key, "Artist 3 feat. Someone", "artist 3");
    key_is(ig_text_artist_key, "Beyonc\xc3\xa9 & Jay-Z", "beyonce");
    key_is(ig_text_artist_key, "A, B", "a");
    key_is(ig_text_artist_key, "AC/DC", "ac dc");
    key_is(ig_text_artist_key, "\xc3\x81rtist 4", "artist 4");
}

Test(ingest_text, isrc_canonical_form) {
    char out[13];
    cr_assert_eq(ig_text_isrc("gb-abc-11-00001", out), 0);
    cr_assert_str_eq(out, "GBABC1100001");
    cr_assert_eq(ig_text_isrc("GBABC1100001X", out), -1, "too long");
    cr_assert_eq(ig_text_isrc("GBABC11000A1", out), -1, "letters in the designation");
    cr_assert_eq(ig_text_isrc("", out), -1);
}

Test(ingest_text, display_and_hex_of_paths) {
    char *d = ig_text_display("/m/\xff-\xc3\xa9", 7);
    cr_assert_str_eq(d, "/m/\xc3\xbf-\xc3\xa9");
    free(d);
    char *h = ig_text_hex("\x00\xff", 2);
    cr_assert_str_eq(h, "00ff");
    free(h);
}

Test(ingest_sniff, extensions) {
    cr_assert_eq(ig_sniff_ext("a.FLAC"), IG_EXT_AUDIO);
    cr_assert_eq(ig_sniff_ext("cover.jpg"), IG_EXT_OTHER);
    cr_assert_eq(ig_sniff_ext("noext"), IG_EXT_UNKNOWN);
    cr_assert_eq(ig_sniff_ext(".hidden"), IG_EXT_UNKNOWN);
    cr_assert_eq(ig_sniff_ext("x.weird"), IG_EXT_UNKNOWN);
}

Test(ingest_sniff, signatures) {
    unsigned char h[64];
    memset(h, 0, sizeof h);
    memcpy(h, "RIFF\0\0\0\0WAVE", 12);
    cr_assert_str_eq(ig_sniff_content(h, 64, 0), "wav");
    memcpy(h, "FORM\0\0\0\0AIFC", 12);
    cr_assert_str_eq(ig_sniff_content(h, 64, 0), "aiff");
    memcpy(h, "fLaC", 4);
    cr_assert_str_eq(ig_sniff_content(h, 64, 0), "flac");
    memset(h, 0, sizeof h);
    memcpy(h, "OggS", 4);
    memcpy(h + 28, "OpusHead", 8);
    cr_assert_str_eq(ig_sniff_content(h, 64, 0), "opus");
    memcpy(h + 28, "\x01vorbis", 7);
    cr_assert_str_eq(ig_sniff_content(h, 64, 0), "ogg");
    memcpy(h + 28, "\x80theora", 7);
    cr_assert_null(ig_sniff_content(h, 64, 1), "Ogg video is not audio");
    memset(h, 0, sizeof h);
    memcpy(h, "ID3\x04", 4);
    cr_assert_str_eq(ig_sniff_content(h, 64, 0), "mp3");
    memcpy(h,
           "\0\0\0\x20"
           "ftypM4A ",
           12);
    cr_assert_str_eq(ig_sniff_content(h, 64, 0), "m4a");
    memcpy(h,
           "\0\0\0\x20"
           "ftypisom",
           12);
    cr_assert_null(ig_sniff_content(h, 64, 0), "a generic MP4 needs an audio extension");
    cr_assert_str_eq(ig_sniff_content(h, 64, 1), "m4a");
    memset(h, 0, sizeof h);
    memcpy(h, "\xff\xfb\x90\x64", 4); /* MPEG-1 layer III, 128 kbit/s, 44.1 kHz */
    cr_assert_null(ig_sniff_content(h, 64, 0), "a raw MPEG frame needs an .mp3 name");
    cr_assert_str_eq(ig_sniff_content(h, 64, 1), "mp3");
    cr_assert_null(ig_sniff_content((const unsigned char *)"just text\n", 10, 1));
    cr_assert_null(ig_sniff_content(h, 0, 1), "empty file");
}

Test(ingest_sqlarr, literals_escape_everything) {
    ig_arr a = {0};
    cr_assert_str_eq(ig_arr_str(&a), "{}");
    ig_arr_text(&a, "a\"b\\c");
    ig_arr_text(&a, NULL);
    ig_arr_text(&a, "NULL");
    cr_assert_str_eq(ig_arr_str(&a), "{\"a\\\"b\\\\c\",NULL,\"NULL\"}");
    ig_arr_reset(&a);
    ig_arr_bytea(&a, "\x00/\xff", 3);
    ig_arr_real(&a, NAN);
    cr_assert_str_eq(ig_arr_str(&a), "{\"\\\\x002fff\",NULL}");
    ig_arr_int8(&a, -5);
    cr_assert_str_eq(ig_arr_str(&a), "{\"\\\\x002fff\",NULL,-5}", "appends continue after str");
    ig_arr_free(&a);
}

Test(ingest_pathidx, many_binary_keys) {
    ig_pathidx *x = ig_pathidx_new();
    char key[32];
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(key, sizeof key, "/m/%d", i);
        key[2] = (char)(i & 1 ? 0 : 0xff); /* NUL and non-UTF-8 bytes inside keys */
        ig_pathent *e = ig_pathidx_add(x, key, (size_t)n);
        cr_assert_not_null(e);
        e->track_id = i;
    }
    cr_assert_eq(ig_pathidx_count(x), 20000);
    for (int i = 0; i < 20000; i += 7) {
        int n = snprintf(key, sizeof key, "/m/%d", i);
        key[2] = (char)(i & 1 ? 0 : 0xff);
        ig_pathent *e = ig_pathidx_get(x, key, (size_t)n);
        cr_assert(e && e->track_id == i);
        cr_assert_eq(ig_pathidx_add(x, key, (size_t)n), e, "adding again returns the entry");
    }
    cr_assert_null(ig_pathidx_get(x, "/m/", 3));
    ig_pathidx_del(x);
}

static int take_due(ig_pending_ent *e, void *ud) {
    int *n = ud;
    (*n)++;
    return strstr(e->path, "keep") ? 0 : 1;
}

Test(ingest_pending, due_drop_rename) {
    ig_pending *p = ig_pending_new();
    for (int i = 0; i < 300; i++) {
        char path[64];
        snprintf(path, sizeof path, "/w/d%d/f%d.wav", i % 3, i);
        cr_assert_not_null(ig_pending_touch(p, path, 0, 0.0, 1.0));
    }
    ig_pending_touch(p, "/w/d0/f0.wav", 1, 0.0, 5.0); /* pushed back */
    cr_assert_eq(ig_pending_count(p), 300);
    ig_pending_drop(p, "/w/d1", 1);
    cr_assert_eq(ig_pending_count(p), 200);
    cr_assert_eq(ig_pending_rename(p, "/w/d2", "/w/keep", 1), 0);
    int n = 0;
    cr_assert_eq(ig_pending_run(p, 0.5, take_due, &n), 200);
    cr_assert_eq(n, 0, "nothing is due yet");
    cr_assert_eq(ig_pending_run(p, 2.0, take_due, &n), 101, "d0 taken but the pushed-back one");
    cr_assert_float_eq(ig_pending_next(p), 1.0, 1e-9);
    ig_pending_ent *e = ig_pending_touch(p, "/w/keep/f2.wav", -1, 10.0, 1.0);
    cr_assert(e && e->due == 11.0 && !e->writing);
    ig_pending_del(p);
}
