/* compat.h -- the mixing rules between two tracks: Camelot keys and tempo.
 *
 * A key is a Camelot index 0..23: (number - 1) * 2, plus 1 for the B (major) ring, so
 * "8A" (A minor) is 14 and "8B" (C major) is 15. REC_KEY_NONE means no key was found.
 *
 * Harmonic rules (docs/recommender.md): from a key, the compatible keys are the same key,
 * one step round the wheel either way on the same ring (a fifth up or down), and the
 * relative major or minor (same number, other letter). Other moves are classified so that
 * feedback can teach which ones listeners like.
 *
 * Tempo rules: two tempi are compatible when one is within a relative tolerance of the
 * other, or of half or double it (half- and double-time mixing). */
#ifndef REC_COMPAT_H
#define REC_COMPAT_H

#include <stddef.h>

#define REC_KEY_NONE 24
#define REC_NKEYS 25 /* 24 keys and "none" */

/* How a transition moves on the Camelot wheel. */
typedef enum rec_move {
    REC_MOVE_SAME,     /* same key */
    REC_MOVE_UP,       /* +1 on the same ring (a fifth up) */
    REC_MOVE_DOWN,     /* -1 on the same ring (a fifth down) */
    REC_MOVE_RELATIVE, /* same number, other ring (relative major/minor) */
    REC_MOVE_DIAGONAL, /* +-1 and other ring */
    REC_MOVE_BOOST,    /* +-2 on the same ring (a whole tone) */
    REC_MOVE_CLASH,    /* anything else */
    REC_MOVE_UNKNOWN,  /* either key is unknown */
    REC_NMOVES
} rec_move;

/* The Camelot index of a code like "8A" or "12B" (case-insensitive), else REC_KEY_NONE. */
int rec_key_parse(const char *camelot);
/* The Camelot index of a tonic pitch class (0 = C .. 11 = B) and mode (1 major, 0 minor),
 * else REC_KEY_NONE for an out-of-range tonic. */
int rec_key_from_tonic(int tonic, int major);
/* Writes key's code ("8A", or "?" for none) into buf of at least 4 bytes; returns buf. */
char *rec_key_name(int key, char *buf);

/* The move from key a to key b. */
rec_move rec_key_move(int a, int b);
/* The keys compatible with key (itself first): up to 4 written to out; returns how many
 * (0 for REC_KEY_NONE). */
int rec_key_compatible(int key, int out[4]);
/* Harmonic fit of a move in [0, 1] (1 same key, 0 a clash). */
double rec_move_fit(rec_move m);
/* A short name for a move, e.g. "+1", "relative". */
const char *rec_move_name(rec_move m);
/* Words describing the move from a to b, e.g. "8A -> 9A, +1 on the Camelot wheel". */
void rec_move_describe(int a, int b, char *buf, size_t len);

/* Tempo relation of b to a: the closest of b, 2b and b/2 to a, as a signed relative
 * difference (b' - a) / a in *rel and the factor applied to b (1, 2 or 0.5) in *factor.
 * Returns 0, or -1 when either tempo is unknown (not positive or not finite). */
int rec_tempo_relation(double a, double b, double *rel, double *factor);

#endif
