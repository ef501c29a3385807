/* synth.h -- the instruments of the synthetic-music generator.
 *
 * A synth owns a pool of voices and a few single-cycle wavetables. Notes are queued
 * with an absolute start sample; synth_render() mixes every sounding voice into a
 * stereo block and advances. Drums are synthesised from scratch (kick: sine with a
 * falling pitch and fast decay; snare: noise burst plus a tone; hi-hats: high-passed
 * noise), pitched parts are wavetable oscillators with a few harmonics and an
 * attack/decay/sustain/release envelope. Everything is deterministic: noise comes from
 * a per-note seed. The synth holds no global state; memory is fixed at creation. */
#ifndef MIXQ_GEN_SYNTH_H
#define MIXQ_GEN_SYNTH_H

#include <stdint.h>

typedef enum synth_inst {
    SYNTH_KICK,
    SYNTH_SNARE,
    SYNTH_HAT,      /* closed hi-hat */
    SYNTH_OPEN_HAT,
    SYNTH_BASS,
    SYNTH_PAD,      /* sustained chord tones */
    SYNTH_COMP,     /* rhythmic chord tones (keys, guitar, stabs) */
    SYNTH_LEAD,     /* melody */
    SYNTH_INST_COUNT
} synth_inst;

typedef enum synth_wave {
    WAVE_SINE,
    WAVE_SOFT,      /* sine with a little 2nd and 3rd harmonic */
    WAVE_PAD,       /* six harmonics, soft saw-like */
    WAVE_KEYS,      /* electric-piano-like: strong fundamental, few partials */
    WAVE_SAW,       /* band-limited saw, 12 harmonics */
    WAVE_SQUARE,    /* odd harmonics, 9 */
    WAVE_GUITAR,    /* bright, 10 harmonics */
    WAVE_COUNT
} synth_wave;

/* Envelope of a pitched instrument: linear attack, exponential decay towards the
 * sustain level, exponential release after the note ends (times in seconds). */
typedef struct synth_env {
    double attack, decay, sustain, release;
} synth_env;

/* Everything that sets the sound of a track; fixed when the synth is created. */
typedef struct synth_params {
    double kick_f0, kick_f1;          /* start and end pitch of the kick sweep, Hz */
    double kick_sweep, kick_decay;    /* time constants of pitch and amplitude, s */
    double snare_tone_hz, snare_decay;
    double hat_decay, open_hat_decay;
    synth_wave wave[SYNTH_INST_COUNT]; /* wavetable of each pitched instrument */
    synth_env env[SYNTH_INST_COUNT];   /* envelope of each pitched instrument */
    float level[SYNTH_INST_COUNT];     /* linear gain of each instrument */
    float pan[SYNTH_INST_COUNT];       /* -1 left .. +1 right */
} synth_params;

/* One note to play: absolute start sample, length in samples (pitched instruments;
 * drums ring out on their own), MIDI pitch, velocity 0..1, noise seed. */
typedef struct synth_note {
    long long start;
    long long length;
    synth_inst inst;
    double midi;
    float vel;
    uint32_t seed;
} synth_note;

typedef struct synth synth;

/* Create a synth for sample rate `rate` with the given sound; NULL if out of memory. */
synth *synth_new(const synth_params *p, int rate);

/* Free a synth (NULL is fine). */
void synth_del(synth *s);

/* Queue a note. When all voices are busy the voice that started first is stolen. */
void synth_add(synth *s, const synth_note *n);

/* Mix `frames` stereo frames starting at absolute sample `pos` into lr (interleaved
 * L,R; overwritten). Calls must cover consecutive ranges from 0 upwards. */
void synth_render(synth *s, long long pos, float *lr, int frames);

/* Fill p with default (neutral) parameters. */
void synth_params_default(synth_params *p);

/* Name of a wavetable ("saw", "keys" ...), for labels. */
const char *synth_wave_name(synth_wave w);

#endif
