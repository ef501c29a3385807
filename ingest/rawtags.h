/* rawtags.h -- the tag fields that TagLib's C binding does not expose.
 *
 * Debian 12's libtagc0 (TagLib 1.13) gives title, artist, album, genre, year and track
 * number only. The album artist, ISRC, declared BPM and declared key are read here from
 * the tag formats themselves: ID3v2.2-2.4 (MP3, and WAV/AIFF "id3 " chunks), Vorbis
 * comments (FLAC, Ogg Vorbis, Opus, Ogg FLAC), MP4 ilst atoms (M4A) and RIFF INFO lists.
 * Everything is read with explicit bounds from an untrusted file: a malformed tag yields
 * fewer fields, never a crash. The basic fields are filled as well, as a fallback for files
 * TagLib cannot open. */
#ifndef IG_RAWTAGS_H
#define IG_RAWTAGS_H

/* Each field is a malloc'd UTF-8 string (not yet cleaned, see ig_text_clean) or NULL. */
typedef struct ig_rawtags {
    char *title, *artist, *album, *album_artist, *genre;
    char *date;  /* a year or a date, as tagged */
    char *track; /* "3" or "3/12" */
    char *isrc, *bpm, *key;
} ig_rawtags;

/* Reads the tags of the open file fd whose sniffed format is format (see sniff.h) into
 * *out, which must start zeroed. Returns 0, or -1 when out of memory. A file without
 * tags, or with broken ones, returns 0 with the fields found so far. */
int ig_rawtags_read(int fd, const char *format, ig_rawtags *out);

/* Frees the fields and zeroes *t. */
void ig_rawtags_free(ig_rawtags *t);

#endif
