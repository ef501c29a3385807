/* sniff.h -- is this file audio? Decided by its name's extension and its first bytes.
 *
 * A file with an audio extension is audio when its content agrees with some audio format
 * (a text file named .mp3 is not). A file with another extension is read only when the
 * extension is not a known non-audio type (images, text, playlists...), and is audio only
 * when its content has an unambiguous signature (RIFF/WAVE, FORM/AIFF, fLaC, an Ogg audio
 * stream, an ID3 tag, an MP4 audio brand...). */
#ifndef IG_SNIFF_H
#define IG_SNIFF_H

#include <stddef.h>

/* Bytes of a file's head that ig_sniff_content looks at. */
#define IG_SNIFF_LEN 64

typedef enum ig_ext_class {
    IG_EXT_AUDIO,  /* an audio extension: confirm by content */
    IG_EXT_OTHER,  /* a known non-audio extension: skip without reading */
    IG_EXT_UNKNOWN /* no or an unknown extension: audio only with a clear signature */
} ig_ext_class;

/* Classifies a file name (the last path component) by its extension. */
ig_ext_class ig_sniff_ext(const char *name);

/* The audio format of a file whose first n bytes (at most IG_SNIFF_LEN are used) are
 * head: "wav", "aiff", "flac", "ogg", "opus", "mp3", "m4a", "aac", "au", "caf", "w64", "rf64";
 * NULL when not audio. With ext_audio set, weaker evidence (an MPEG frame header) is
 * accepted too. */
const char *ig_sniff_content(const unsigned char *head, size_t n, int ext_audio);

#endif
