/* tags.h -- a track's tags and duration, from TagLib's C binding, the raw tag parsers
 * (rawtags.h) and libsndfile.
 *
 * TagLib gives the basic fields; rawtags adds album artist, ISRC, declared BPM and key
 * (and fills basic fields TagLib missed); libsndfile gives the exact duration (TagLib's
 * whole seconds are the fallback, and the only source for MP3 and M4A) and the RIFF/AIFF
 * text chunks. Declared BPM and key are
 * kept as tagged, beside the analysed ones. */
#ifndef IG_TAGS_H
#define IG_TAGS_H

typedef struct ig_tags {
    /* Cleaned UTF-8 (see ig_text_clean), malloc'd, or NULL when absent. */
    char *title, *artist, *album, *album_artist, *genre, *isrc, *declared_key;
    int year;            /* 0 when unknown */
    int track_number;    /* 0 when unknown */
    double declared_bpm; /* NaN when absent or not a number */
    double duration_s;   /* NaN when unknown */
} ig_tags;

/* Once per process, in main() before threads start: makes TagLib return strings that the
 * caller frees (instead of keeping them in its own global list). */
void ig_tags_global_init(void);

/* Reads the tags of the file at path (open as fd, sniffed as format) into *out.
 * Returns 0 (fields that cannot be read stay empty) or -1 when out of memory. */
int ig_tags_read(const char *path, int fd, const char *format, ig_tags *out);

/* Frees the strings and resets *t to empty. */
void ig_tags_free(ig_tags *t);

#endif
