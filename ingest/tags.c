/* tags.c -- TagLib + rawtags + libsndfile into one ig_tags (see tags.h). */
#include "ingest/tags.h"

#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <taglib/tag_c.h>

#include "ingest/rawtags.h"
#include "ingest/text.h"

void ig_tags_global_init(void) {
    taglib_set_strings_unicode(1);
    taglib_set_string_management_enabled(0);
}

/* Moves a cleaned copy of s into *field if the field is empty. Returns -1 when out of
 * memory. */
static int take(char **field, const char *s) {
    if (*field || !s || !*s) return 0;
    char *c = ig_text_clean(s, strlen(s), 1);
    if (!c) {
        /* Either out of memory or blank: only the former is an error. */
        for (const char *p = s; *p; p++)
            if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') return -1;
        return 0;
    }
    *field = c;
    return 0;
}

/* The leading whole number of s (e.g. 3 of "3/12", 1999 of "1999-05-01"), or 0. */
static int leading_int(const char *s, int max) {
    if (!s) return 0;
    while (*s == ' ') s++;
    long v = 0;
    int digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 9) v = v * 10 + (*s++ - '0'), digits++;
    return digits && v > 0 && v <= max ? (int)v : 0;
}

/* A declared tempo ("128", "127.98", "128 BPM"), or NaN. */
static double parse_bpm(const char *s) {
    if (!s) return NAN;
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v) || v <= 0 || v > 1000) return NAN;
    return v;
}

/* TagLib: the basic fields and a whole-second duration. */
static int from_taglib(const char *path, ig_tags *t, double *len_s) {
    TagLib_File *f = taglib_file_new(path);
    if (!f) return 0;
    int rc = 0;
    if (taglib_file_is_valid(f)) {
        TagLib_Tag *tag = taglib_file_tag(f);
        if (tag) {
            char *s[4] = {taglib_tag_title(tag), taglib_tag_artist(tag), taglib_tag_album(tag),
                          taglib_tag_genre(tag)};
            char **dst[4] = {&t->title, &t->artist, &t->album, &t->genre};
            for (int i = 0; i < 4; i++) {
                if (take(dst[i], s[i]) != 0) rc = -1;
                taglib_free(s[i]);
            }
            unsigned y = taglib_tag_year(tag), n = taglib_tag_track(tag);
            if (y > 0 && y < 10000) t->year = (int)y;
            if (n > 0 && n < 100000) t->track_number = (int)n;
        }
        const TagLib_AudioProperties *ap = taglib_file_audioproperties(f);
        if (ap) {
            int l = taglib_audioproperties_length(ap);
            if (l > 0) *len_s = l;
        }
    }
    taglib_file_free(f);
    return rc;
}

/* libsndfile: the exact duration and the text chunks it knows. */
static int from_sndfile(const char *path, ig_tags *t) {
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf) return 0;
    if (info.samplerate > 0 && info.frames > 0 && info.frames < (sf_count_t)1 << 48)
        t->duration_s = (double)info.frames / info.samplerate;
    int rc = 0;
    rc |= take(&t->title, sf_get_string(sf, SF_STR_TITLE));
    rc |= take(&t->artist, sf_get_string(sf, SF_STR_ARTIST));
    rc |= take(&t->album, sf_get_string(sf, SF_STR_ALBUM));
    rc |= take(&t->genre, sf_get_string(sf, SF_STR_GENRE));
    if (!t->year) t->year = leading_int(sf_get_string(sf, SF_STR_DATE), 9999);
    if (!t->track_number)
        t->track_number = leading_int(sf_get_string(sf, SF_STR_TRACKNUMBER), 99999);
    sf_close(sf);
    return rc ? -1 : 0;
}

int ig_tags_read(const char *path, int fd, const char *format, ig_tags *out) {
    memset(out, 0, sizeof *out);
    out->declared_bpm = NAN;
    out->duration_s = NAN;
    double taglib_len = NAN;
    int rc = from_taglib(path, out, &taglib_len);
    ig_rawtags raw = {0};
    if (ig_rawtags_read(fd, format, &raw) != 0) rc = -1;
    rc |= take(&out->title, raw.title);
    rc |= take(&out->artist, raw.artist);
    rc |= take(&out->album, raw.album);
    rc |= take(&out->album_artist, raw.album_artist);
    rc |= take(&out->genre, raw.genre);
    rc |= take(&out->declared_key, raw.key);
    char isrc[13];
    if (raw.isrc && ig_text_isrc(raw.isrc, isrc) == 0) rc |= take(&out->isrc, isrc);
    if (!out->year) out->year = leading_int(raw.date, 9999);
    if (!out->track_number) out->track_number = leading_int(raw.track, 99999);
    out->declared_bpm = parse_bpm(raw.bpm);
    ig_rawtags_free(&raw);
    /* libsndfile decodes MP3 through libmpg123, which prints warnings about odd files
     * straight to stderr (breaking the JSON log): MP3 durations come from TagLib (whole
     * seconds). libsndfile has no AAC/MP4 reader. */
    if (strcmp(format, "mp3") != 0 && strcmp(format, "m4a") != 0 && strcmp(format, "aac") != 0)
        rc |= from_sndfile(path, out);
    if (isnan(out->duration_s)) out->duration_s = taglib_len;
    if (rc) ig_tags_free(out);
    return rc ? -1 : 0;
}

void ig_tags_free(ig_tags *t) {
    free(t->title), free(t->artist), free(t->album), free(t->album_artist);
    free(t->genre), free(t->isrc), free(t->declared_key);
    memset(t, 0, sizeof *t);
    t->declared_bpm = NAN;
    t->duration_s = NAN;
}
