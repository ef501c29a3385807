/* compat.c -- Camelot wheel and tempo rules (see compat.h and docs/recommender.md). */
#include "recommender/compat.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int key_num(int k) { return k / 2 + 1; } /* 1..12 */
static int key_major(int k) { return k % 2; }   /* B ring */
static int make_key(int num, int major) { return (num - 1) * 2 + (major ? 1 : 0); }

int rec_key_parse(const char *s) {
    if (!s || !isdigit((unsigned char)s[0])) return REC_KEY_NONE;
    int num = s[0] - '0', i = 1;
    if (isdigit((unsigned char)s[1])) {
        num = num * 10 + (s[1] - '0');
        i = 2;
    }
    char l = (char)toupper((unsigned char)s[i]);
    if (num < 1 || num > 12 || (l != 'A' && l != 'B') || s[i + 1] != 0) return REC_KEY_NONE;
    return make_key(num, l == 'B');
}

int rec_key_from_tonic(int tonic, int major) {
    if (tonic < 0 || tonic > 11) return REC_KEY_NONE;
    /* Major keys: C is 8B and each fifth up (7 semitones) is +1. A minor key sits at its
     * relative major's number (three semitones up). */
    int t = major ? tonic : (tonic + 3) % 12;
    int num = (t * 7 + 7) % 12 + 1;
    return make_key(num, major);
}

char *rec_key_name(int key, char *buf) {
    if (key < 0 || key >= REC_KEY_NONE)
        snprintf(buf, 4, "?");
    else
        snprintf(buf, 4, "%d%c", key_num(key), key_major(key) ? 'B' : 'A');
    return buf;
}

rec_move rec_key_move(int a, int b) {
    if (a < 0 || b < 0 || a >= REC_KEY_NONE || b >= REC_KEY_NONE) return REC_MOVE_UNKNOWN;
    int d = (key_num(b) - key_num(a) + 12) % 12; /* steps clockwise, 0..11 */
    if (d > 6) d -= 12;                          /* -5..6 */
    if (key_major(a) == key_major(b)) {
        if (d == 0) return REC_MOVE_SAME;
        if (d == 1) return REC_MOVE_UP;
        if (d == -1) return REC_MOVE_DOWN;
        if (d == 2 || d == -2) return REC_MOVE_BOOST;
        return REC_MOVE_CLASH;
    }
    if (d == 0) return REC_MOVE_RELATIVE;
    if (d == 1 || d == -1) return REC_MOVE_DIAGONAL;
    return REC_MOVE_CLASH;
}

int rec_key_compatible(int key, int out[4]) {
    if (key < 0 || key >= REC_KEY_NONE) return 0;
    int num = key_num(key), maj = key_major(key);
    out[0] = key;
    out[1] = make_key(num % 12 + 1, maj);
    out[2] = make_key((num + 10) % 12 + 1, maj);
    out[3] = make_key(num, !maj);
    return 4;
}

double rec_move_fit(rec_move m) {
    static const double fit[REC_NMOVES] = {
        [REC_MOVE_SAME] = 1.0,     [REC_MOVE_UP] = 0.9,       [REC_MOVE_DOWN] = 0.9,
        [REC_MOVE_RELATIVE] = 0.8, [REC_MOVE_DIAGONAL] = 0.5, [REC_MOVE_BOOST] = 0.4,
        [REC_MOVE_CLASH] = 0.0,    [REC_MOVE_UNKNOWN] = 0.3,
    };
    return (unsigned)m < REC_NMOVES ? fit[m] : 0;
}

const char *rec_move_name(rec_move m) {
    static const char *names[REC_NMOVES] = {"same key", "+1",  "-1",    "relative",
                                            "diagonal", "+-2", "clash", "unknown"};
    return (unsigned)m < REC_NMOVES ? names[m] : "?";
}

void rec_move_describe(int a, int b, char *buf, size_t len) {
    char ka[4], kb[4];
    rec_key_name(a, ka);
    rec_key_name(b, kb);
    rec_move m = rec_key_move(a, b);
    int d = 0;
    if (m != REC_MOVE_UNKNOWN) {
        d = (key_num(b) - key_num(a) + 12) % 12;
        if (d > 6) d -= 12;
    }
    switch (m) {
    case REC_MOVE_SAME: snprintf(buf, len, "%s \u2192 %s, same key", ka, kb); break;
    case REC_MOVE_UP:
    case REC_MOVE_DOWN:
        snprintf(buf, len, "%s \u2192 %s, %+d on the Camelot wheel", ka, kb, d);
        break;
    case REC_MOVE_RELATIVE:
        snprintf(buf, len, "%s \u2192 %s, relative %s", ka, kb, key_major(b) ? "major" : "minor");
        break;
    case REC_MOVE_DIAGONAL:
        snprintf(buf, len, "%s \u2192 %s, %+d on the wheel and to %s (diagonal)", ka, kb, d,
                 key_major(b) ? "major" : "minor");
        break;
    case REC_MOVE_BOOST:
        snprintf(buf, len, "%s \u2192 %s, %+d on the Camelot wheel (a whole tone)", ka, kb, d);
        break;
    case REC_MOVE_CLASH: snprintf(buf, len, "%s \u2192 %s, keys clash", ka, kb); break;
    default: snprintf(buf, len, "%s \u2192 %s, key unknown", ka, kb); break;
    }
}

int rec_tempo_relation(double a, double b, double *rel, double *factor) {
    if (!(a > 0) || !(b > 0) || !isfinite(a) || !isfinite(b)) return -1;
    static const double f[3] = {1.0, 2.0, 0.5};
    double best = INFINITY, bf = 1;
    for (int i = 0; i < 3; i++) {
        double r = (b * f[i] - a) / a;
        if (fabs(r) < fabs(best)) {
            best = r;
            bf = f[i];
        }
    }
    *rel = best;
    *factor = bf;
    return 0;
}
