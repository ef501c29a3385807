/* tempo_internal.h -- what the parts of the tempo tracker share; not a public API.
 *
 * tempo.c keeps a few onset values per frame and, once the track has ended, turns them
 * into envelopes (a tempo_env); tempo_beats.c tracks beats on an envelope at a given
 * period; tempo_meter.c measures the beats tracked at candidate periods and picks the
 * metrical level that is the beat. See tempo.c for the method as a whole. */
#ifndef MQ_TEMPO_INTERNAL_H
#define MQ_TEMPO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/params.h"

#define TEMPO_NG 6 /* band groups: <150 Hz, 150-400, 400-1000, 1000-2500, 2500-6000, >6000 */

/* The onset envelopes of one track. Frames [s, e) hold sound; the envelopes are zero
 * outside. Group g's onset strength at frame i is rec[i * stride + g] * scale[g], scaled
 * so that its mean over the active frames is 1. beat and kick are onset envelopes with
 * their local mean (about 0.5 s) removed and scaled to unit standard deviation: beat sums
 * all groups, kick is group 0 (the kick drum and the bass) alone. Nothing is owned. */
typedef struct tempo_env {
    size_t n, s, e;
    const uint16_t *rec;
    size_t stride;
    float scale[TEMPO_NG];
    const float *beat;
    const float *kick;
} tempo_env;

/* Onset strength of group g at frame i (0 outside the track). */
static inline float tempo_group(const tempo_env *v, int g, long i) {
    if (i < (long)v->s || i >= (long)v->e) return 0.0f;
    return (float)v->rec[(size_t)i * v->stride + (size_t)g] * v->scale[g];
}

/* Autocorrelation of o over frames [s, e) at a fractional lag, normalised by its power:
 * 1 for a perfect repetition, about 0 for none. */
double tempo_autocorr(const float *o, size_t s, size_t e, double lag);

/* Beats on envelope o over frames [s, e), about period frames apart, by dynamic
 * programming. Stores a malloc'd array of beat frames in *beats (the caller frees it)
 * and returns their number, or -1 when out of memory. */
long tempo_track(const float *o, size_t s, size_t e, double period, long **beats);

/* One candidate beat period, the beats tracked at it and what they look like. */
typedef struct tempo_level {
    double period; /* frames; 0 for an absent candidate */
    long *beats;   /* beat frames, malloc'd */
    long nbeats;
    double ac;      /* autocorrelation of the beat envelope at the period */
    double kick[3]; /* autocorrelation of the kick envelope at 1, 2 and 4 periods */
    double mid;     /* accent halfway between beats over accent on beats */
    double alt2;    /* how differently the beats of 2-, 3- and 4-beat cycles are accented */
    double alt3;
    double alt4;
} tempo_level;

/* Tracks beats at l->period on v and measures them; ac is the beat envelope's
 * autocorrelation at the period. Returns 0, or -1 when out of memory. */
int tempo_level_measure(tempo_level *l, const tempo_env *v, double ac);

/* Index of the beat level among lv[0..5): the candidates p0/3, p0/2, p0, 2 p0 and 3 p0 of
 * the most salient period p0 (lv[2], always present). */
int tempo_level_choose(const tempo_level lv[5]);

#endif
