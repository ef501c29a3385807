/* style.h -- the musical styles the generator knows, as data.
 *
 * A style fixes the meter, the tempo range, the swing and, as step patterns over the
 * sixteenths of one bar, what the drums, the bass and the chord comping play. The
 * styles follow the dev corpus (/work/shared/corpus/README.md): house, techno, dnb,
 * hiphop (swung), rock, ballad, waltz (3/4), funk and pop.
 *
 * Pattern strings have one character per sixteenth (16 for 4/4, 12 for 3/4):
 *   drums: 'X' accent, 'x' normal, 'o' soft, 'g' ghost, '.' nothing;
 *   bass:  'R' root, 'F' fifth, 'O' octave, '-' hold the previous note, '.' rest;
 *   comp:  'C' chord, '-' hold, '.' rest.  An empty string means "not played". */
#ifndef MIXQ_GEN_STYLE_H
#define MIXQ_GEN_STYLE_H

#include "synth.h"

#define STYLE_VARIANTS 2

typedef struct gen_style {
    const char *name;
    int meter;                   /* beats per bar: 4 or 3 */
    double tempo_lo, tempo_hi;   /* BPM range */
    double tempo_lo2, tempo_hi2; /* a second range (fast waltz), 0 if none */
    double swing_lo, swing_hi;   /* default swing range, fraction of a subdivision */
    int swing_grid;              /* swung subdivision: 8 or 16; 0 = either */
    double pad_p, melody_p;      /* probability of a sustained pad / of a melody */
    synth_wave comp_wave;        /* sound of the chord comping */
    const char *kick[STYLE_VARIANTS], *snare[STYLE_VARIANTS], *hat[STYLE_VARIANTS],
        *open_hat[STYLE_VARIANTS];
    const char *bass[STYLE_VARIANTS], *comp[STYLE_VARIANTS];
    int hat_follows_grid;        /* hat variant 0 for 8th swing, 1 for 16th swing */
} gen_style;

/* Number of styles. */
int style_count(void);

/* Style number i (0 <= i < style_count()). */
const gen_style *style_at(int i);

/* Style by name ("house" ...), or NULL. */
const gen_style *style_find(const char *name);

/* A plausible style for a tempo and meter, used when none is given: waltz for 3/4,
 * dnb from 160 BPM, house for 118-135, ballad under 82, otherwise pop. */
const gen_style *style_for_tempo(double bpm, int meter);

#endif
