/* music.h -- keys, pitch classes, Camelot codes, chords and tuning.
 *
 * Pure functions over small value types. Key names use the spellings of the dev
 * corpus labels (/work/shared/corpus/dev/labels.json): "C# minor", "Eb major",
 * "Bb minor", "F# major", "Db major", "Ab major", "G# minor" ... Tuning is equal
 * temperament with A4 = 440 Hz (MIDI note 69). */
#ifndef MIXQ_GEN_MUSIC_H
#define MIXQ_GEN_MUSIC_H

#include <stddef.h>

typedef enum music_mode { MUSIC_MAJOR = 0, MUSIC_MINOR = 1 } music_mode;

typedef struct music_key {
    int pc;          /* tonic pitch class, 0 = C .. 11 = B */
    music_mode mode;
} music_key;

typedef enum music_quality { CHORD_MAJOR, CHORD_MINOR, CHORD_DIMINISHED } music_quality;

typedef struct music_chord {
    int root_pc;     /* absolute pitch class of the chord root */
    int degree;      /* 0-based scale degree of the root (0 = tonic) */
    music_quality quality;
} music_chord;

/* Parse "A minor", "a min", "Am", "C#", "Eb major", "F#m" ... Returns 0, or -1 if not a key. */
int music_key_parse(const char *s, music_key *out);

/* Canonical tonic spelling of a key ("C#" for C# minor, "Db" for Db major). */
const char *music_tonic_name(music_key k);

/* "major" or "minor". */
const char *music_mode_name(music_mode m);

/* Write the full key name ("Eb major") into buf (n >= 16 is always enough). */
void music_key_name(music_key k, char *buf, size_t n);

/* Write the Camelot code ("8A" for A minor, "8B" for C major) into buf (n >= 4). */
void music_camelot(music_key k, char *buf, size_t n);

/* Index 0..23 of a key (major keys 0..11 by tonic, then minor keys), and its inverse. */
int music_key_index(music_key k);
music_key music_key_from_index(int i);

/* Frequency in Hz of a (possibly fractional) MIDI note number, A4 = 69 = 440 Hz. */
double music_midi_hz(double midi);

/* The seven pitch classes of the key's scale (natural minor for minor keys). */
void music_scale(music_key k, int pcs[7]);

/* Chord for a Roman numeral in key k: "I", "vi", "ii", "V", "iv", "VII", "VI", "vii°"...
 * Upper case is major, lower case minor, a trailing "o"/"°"/"dim" diminished. Degrees
 * follow the major scale or the natural minor scale, so "V" in a minor key is the
 * harmonic-minor dominant. Returns 0, or -1 for a bad numeral. */
int music_chord_parse(music_key k, const char *roman, music_chord *out);

/* The three pitch classes of a triad: root, third, fifth. */
void music_chord_tones(music_chord c, int pcs[3]);

#endif
