/* key.c -- key detection from a chroma profile (baseline).
 *
 * Chroma: spectral energy between 55 Hz and 2 kHz folded onto the 12 pitch classes.
 * Key: the highest Pearson correlation of the track's mean chroma with the 24 rotations
 * of the Krumhansl-Kessler major and minor profiles. */
#include "analysis/key.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mq_key {
    int pc_of_bin[MQ_NBINS]; /* pitch class of each bin, -1 outside the range */
    double sum[12];
    long frames;
};

static const double kk_major[12] = {6.35, 2.23, 3.48, 2.33, 4.38, 4.09,
                                    2.52, 5.19, 2.39, 3.66, 2.29, 2.88};
static const double kk_minor[12] = {6.33, 2.68, 3.52, 5.38, 2.60, 3.53,
                                    2.54, 4.75, 3.98, 2.69, 3.34, 3.17};

mq_key *mq_key_new(void) {
    mq_key *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    for (int b = 0; b < MQ_NBINS; b++) {
        double f = (double)b * MQ_SR / MQ_NFFT;
        if (f < 55 || f > 2000) {
            k->pc_of_bin[b] = -1;
            continue;
        }
        double midi = 69 + 12 * log2(f / 440.0);
        k->pc_of_bin[b] = ((int)lround(midi) % 12 + 12) % 12;
    }
    return k;
}

void mq_key_reset(mq_key *k) {
    memset(k->sum, 0, sizeof k->sum);
    k->frames = 0;
}

void mq_key_do(mq_key *k, const mq_frame *f) {
    if (f->index & 3) return;
    for (int b = 0; b < MQ_NBINS; b++)
        if (k->pc_of_bin[b] >= 0) k->sum[k->pc_of_bin[b]] += (double)f->mag[b] * f->mag[b];
    k->frames++;
}

static double correlate(const double *x, const double *prof, int rot) {
    double mx = 0, mp = 0;
    for (int i = 0; i < 12; i++) {
        mx += x[i];
        mp += prof[i];
    }
    mx /= 12;
    mp /= 12;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < 12; i++) {
        double a = x[(i + rot) % 12] - mx, b = prof[i] - mp;
        sxy += a * b;
        sxx += a * a;
        syy += b * b;
    }
    return sxx > 0 ? sxy / sqrt(sxx * syy) : 0;
}

void mq_key_finish(mq_key *k, mq_key_result *o) {
    o->tonic = -1;
    o->minor = 0;
    o->strength = NAN;
    o->tuning_hz = NAN;
    double mx = 0;
    for (int i = 0; i < 12; i++)
        if (k->sum[i] > mx) mx = k->sum[i];
    for (int i = 0; i < 12; i++) o->chroma[i] = mx > 0 ? k->sum[i] / mx : NAN;
    if (mx <= 1e-9) return;
    double best = -2;
    for (int r = 0; r < 12; r++) {
        double cmaj = correlate(o->chroma, kk_major, r), cmin = correlate(o->chroma, kk_minor, r);
        if (cmaj > best) {
            best = cmaj;
            o->tonic = r;
            o->minor = 0;
        }
        if (cmin > best) {
            best = cmin;
            o->tonic = r;
            o->minor = 1;
        }
    }
    o->strength = best < 0 ? 0 : best;
}

void mq_key_del(mq_key *k) { free(k); }

const char *mq_key_tonic_name(int pc, int minor) {
    static const char *major[12] = {"C", "Db", "D", "Eb", "E", "F",
                                    "F#", "G", "Ab", "A", "Bb", "B"};
    static const char *minr[12] = {"C", "C#", "D", "Eb", "E", "F",
                                   "F#", "G", "G#", "A", "Bb", "B"};
    if (pc < 0 || pc > 11) return "";
    return minor ? minr[pc] : major[pc];
}

void mq_key_camelot(int tonic, int minor, char *buf) {
    /* Camelot numbers: C major is 8B, A minor 8A; each step of a fifth adds one. */
    int major_tonic = minor ? (tonic + 3) % 12 : tonic; /* the relative major */
    int n = (major_tonic * 7 + 7) % 12 + 1;             /* C (0) -> 8, G (7) -> 9 */
    if (n >= 10) *buf++ = '1';
    *buf++ = (char)('0' + n % 10);
    *buf++ = minor ? 'A' : 'B';
    *buf = '\0';
}
