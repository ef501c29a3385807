/* score.h -- what plays when: beat grid, patterns, bass line, chords and melody.
 *
 * The score is a pure function of a gen_track: score_bar() lists the notes of one bar
 * (times in seconds from the first sample), so a renderer can ask for bars one by one
 * and keep nothing else in memory. Beats fall exactly on first_beat_s + i * 60/tempo;
 * swing only delays off-beat subdivisions, never a beat. Bar 0 starts on the first
 * beat, and every bar's first beat is a downbeat. No note starts at or after
 * score_music_end(), and the labelled beats are exactly those before it. */
#ifndef MIXQ_GEN_SCORE_H
#define MIXQ_GEN_SCORE_H

#include "synth.h"
#include "track.h"

/* Upper bound on the notes of one bar. */
#define SCORE_MAX_EVENTS 256

typedef struct gen_event {
    double time_s;    /* onset, seconds from the first sample */
    double dur_s;     /* held length (pitched instruments), 0 for drums */
    synth_inst inst;
    double midi;      /* MIDI pitch (pitched instruments) */
    float vel;        /* 0..1 */
    uint32_t seed;    /* noise seed */
} gen_event;

/* Seconds per beat (60 / tempo). */
double score_beat_period(const gen_track *t);

/* Time of beat i in seconds from the first sample. */
double score_beat_time(const gen_track *t, long long i);

/* Time of the first beat of bar `bar`. */
double score_bar_time(const gen_track *t, long long bar);

/* No note starts at or after this time (50 ms before the end of the file). */
double score_music_end(const gen_track *t);

/* Number of labelled beats: those before score_music_end(). */
long long score_beat_count(const gen_track *t);

/* Write the notes of bar `bar` into ev (at most cap) and return how many, sorted by
 * nothing in particular; notes at or after score_music_end() are left out. */
int score_bar(const gen_track *t, long long bar, gen_event *ev, int cap);

#endif
