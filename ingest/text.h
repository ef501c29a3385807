/* text.h -- text helpers for catalogue strings: valid UTF-8, trimming, and the
 * normalised artist/title keys used to match Spotify tracks to local files.
 *
 * PostgreSQL refuses text that is not valid UTF-8, and tags come from untrusted files,
 * so every string bound for a text column passes through ig_text_clean first. */
#ifndef IG_TEXT_H
#define IG_TEXT_H

#include <stddef.h>

/* A malloc'd copy of the n bytes at s as valid UTF-8 without NUL or control characters
 * (each invalid byte becomes U+FFFD, controls become spaces), trimmed of surrounding white
 * space. NULL when out of memory, or when the result is empty and empty_is_null is set. */
char *ig_text_clean(const char *s, size_t n, int empty_is_null);

/* A path as UTF-8 for logs and reports: valid UTF-8 stays as is, each other byte becomes
 * the character of the same value (U+0080..U+00FF), as in `mixq analyze`'s "path".
 * malloc'd; NULL when out of memory. */
char *ig_text_display(const char *s, size_t n);

/* The lower-case hex of n bytes (malloc'd, 2n+1 bytes); NULL when out of memory. */
char *ig_text_hex(const void *p, size_t n);

/* The key a title is matched by: lower case, Latin accents removed, bracketed or dashed
 * "feat." / "remaster" / "version" notes dropped, punctuation removed, single spaces.
 * malloc'd; NULL when out of memory. */
char *ig_text_title_key(const char *title);

/* The key an artist string is matched by: its first artist only (cut at "feat.", "ft.", " / ",
 * ",", ";", " & ", " x ", " with ", " and "), then normalised as a title is. malloc'd. */
char *ig_text_artist_key(const char *artist);

/* An ISRC in canonical form (12 upper-case letters and digits, separators removed) into
 * out[13]. Returns 0, or -1 when s is not an ISRC. */
int ig_text_isrc(const char *s, char out[13]);

#endif
