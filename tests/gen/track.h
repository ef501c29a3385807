/* track.h -- the complete description of one generated track.
 *
 * track_init() turns the user's options and a seed into a gen_track: style, tempo,
 * key, progression, swing, lead-in, level, codec and the sound of every instrument.
 * Every seeded choice is drawn in a fixed order whether or not an option overrides
 * it, so a track from a catalogue can be reproduced with `mixq-gen track` and the
 * same explicit options and seed. */
#ifndef MIXQ_GEN_TRACK_H
#define MIXQ_GEN_TRACK_H

#include <stddef.h>
#include <stdint.h>

#include "music.h"
#include "style.h"
#include "synth.h"

typedef enum gen_format { GEN_WAV, GEN_FLAC, GEN_OGG, GEN_MP3, GEN_FORMAT_COUNT } gen_format;

/* What the user fixed; the "unset" values say "choose from the seed". */
typedef struct gen_options {
    const char *style;  /* NULL: from tempo and meter, or seeded */
    double tempo;       /* <= 0: seeded in the style's range */
    int has_key;        /* 0: seeded */
    music_key key;
    int meter;          /* 0: the style's */
    double seconds;     /* <= 0: 30 */
    int rate;           /* 0: 44100 */
    int channels;       /* 0: 2 */
    uint64_t seed;
    int format;         /* gen_format, or -1 for WAV */
    double swing;       /* < 0: the style's default */
    int drums;          /* -1: yes */
    int melody;         /* -1: seeded */
    int has_peak;       /* 0: seeded peak level */
    double peak_dbfs;
} gen_options;

typedef struct gen_track {
    uint64_t seed;
    const gen_style *style;
    double tempo_bpm;
    music_key key;
    int meter;                 /* beats per bar */
    double swing;              /* delay of off-beat subdivisions, fraction of one */
    int swing_grid;            /* swung subdivision: 8 or 16 */
    int drums, melody, pad;    /* which parts play */
    int intro_bars;            /* opening bars without bass, snare and melody */
    int drum_variant;          /* pattern variant of the drums */
    int part_variant;          /* pattern variant of bass and comping */
    const char *progression;   /* e.g. "I V vi IV" */
    music_chord chords[4];     /* one chord per bar, cycling */
    double first_beat_s;       /* silent lead-in before the first beat */
    int rate, channels;
    long long frames;
    double duration_s;         /* frames / rate */
    gen_format format;
    double peak_dbfs;          /* peak level of the written mix */
    double codec_level;        /* libsndfile SFC_SET_COMPRESSION_LEVEL (ogg, mp3) */
    int codec_vbr;             /* mp3: variable bit rate */
    char codec[32];            /* e.g. "MP3 CBR 192k" */
    synth_params sound;
} gen_track;

/* Options with everything unset (seed 0). */
void track_options_default(gen_options *o);

/* Build a track from options. Returns 0, or -1 with a message in err for bad options. */
int track_init(gen_track *t, const gen_options *o, char *err, size_t errlen);

/* "wav", "flac", "ogg", "mp3". */
const char *track_format_name(gen_format f);

/* Format from its name ("wav" ...) or -1. */
int track_format_parse(const char *s);

/* Format from a file name's extension (.wav .flac .ogg .oga .mp3), or -1. */
int track_format_from_path(const char *path);

#endif
