/* text.c -- UTF-8 cleaning and the normalised matching keys (see text.h). */
#include "ingest/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/buf.h"

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 when invalid. The code
 * point goes to *cp. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp) {
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if ((c & 0xE0) == 0xC0)
        len = 2, v = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        len = 3, v = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
        len = 4, v = c & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return len;
}

static void put_cp(ig_buf *b, uint32_t cp) {
    char o[4];
    if (cp < 0x80) {
        ig_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        ig_buf_put(b, o, 2);
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        ig_buf_put(b, o, 3);
    } else {
        o[0] = (char)(0xF0 | (cp >> 18));
        o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (char)(0x80 | (cp & 0x3F));
        ig_buf_put(b, o, 4);
    }
}

static int is_space(uint32_t cp) { return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r'; }

char *ig_text_clean(const char *s, size_t n, int empty_is_null) {
    ig_buf b = {0};
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = utf8_seq(u + i, n - i, &cp);
        if (!k) {
            put_cp(&b, 0xFFFD);
            i++;
            continue;
        }
        if (cp < 0x20 || cp == 0x7F) cp = ' ';
        put_cp(&b, cp);
        i += k;
    }
    if (!ig_buf_cstr(&b)) {
        ig_buf_free(&b);
        return NULL;
    }
    /* Trim. */
    size_t start = 0, end = b.len;
    while (start < end && is_space((unsigned char)b.p[start])) start++;
    while (end > start && is_space((unsigned char)b.p[end - 1])) end--;
    if (start == end && empty_is_null) {
        ig_buf_free(&b);
        return NULL;
    }
    memmove(b.p, b.p + start, end - start);
    b.p[end - start] = 0;
    return b.p;
}

char *ig_text_display(const char *s, size_t n) {
    ig_buf b = {0};
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_seq(u + i, n - i, &cp);
        if (!k) {
            put_cp(&b, u[i]);
            i++;
        } else {
            ig_buf_put(&b, s + i, k);
            i += k;
        }
    }
    if (!ig_buf_cstr(&b)) {
        ig_buf_free(&b);
        return NULL;
    }
    return b.p;
}

char *ig_text_hex(const void *p, size_t n) {
    static const char hex[] = "0123456789abcdef";
    char *d = malloc(2 * n + 1);
    if (!d) return NULL;
    const unsigned char *u = p;
    for (size_t i = 0; i < n; i++) d[2 * i] = hex[u[i] >> 4], d[2 * i + 1] = hex[u[i] & 15];
    d[2 * n] = 0;
    return d;
}

/* Base letter of a Latin-1 Supplement / Latin Extended-A letter (lower case), or 0. */
static uint32_t fold_latin(uint32_t cp) {
    static const char l1[] =  /* U+00C0 .. U+00FF */
        "aaaaaaaceeeeiiii"    /* C0-CF */
        "dnooooo\0ouuuuyts"   /* D0-DF (D7 multiplication sign, DE thorn, DF sharp s) */
        "aaaaaaaceeeeiiii"    /* E0-EF */
        "dnooooo\0ouuuuyty";  /* F0-FF */
    static const char exa[] = /* U+0100 .. U+017F, pairs of upper/lower */
        "aaaaaaccccccccdd"
        "ddeeeeeeeeeegggg"
        "gggghhhhiiiiiiii"
        "iijjjjkkklllllll"
        "lllnnnnnnnnnoooo"
        "oooorrrrrrssssss"
        "ssttttttuuuuuuuu"
        "uuuuwwyyyzzzzzzs";
    if (cp >= 0xC0 && cp <= 0xFF) return (uint32_t)(unsigned char)l1[cp - 0xC0];
    if (cp >= 0x100 && cp <= 0x17F) return (uint32_t)(unsigned char)exa[cp - 0x100];
    return 0;
}

/* Lower-cases, folds accents and turns every non-alphanumeric code point into a space;
 * the result has single spaces and no leading or trailing ones. */
static char *normalise(const char *s, size_t n) {
    ig_buf b = {0};
    const unsigned char *u = (const unsigned char *)s;
    int pending_space = 0;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = utf8_seq(u + i, n - i, &cp);
        if (!k) {
            i++;
            continue;
        }
        i += k;
        if (cp == '\'' || cp == 0x2019) continue; /* "don't" and "dont" are one word */
        uint32_t f = fold_latin(cp);
        if (cp == 0xDF) { /* sharp s */
            if (pending_space && b.len) ig_buf_putc(&b, ' ');
            pending_space = 0;
            ig_buf_puts(&b, "ss");
            continue;
        }
        if (f)
            cp = f;
        else if (cp >= 'A' && cp <= 'Z')
            cp += 32;
        int alnum = (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') ||
                    (cp >= 0x250 && cp != 0x2010 && cp != 0x2013 && cp != 0x2014 &&
                     (cp < 0x2000 || cp > 0x206F) && (cp < 0x3000 || cp > 0x303F) && cp != 0xFFFD);
        if (cp == '&') {
            if (b.len) ig_buf_putc(&b, ' ');
            ig_buf_puts(&b, "and");
            pending_space = 1;
            continue;
        }
        if (!alnum) {
            pending_space = 1;
            continue;
        }
        if (pending_space && b.len) ig_buf_putc(&b, ' ');
        pending_space = 0;
        put_cp(&b, cp);
    }
    if (!ig_buf_cstr(&b)) {
        ig_buf_free(&b);
        return NULL;
    }
    return b.p;
}

/* True when the lower-cased note (the text of a bracket or after " - ") is an edition
 * note rather than part of the title: feat., remaster, version, edit... */
static int is_note(const char *lc) {
    static const char *const words[] = {"feat",    "ft.",   "ft ",    "featuring",   "remaster",
                                        "version", "edit",  "mono",   "stereo",      "bonus",
                                        "live",    "mix)",  "with ",  "explicit",    "clean",
                                        "single",  "album", "deluxe", "anniversary", NULL};
    for (int i = 0; words[i]; i++)
        if (strstr(lc, words[i])) return 1;
    return 0;
}

static char *ascii_lower_dup(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (!d) return NULL;
    for (size_t i = 0; i < n; i++) d[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
    d[n] = 0;
    return d;
}

char *ig_text_title_key(const char *title) {
    if (!title) title = "";
    size_t n = strlen(title);
    char *lc = ascii_lower_dup(title, n);
    if (!lc) return NULL;
    /* Drop bracketed notes: "Song (feat. X)", "Song [2011 Remaster]". */
    ig_buf b = {0};
    for (size_t i = 0; i < n;) {
        if (lc[i] == '(' || lc[i] == '[') {
            char close = lc[i] == '(' ? ')' : ']';
            char *end = strchr(lc + i, close);
            if (end) {
                size_t len = (size_t)(end - (lc + i)) + 1;
                char *note = ascii_lower_dup(lc + i + 1, len - 1);
                if (!note) {
                    ig_buf_free(&b);
                    free(lc);
                    return NULL;
                }
                /* The note keeps its closing bracket, so "mix)" matches "(... Mix)". */
                int drop = is_note(note);
                free(note);
                if (drop) {
                    i += len;
                    continue;
                }
            }
        }
        ig_buf_putc(&b, title[i]);
        i++;
    }
    free(lc);
    if (!ig_buf_cstr(&b)) {
        ig_buf_free(&b);
        return NULL;
    }
    /* Drop a dashed note: "Song - 2011 Remaster", "Song - Radio Edit". */
    char *dash = strstr(b.p, " - ");
    if (dash) {
        char *note = ascii_lower_dup(dash + 3, strlen(dash + 3));
        if (!note) {
            ig_buf_free(&b);
            return NULL;
        }
        if (is_note(note)) {
            *dash = 0;
            b.len = (size_t)(dash - b.p);
        }
        free(note);
    }
    char *key = normalise(b.p, b.len);
    ig_buf_free(&b);
    return key;
}

char *ig_text_artist_key(const char *artist) {
    if (!artist) artist = "";
    size_t n = strlen(artist);
    char *lc = ascii_lower_dup(artist, n);
    if (!lc) return NULL;
    static const char *const cuts[] = {" feat.", " feat ", " ft.", " ft ", " featuring ",
                                       ",",      ";",      " & ",  " x ",  " with ",
                                       " and ",  " vs. ",  " vs ", " / ",  NULL};
    size_t cut = n;
    for (int i = 0; cuts[i]; i++) {
        char *p = strstr(lc, cuts[i]);
        if (p && (size_t)(p - lc) < cut && p != lc) cut = (size_t)(p - lc);
    }
    free(lc);
    return normalise(artist, cut);
}

int ig_text_isrc(const char *s, char out[13]) {
    if (!s) return -1;
    size_t k = 0;
    for (; *s; s++) {
        char c = *s;
        if (c == '-' || c == ' ' || c == '.') continue;
        if (c >= 'a' && c <= 'z') c = (char)(c - 32);
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return -1;
        if (k == 12) return -1;
        out[k++] = c;
    }
    if (k != 12) return -1;
    out[12] = 0;
    /* Country and registrant are letters/digits; the year and designation are digits. */
    for (int i = 5; i < 12; i++)
        if (out[i] < '0' || out[i] > '9') return -1;
    return 0;
}
