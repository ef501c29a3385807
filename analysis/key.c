/* key.c -- musical key, key strength, tuning and mean chroma.
 *
 * Method
 *
 * 1. Pitch content (chroma.c). The stream is decimated to 5.5 kHz and a 0.74 s FFT
 *    every 0.19 s gives spectra fine enough to separate the semitones of bass notes.
 *    Only sinusoidal peaks that stand out of the local spectral floor count, mapped
 *    to pitch classes against an estimated tuning, with less weight the further they
 *    are from the tempered grid (so the just major thirds of 5th partials and of
 *    distortion products count little). Each spectrum gives a treble profile, a bass
 *    profile, its lowest strong note and a tonality (the share of the spectrum in
 *    peaks: near 0 for noise and drums alone).
 *
 * 2. Chords. Each spectrum's profiles (square-root compressed, unit norm) are matched
 *    against templates of major, minor, power (root and fifth), major-seventh,
 *    dominant-seventh and minor-seventh chords on the 12 roots; a template is the sum
 *    of the harmonic series of its notes. Bass on the root adds to a chord's score.
 *    The scores become a posterior over the chords (a softmax), and the posterior,
 *    weighted by the spectrum's tonality, is added to the track's chord histogram over
 *    (root, class): major, minor or power, sevenths counting as their triads. A second
 *    histogram weights the first few seconds of tonal audio most (the opening).
 *
 * 3. Key. Every one of the 24 keys is scored by how likely the chord histogram is
 *    under a distribution of chords given the key, set from pop and rock harmony
 *    (tonic most common, then IV and V, vi and ii; in minor i, VI, VII, iv, the major V
 *    of harmonic minor and III; chromatic chords rare). A power chord may be either
 *    quality. The opening histogram is scored by its chord roots alone, with the tonic
 *    made three times likelier: songs usually start on the tonic, which settles the
 *    loops that read as well in two keys (I ii V I against IV V I, relative keys), and
 *    a track that modulates keeps its opening key, the one that lasts longest. The
 *    opening decides roots only, so a misheard first chord cannot flip the mode. The
 *    correlation of the mean chroma (treble plus half the bass) with Temperley's key
 *    profiles is added, which helps where chord qualities are unclear (distorted
 *    guitars). Score = global + 2 x opening + correlation; the best of 24 keys wins.
 *
 * 4. Strength is the correlation of the mean chroma with the winning key's profile
 *    (0 if negative) times the share of spectra that were tonal; a track with less
 *    than one second of tonal audio (silence, noise, very short files) gets no key
 *    and no tuning. Tuning is the circular mean of all peaks' positions between
 *    semitones.
 *
 * State is constant-size: the chroma analyser's buffers and a few histograms. Cost is
 * about 0.2 ms of CPU per second of audio (decimation filter, 5.4 FFTs of 4096 points
 * and 72 template matches per second). */
#include "analysis/key.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/chroma.h"

/* Parameters. Halving or doubling any of the first six leaves the dev set at 1.000
 * and moves rendered test sets by at most two tracks in a hundred. */
#define SOFTMAX_BETA 20.0  /* sharpness of the chord posterior (template scores are 0..1) */
#define BASS_ON_ROOT 0.3   /* chord score added per unit of bass profile on the root */
#define LOWEST_ON_ROOT 0.1 /* chord score added when the lowest strong note is the root */
#define OPEN_W 2.0         /* weight of the opening's log-likelihood */
#define OPEN_TONIC 3.0     /* how much likelier the tonic chord is in the opening */
#define PROFILE_W 1.0      /* weight of the profile correlation */
#define PROFILE_BASS 0.5   /* weight of the bass profile in the mean chroma */
#define OPEN_TAU_S 3.0     /* the opening's weight decays over this much tonal audio, s */
#define TONAL_FULL 0.1     /* tonality at which a spectrum counts fully */
#define MIN_TONAL_S 1.0    /* less tonal audio than this (s) gives no key and no tuning */

/* Chord vocabulary: intervals above the root and the class the chord counts as. */
enum { CL_MAJ, CL_MIN, CL_POW, NCLASS };
typedef struct chord_type {
    int n, iv[4];
    int cls;
} chord_type;
static const chord_type types[] = {
    {3, {0, 4, 7}, CL_MAJ},     {3, {0, 3, 7}, CL_MIN},     {2, {0, 7}, CL_POW},
    {4, {0, 4, 7, 11}, CL_MAJ}, {4, {0, 4, 7, 10}, CL_MAJ}, {4, {0, 3, 7, 10}, CL_MIN},
};
#define NTYPES ((int)(sizeof types / sizeof *types))
#define NCHORDS (12 * NTYPES) /* chord c has root c % 12 and type c / 12 */

/* P(chord | key) by the root's interval above the tonic, for major and minor triads.
 * The two rows of a mode sum to about 1; chromatic chords get a small floor. */
static const double p_major[2][12] = {
    /* I bII II bIII III IV #IV V bVI VI bVII VII (major triads) */
    {0.35, 0.002, 0.015, 0.01, 0.01, 0.20, 0.002, 0.16, 0.01, 0.005, 0.03, 0.002},
    /* i .. vii (minor triads) */
    {0.005, 0.002, 0.06, 0.002, 0.03, 0.01, 0.002, 0.005, 0.002, 0.09, 0.002, 0.002},
};
static const double p_minor[2][12] = {
    {0.01, 0.002, 0.005, 0.07, 0.002, 0.02, 0.002, 0.10, 0.12, 0.002, 0.11, 0.002},
    {0.35, 0.002, 0.01, 0.002, 0.002, 0.11, 0.002, 0.04, 0.002, 0.002, 0.002, 0.002},
};

/* Temperley's key profiles (Kostka-Payne corpus): how often each scale degree occurs. */
static const double prof_major[12] = {0.748, 0.060, 0.488, 0.082, 0.670, 0.460,
                                      0.096, 0.715, 0.104, 0.366, 0.057, 0.400};
static const double prof_minor[12] = {0.712, 0.084, 0.474, 0.618, 0.049, 0.460,
                                      0.105, 0.747, 0.404, 0.067, 0.133, 0.330};

struct mq_key {
    mq_chroma *chroma;
    double tmpl[NCHORDS][12];    /* chord templates, unit norm */
    double treble[12], bass[12]; /* sums of the spectra's profiles, tonality-weighted */
    double chords[NCLASS][12];   /* chord histogram, (class, root) */
    double opening[NCLASS][12];  /* the same, weighted towards the opening */
    double tonal;                /* sum of the spectra's weights (tonal spectra) */
    double pitched;              /* the same for spectra of a single pitch (no chord) */
    long spectra;                /* spectra seen, tonal or not */
};

/* Templates: each chord note brings its first six harmonics (pitch classes of
 * partials 1..6 lie 0, 0, 7, 0, 4, 7 semitones above it); the 5th partial is nearly
 * ignored, as chroma.c gives little weight to its untempered pitch. */
static void make_templates(mq_key *k) {
    static const int harm_pc[6] = {0, 0, 7, 0, 4, 7};
    static const double harm_w[6] = {1, 0.6, 0.36, 0.22, 0.02, 0.08};
    for (int c = 0; c < NCHORDS; c++) {
        const chord_type *ty = &types[c / 12];
        double *t = k->tmpl[c], norm = 0;
        memset(t, 0, sizeof k->tmpl[c]);
        for (int n = 0; n < ty->n; n++)
            for (int h = 0; h < 6; h++) t[(c % 12 + ty->iv[n] + harm_pc[h]) % 12] += harm_w[h];
        for (int i = 0; i < 12; i++) norm += t[i] * t[i];
        for (int i = 0; i < 12; i++) t[i] /= sqrt(norm);
    }
}

mq_key *mq_key_new(void) {
    mq_key *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    k->chroma = mq_chroma_new();
    if (!k->chroma) {
        free(k);
        return NULL;
    }
    make_templates(k);
    mq_key_reset(k);
    return k;
}

void mq_key_reset(mq_key *k) {
    mq_chroma_reset(k->chroma);
    memset(k->treble, 0, sizeof k->treble);
    memset(k->bass, 0, sizeof k->bass);
    memset(k->chords, 0, sizeof k->chords);
    memset(k->opening, 0, sizeof k->opening);
    k->tonal = 0;
    k->pitched = 0;
    k->spectra = 0;
}

void mq_key_del(mq_key *k) {
    if (!k) return;
    mq_chroma_del(k->chroma);
    free(k);
}

/* x[i] = sqrt(x[i]), then scaled to unit Euclidean norm. Returns the norm before scaling. */
static double compress_normalise(double *x) {
    double s = 0;
    for (int i = 0; i < 12; i++) {
        x[i] = sqrt(x[i]);
        s += x[i] * x[i];
    }
    s = sqrt(s);
    if (s > 0)
        for (int i = 0; i < 12; i++) x[i] /= s;
    return s;
}

/* Adds one spectrum's chord posterior and profiles to the histograms. */
static void add_spectrum(mq_key *k, const mq_chroma_frame *cf) {
    k->spectra++;
    double t[12], b[12];
    memcpy(t, cf->treble, sizeof t);
    memcpy(b, cf->bass, sizeof b);
    if (cf->npeaks < 1 || compress_normalise(t) <= 0) return;
    compress_normalise(b);
    double w = fmin(1.0, cf->tonality / TONAL_FULL);
    if (cf->npeaks < 2) { /* a lone pitch: it counts in the chroma, but makes no chord */
        for (int i = 0; i < 12; i++) {
            k->treble[i] += w * t[i];
            k->bass[i] += w * b[i];
        }
        k->pitched += w;
        return;
    }

    double post[NCHORDS], best = -1e9, z = 0;
    for (int c = 0; c < NCHORDS; c++) {
        double s = 0;
        for (int i = 0; i < 12; i++) s += t[i] * k->tmpl[c][i];
        s += BASS_ON_ROOT * b[c % 12] + (cf->lowest == c % 12 ? LOWEST_ON_ROOT : 0);
        post[c] = s;
        if (s > best) best = s;
    }
    for (int c = 0; c < NCHORDS; c++) z += post[c] = exp(SOFTMAX_BETA * (post[c] - best));
    double wopen = exp(-k->tonal / (OPEN_TAU_S * MQ_CHROMA_FPS));
    for (int c = 0; c < NCHORDS; c++) {
        double p = w * post[c] / z;
        k->chords[types[c / 12].cls][c % 12] += p;
        k->opening[types[c / 12].cls][c % 12] += wopen * p;
    }
    for (int i = 0; i < 12; i++) {
        k->treble[i] += w * t[i];
        k->bass[i] += w * b[i];
    }
    k->tonal += w;
}

void mq_key_do(mq_key *k, const mq_frame *f) {
    /* The first frame brings all its samples, later ones only their newest hop. */
    const float *x = f->index == 0 ? f->pcm : f->hop;
    size_t n = f->index == 0 ? MQ_NFFT : MQ_HOP;
    mq_chroma_frame cf;
    if (mq_chroma_do(k->chroma, x, n, &cf)) add_spectrum(k, &cf);
}

/* log P(chord of class cls on root | key); the tonic chord's probability is multiplied
 * by boost and the distribution renormalised. */
static double chord_logp(int tonic, int minor, int cls, int root, double boost) {
    const double(*p)[12] = minor ? p_minor : p_major;
    int iv = (root - tonic + 12) % 12;
    double pmaj = p[0][iv], pmin = p[1][iv];
    if (iv == 0) {
        if (minor)
            pmin *= boost;
        else
            pmaj *= boost;
    }
    double z = 1 + (boost - 1) * p[minor][0];
    double v = cls == CL_MAJ ? pmaj : cls == CL_MIN ? pmin : pmaj + pmin;
    return log(v / z);
}

/* Mean log-likelihood per chord of histogram h under the key. With roots_only, only
 * the chords' roots count (the class is ignored). */
static double key_loglik(const double (*h)[12], int tonic, int minor, double boost,
                         int roots_only) {
    double s = 0, tot = 0;
    for (int r = 0; r < 12; r++) {
        if (roots_only) {
            double n = h[CL_MAJ][r] + h[CL_MIN][r] + h[CL_POW][r];
            tot += n;
            s += n * chord_logp(tonic, minor, CL_POW, r, boost);
            continue;
        }
        for (int q = 0; q < NCLASS; q++) {
            tot += h[q][r];
            s += h[q][r] * chord_logp(tonic, minor, q, r, boost);
        }
    }
    return tot > 0 ? s / tot : 0;
}

/* Pearson correlation of chroma x with a profile rotated to tonic. */
static double correlate(const double *x, const double *prof, int tonic) {
    double mx = 0, mp = 0;
    for (int i = 0; i < 12; i++) {
        mx += x[i];
        mp += prof[i];
    }
    mx /= 12;
    mp /= 12;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < 12; i++) {
        double a = x[(i + tonic) % 12] - mx, b = prof[i] - mp;
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
    for (int i = 0; i < 12; i++) o->chroma[i] = NAN;
    if (k->tonal + k->pitched <= 0) return;

    /* Mean chroma: treble plus some bass, each as a distribution. */
    double v[12], nt = 0, nb = 0, mx = 0;
    for (int i = 0; i < 12; i++) {
        nt += k->treble[i];
        nb += k->bass[i];
    }
    for (int i = 0; i < 12; i++) {
        v[i] = k->treble[i] / nt + (nb > 0 ? PROFILE_BASS * k->bass[i] / nb : 0);
        if (v[i] > mx) mx = v[i];
    }
    for (int i = 0; i < 12; i++) o->chroma[i] = v[i] / mx;
    o->strength = 0;
    if (k->tonal < MIN_TONAL_S * MQ_CHROMA_FPS) return;
    o->tuning_hz = mq_chroma_tuning_hz(k->chroma);

    double best = -INFINITY, corr = 0;
    for (int t = 0; t < 12; t++)
        for (int m = 0; m < 2; m++) {
            double r = correlate(v, m ? prof_minor : prof_major, t);
            double g = key_loglik(k->chords, t, m, 1.0, 0);
            double op = key_loglik(k->opening, t, m, OPEN_TONIC, 1);
            double s = g + OPEN_W * op + PROFILE_W * r;
            if (s > best) {
                best = s;
                corr = r;
                o->tonic = t;
                o->minor = m;
            }
        }
    o->strength = fmax(0.0, corr) * fmin(1.0, k->tonal / (double)k->spectra);
}

const char *mq_key_tonic_name(int pc, int minor) {
    static const char *major[12] = {"C",  "Db", "D",  "Eb", "E",  "F",
                                    "F#", "G",  "Ab", "A",  "Bb", "B"};
    static const char *minr[12] = {"C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B"};
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
