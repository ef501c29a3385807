/* score.c -- patterns, bass, chords and melody, bar by bar (see score.h). */
#include "score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

#define LEAD_LO 65 /* F4 */
#define LEAD_HI 84 /* C6 */

double score_beat_period(const gen_track *t) {
    return 60.0 / t->tempo_bpm;
}

double score_beat_time(const gen_track *t, long long i) {
    return t->first_beat_s + (double)i * score_beat_period(t);
}

double score_bar_time(const gen_track *t, long long bar) {
    return score_beat_time(t, bar * t->meter);
}

double score_music_end(const gen_track *t) {
    return t->duration_s - 0.05;
}

long long score_beat_count(const gen_track *t) {
    double end = score_music_end(t);
    if (end <= t->first_beat_s)
        return 0;
    long long n = (long long)ceil((end - t->first_beat_s) / score_beat_period(t));
    while (n > 0 && score_beat_time(t, n - 1) >= end)
        n--;
    while (score_beat_time(t, n) < end)
        n++;
    return n;
}

/* Position p (in sixteenths from the bar start) to beats, with swing: each pair of
 * swung subdivisions has its middle moved later by swing * one subdivision; the
 * positions in between are stretched linearly, so beats never move. */
static double swing_beats(const gen_track *t, double p16) {
    double beat = floor(p16 / 4.0);
    double x = p16 / 4.0 - beat; /* 0..1 within the beat */
    double cell = t->swing_grid == 16 ? 0.25 : 0.5; /* one subdivision, in beats */
    double pair = 2.0 * cell;
    double base = floor(x / pair) * pair;
    double y = x - base;
    double mid = cell * (1.0 + t->swing);
    y = y < cell ? y * (mid / cell) : mid + (y - cell) * ((pair - mid) / cell);
    return beat + base + y;
}

typedef struct bar_ctx {
    const gen_track *t;
    long long bar;
    double start, period, end;
    gen_event *ev;
    int n, cap;
    gen_rng rng;
} bar_ctx;

static double pos_time(const bar_ctx *c, double p16) {
    return c->start + swing_beats(c->t, p16) * c->period;
}

static void emit(bar_ctx *c, double p16, double len16, synth_inst inst, double midi, float vel) {
    double t0 = pos_time(c, p16);
    if (t0 >= c->end || c->n >= c->cap)
        return;
    gen_event *e = &c->ev[c->n++];
    e->time_s = t0;
    e->dur_s = len16 > 0 ? pos_time(c, p16 + len16) - t0 : 0.0;
    e->inst = inst;
    e->midi = midi;
    e->vel = vel;
    e->seed = (uint32_t)rng_next(&c->rng);
}

static float drum_vel(char ch) {
    switch (ch) {
    case 'X': return 1.0f;
    case 'x': return 0.8f;
    case 'o': return 0.55f;
    case 'g': return 0.3f;
    default: return 0.0f;
    }
}

static int steps(const gen_track *t) {
    return t->meter * 4;
}

static void drum_part(bar_ctx *c, const char *pat, synth_inst inst, int fill) {
    int n = (int)strlen(pat);
    for (int p = 0; p < n && p < steps(c->t); p++) {
        float v = drum_vel(pat[p]);
        if (v <= 0)
            continue;
        if (fill && inst != SYNTH_KICK && p >= steps(c->t) - 4)
            continue; /* the fill replaces the last beat */
        emit(c, p, 0, inst, 0, v * (float)rng_range(&c->rng, 0.9, 1.05));
    }
}

static void drums(bar_ctx *c) {
    const gen_track *t = c->t;
    const gen_style *s = t->style;
    int dv = t->drum_variant;
    int hv = s->hat_follows_grid ? (t->swing_grid == 16) : dv;
    int intro = c->bar < t->intro_bars;
    int fill = !intro && c->bar % 8 == 7;
    drum_part(c, s->kick[dv], SYNTH_KICK, fill);
    drum_part(c, s->hat[hv], SYNTH_HAT, fill);
    if (!intro) {
        drum_part(c, s->snare[dv], SYNTH_SNARE, fill);
        drum_part(c, s->open_hat[dv], SYNTH_OPEN_HAT, fill);
    }
    if (fill) {
        static const float rise[4] = {0.45f, 0.55f, 0.7f, 0.9f};
        for (int k = 0; k < 4; k++)
            emit(c, steps(t) - 4 + k, 0, SYNTH_SNARE, 0, rise[k]);
    }
    if (c->bar > 0 && c->bar % 8 == 0 && c->bar >= t->intro_bars)
        emit(c, 0, 0, SYNTH_OPEN_HAT, 0, 1.0f); /* a crash-like accent every 8 bars */
}

/* Length in sixteenths of the note at p: itself plus the '-' that follow. */
static int held(const char *pat, int p, int n) {
    int len = 1;
    while (p + len < n && pat[p + len] == '-')
        len++;
    return len;
}

/* The MIDI note of pitch class pc in [lo, lo + 12). */
static int place(int pc, int lo) {
    return lo + ((pc - lo) % 12 + 12) % 12;
}

static void bass(bar_ctx *c, music_chord ch) {
    const char *pat = c->t->style->bass[c->t->part_variant];
    int n = (int)strlen(pat);
    int root = place(ch.root_pc, 36); /* C2..B2 */
    for (int p = 0; p < n && p < steps(c->t); p++) {
        int midi;
        switch (pat[p]) {
        case 'R': midi = root; break;
        case 'F': midi = root + 7; break;
        case 'O': midi = root + 12; break;
        default: continue;
        }
        float v = (p % 4 == 0 ? 1.0f : 0.85f) * (float)rng_range(&c->rng, 0.92, 1.0);
        emit(c, p, held(pat, p, n) * 0.9, SYNTH_BASS, midi, v);
    }
}

static void chords(bar_ctx *c, music_chord ch) {
    int pcs[3];
    music_chord_tones(ch, pcs);
    if (c->t->pad)
        for (int k = 0; k < 3; k++)
            emit(c, 0, steps(c->t), SYNTH_PAD, place(pcs[k], 55), 1.0f);
    const char *pat = c->t->style->comp[c->t->part_variant];
    int n = (int)strlen(pat);
    for (int p = 0; p < n && p < steps(c->t); p++) {
        if (pat[p] != 'C')
            continue;
        float v = (p % 4 == 0 ? 1.0f : 0.85f) * (float)rng_range(&c->rng, 0.9, 1.0);
        for (int k = 0; k < 3; k++)
            emit(c, p, held(pat, p, n) * 0.9, SYNTH_COMP, place(pcs[k], 57), v);
    }
}

static const char *const rhythm44[] = {"x---x---x-x-x---", "x-x-x---x---x---",
                                       "x---x-x-x---x-x-", "x-----x-x---x---",
                                       "x---x---x---x---"};
static const char *const rhythm44_end[] = {"x---x---x-------", "x-------x-------",
                                           "x-x-x-------...."};
static const char *const rhythm44_fast[] = {"x-------x-------", "x-------x---x---",
                                            "x---x---x-------"};
static const char *const rhythm44_fast_end[] = {"x---------------", "x-------x-------"};
static const char *const rhythm34[] = {"x---x---x---", "x-x-x---x---", "x-------x---",
                                       "x-----x-x---"};
static const char *const rhythm34_end[] = {"x-----------", "x-------....", "x---x-------"};
static const char *const rhythm34_fast[] = {"x-------x---", "x-----------", "x---x---x---"};

#define PICK(arr, r) (arr)[rng_int((r), (int)(sizeof(arr) / sizeof((arr)[0])))]

/* Melody: a rhythm template per bar, chord tones on strong steps, scale steps between.
 * It is seeded by the bar's position in an 8-bar cycle, so phrases repeat. */
static void melody(bar_ctx *c, music_chord ch) {
    const gen_track *t = c->t;
    gen_rng r;
    rng_init(&r, rng_derive(t->seed, 0x6d656c6f, (uint64_t)(c->bar % 8)));
    int phrase_end = c->bar % 4 == 3;
    int fast = t->tempo_bpm >= 150;
    const char *rh;
    if (t->meter == 3)
        rh = fast ? PICK(rhythm34_fast, &r) : phrase_end ? PICK(rhythm34_end, &r)
                                                         : PICK(rhythm34, &r);
    else if (fast)
        rh = phrase_end ? PICK(rhythm44_fast_end, &r) : PICK(rhythm44_fast, &r);
    else
        rh = phrase_end ? PICK(rhythm44_end, &r) : PICK(rhythm44, &r);

    int scale[7], tones[3];
    music_scale(t->key, scale);
    music_chord_tones(ch, tones);
    if (t->key.mode == MUSIC_MINOR && ch.degree == 4 && ch.quality == CHORD_MAJOR)
        scale[6] = (scale[6] + 1) % 12; /* harmonic minor over the dominant */
    int notes[32], nn = 0, chord_notes[16], nc = 0;
    for (int m = LEAD_LO; m <= LEAD_HI; m++) {
        int pc = m % 12, in_scale = 0;
        for (int k = 0; k < 7; k++)
            in_scale |= scale[k] == pc;
        if (in_scale)
            notes[nn++] = m;
        if (pc == tones[0] || pc == tones[1] || pc == tones[2])
            chord_notes[nc++] = m;
    }
    int prev = 72 + rng_int(&r, 5) - 2;
    int tonic = t->key.pc;
    int chord_has_tonic = tones[0] == tonic || tones[1] == tonic || tones[2] == tonic;
    int n = (int)strlen(rh), last = n - 1;
    while (last > 0 && rh[last] != 'x')
        last--;
    for (int p = 0; p < n; p++) {
        if (rh[p] != 'x')
            continue;
        int strong = p % (t->meter == 3 ? 4 : 8) == 0;
        /* The tonic opens every phrase (bars 0, 4, ... are on the tonic chord) and
         * closes the 8-bar cycle when the chord allows it. */
        int want_tonic = chord_has_tonic && ((c->bar % 4 == 0 && p == 0) ||
                                             (c->bar % 8 == 7 && p == last));
        int midi;
        if (want_tonic || strong || rng_chance(&r, 0.6)) {
            int target = prev + rng_int(&r, 9) - 4, best = -1, best_d = 1000;
            for (int k = 0; k < nc; k++) {
                int is_tonic = chord_notes[k] % 12 == tonic;
                if (want_tonic && !is_tonic)
                    continue;
                /* chord tones are drawn a little towards the tonic */
                int d = abs(chord_notes[k] - target) - (is_tonic ? 2 : 0);
                if (d < best_d)
                    best_d = d, best = chord_notes[k];
            }
            midi = best;
        } else {
            int i = 0;
            for (int k = 1; k < nn; k++)
                if (abs(notes[k] - prev) < abs(notes[i] - prev))
                    i = k;
            int step = rng_chance(&r, 0.8) ? 1 : 2;
            i += rng_chance(&r, 0.5) ? step : -step;
            if (i < 0)
                i = -i;
            if (i >= nn)
                i = 2 * (nn - 1) - i;
            midi = notes[i];
        }
        prev = midi;
        float v = (strong ? 1.0f : 0.85f) * (float)rng_range(&r, 0.9, 1.0);
        emit(c, p, held(rh, p, n) * 0.9, SYNTH_LEAD, midi, v);
    }
}

int score_bar(const gen_track *t, long long bar, gen_event *ev, int cap) {
    bar_ctx c = {.t = t, .bar = bar, .ev = ev, .cap = cap};
    c.period = score_beat_period(t);
    c.start = score_bar_time(t, bar);
    c.end = score_music_end(t);
    if (c.start >= c.end)
        return 0;
    rng_init(&c.rng, rng_derive(t->seed, 0x626172, (uint64_t)bar)); /* "bar" */
    music_chord ch = t->chords[bar % 4];
    int intro = bar < t->intro_bars;
    if (t->drums)
        drums(&c);
    if (!intro)
        bass(&c, ch);
    chords(&c, ch);
    if (t->melody && !intro)
        melody(&c, ch);
    return c.n;
}
