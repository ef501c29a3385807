/* chroma.c -- tuned bass and treble pitch-class profiles of a mono stream.
 *
 * The 2048-point frames of the main STFT (10.8 Hz per bin) cannot separate the
 * semitones of bass notes (E1 to E2 are 2.5 to 5 Hz apart), so this module makes its
 * own spectra:
 *
 *   1. Decimation. A 64-tap Hamming-windowed sinc low-pass (cutoff 2.75 kHz, about
 *      -50 dB from 3.3 kHz) keeps every 4th sample: 5512.5 Hz. Only output samples are
 *      computed, so it costs 16 multiply-adds per input sample.
 *   2. Spectrum. Every 1024 decimated samples (0.19 s), a 4096-point Hann-windowed FFT
 *      of the last 0.74 s (1.35 Hz per bin), through the shared mq_stft object.
 *   3. Peaks. Local maxima between 36 Hz and 2 kHz that stand well above the local
 *      spectral floor (the mean magnitude over about +-1 semitone) and within 50 dB
 *      of the frame's strongest peak. Noise, the wide-band part of drum hits and the
 *      smeared lobes of pitch glides (kick drums) rarely qualify; sustained notes do.
 *      Each peak's frequency and height come from a parabola through the log
 *      magnitudes of its bin and the two neighbours; its weight is its height above the
 *      floor, so a constant noise bed adds nothing.
 *   4. Tuning. Every peak above 100 Hz votes, by its weight, for the position of the
 *      semitone grid: the circular mean of its pitch modulo one semitone. The running
 *      estimate places the grid for each spectrum; the track's is the final one.
 *   5. Pitch classes. A peak's weight goes to its nearest tuned semitone, scaled by a
 *      Gaussian of its distance from it (sigma 8 cents): played notes sit on the grid,
 *      while the just major third of 5th partials and of distortion products (-14
 *      cents) and 7th partials (-31 cents) count little. It is added to the bass
 *      profile (full below 110 Hz, fading out by 160 Hz) and to the treble profile
 *      (fading in from 90 to 140 Hz). The pitch class of the lowest strong peak below
 *      250 Hz is kept as the bass note.
 *   6. Tonality. The peaks' weights over the total magnitude in the band (doubled, as
 *      a lone Hann-windowed sinusoid puts about half its magnitude sum in its peak
 *      bin), capped at 1: near 0 for noise, drums and silence. */
#include "analysis/chroma.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stft.h"

#define TAPS 64          /* decimation filter length */
#define CUTOFF_HZ 2750.0 /* decimation filter cutoff */
#define NBINS (MQ_CHROMA_NFFT / 2 + 1)
#define FMIN_HZ 36.0       /* lowest peak considered (just below D1) */
#define FMAX_HZ 2000.0     /* highest peak considered (about B6) */
#define FLOOR_RATIO 3.0    /* a peak must exceed the local floor this many times */
#define REL_FLOOR 0.00316  /* and be within 50 dB of the frame's strongest peak */
#define ABS_FLOOR 1e-5     /* and above -100 dBFS (amplitude of a full-scale sine = 1) */
#define TUNE_FMIN_HZ 100.0 /* peaks that vote for the tuning */
#define LOW_FMAX_HZ 250.0  /* the bass note is the lowest strong peak below this */
#define MAX_PEAKS 400
#define GRID_SIGMA 0.08 /* semitones: width of the weighting around the tempered grid */

struct mq_chroma {
    float taps[TAPS];
    float in[TAPS - 1 + MQ_CHROMA_MAX_IN]; /* filter history, then the new block */
    int next;                              /* index in the next block of the next output */
    float dec[MQ_CHROMA_NFFT];             /* the newest decimated samples */
    int dfill;                             /* how many of dec are valid */
    mq_stft *stft;
    float mag[NBINS];
    double cum[NBINS + 1]; /* prefix sums of mag */
    double tune_c, tune_s; /* weighted sum of the peaks' semitone phase vectors */
    int kmin, kmax;        /* bins searched for peaks */
};

/* Hamming-windowed sinc low-pass with unit gain at DC. */
static void design_lowpass(float *h, int n, double fc) {
    double sum = 0, tmp[TAPS];
    for (int i = 0; i < n; i++) {
        double t = i - (n - 1) / 2.0;
        double x = 2.0 * M_PI * fc * t;
        double sinc = fabs(t) < 1e-9 ? 1.0 : sin(x) / x;
        double w = 0.54 - 0.46 * cos(2.0 * M_PI * i / (n - 1));
        tmp[i] = 2.0 * fc * sinc * w;
        sum += tmp[i];
    }
    for (int i = 0; i < n; i++) h[i] = (float)(tmp[i] / sum);
}

mq_chroma *mq_chroma_new(void) {
    mq_chroma *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->stft = mq_stft_new(MQ_CHROMA_NFFT);
    if (!c->stft) {
        free(c);
        return NULL;
    }
    design_lowpass(c->taps, TAPS, CUTOFF_HZ / MQ_SR);
    double df = MQ_CHROMA_SR / MQ_CHROMA_NFFT;
    c->kmin = (int)ceil(FMIN_HZ / df);
    c->kmax = (int)floor(FMAX_HZ / df);
    mq_chroma_reset(c);
    return c;
}

void mq_chroma_reset(mq_chroma *c) {
    memset(c->in, 0, sizeof c->in);
    memset(c->dec, 0, sizeof c->dec);
    c->next = 0;
    c->dfill = MQ_CHROMA_NFFT / 2; /* start with half a window of silence */
    c->tune_c = c->tune_s = 0;
}

void mq_chroma_del(mq_chroma *c) {
    if (!c) return;
    mq_stft_del(c->stft);
    free(c);
}

/* The running tuning: offset of the semitone grid from A4 = 440 Hz, in semitones. */
static double tuning_offset(const mq_chroma *c) {
    if (c->tune_c == 0 && c->tune_s == 0) return 0;
    return atan2(c->tune_s, c->tune_c) / (2.0 * M_PI);
}

double mq_chroma_tuning_hz(const mq_chroma *c) {
    if (c->tune_c == 0 && c->tune_s == 0) return NAN;
    return 440.0 * pow(2.0, tuning_offset(c) / 12.0);
}

/* Linear ramp of log2(f) from 0 at f0 to 1 at f1 (f1 < f0 makes a falling ramp). */
static double ramp(double f, double f0, double f1) {
    double t = log2(f / f0) / log2(f1 / f0);
    return t < 0 ? 0 : t > 1 ? 1 : t;
}

/* Finds the sinusoidal peaks of c->mag: frequencies (Hz) into pf, heights above the
 * local floor (sine amplitude) into pa. Returns their number. */
static int find_peaks(mq_chroma *c, double *pf, double *pa) {
    const float *m = c->mag;
    const double df = MQ_CHROMA_SR / MQ_CHROMA_NFFT;
    const double scale = 4.0 / MQ_CHROMA_NFFT; /* peak magnitude -> sine amplitude */
    c->cum[0] = 0;
    for (int k = 0; k < NBINS; k++) c->cum[k + 1] = c->cum[k] + m[k];
    float top = 0;
    for (int k = c->kmin; k <= c->kmax; k++)
        if (m[k] > top) top = m[k];
    double thresh = fmax(top * REL_FLOOR, ABS_FLOOR / scale);

    int np = 0;
    for (int k = c->kmin; k <= c->kmax && np < MAX_PEAKS; k++) {
        if (m[k] <= m[k - 1] || m[k] < m[k + 1] || m[k] < thresh) continue;
        int w = 4 + k / 16, lo = k - w, hi = k + w; /* about +-1 semitone, >= 4 bins */
        if (hi > NBINS - 1) hi = NBINS - 1;
        double bed = (c->cum[hi + 1] - c->cum[lo]) / (hi - lo + 1);
        if (m[k] < FLOOR_RATIO * bed) continue;
        double a = log(m[k - 1] + 1e-20), b = log(m[k] + 1e-20), g = log(m[k + 1] + 1e-20);
        double den = a - 2 * b + g, p = den < 0 ? 0.5 * (a - g) / den : 0;
        pf[np] = (k + p) * df;
        pa[np] = (exp(b - 0.25 * (a - g) * p) - bed) * scale;
        np++;
    }
    return np;
}

/* Adds the peaks above TUNE_FMIN_HZ to the tuning estimate. */
static void vote_tuning(mq_chroma *c, const double *pf, const double *pa, int np) {
    for (int i = 0; i < np; i++) {
        if (pf[i] < TUNE_FMIN_HZ) continue;
        double th = 2.0 * M_PI * (12.0 * log2(pf[i] / 440.0));
        c->tune_c += pa[i] * cos(th);
        c->tune_s += pa[i] * sin(th);
    }
}

/* Folds the peaks into the frame's profiles against the grid offset off (semitones). */
static void fold_peaks(const double *pf, const double *pa, int np, double off,
                       mq_chroma_frame *out) {
    double low_max = 0;
    for (int i = 0; i < np; i++)
        if (pf[i] < LOW_FMAX_HZ && pa[i] > low_max) low_max = pa[i];
    for (int i = 0; i < np; i++) {
        double q = 69 + 12.0 * log2(pf[i] / 440.0) - off;
        double n = floor(q + 0.5), d = (q - n) / GRID_SIGMA;
        int pc = ((int)n % 12 + 12) % 12;
        double w = pa[i] * exp(-0.5 * d * d);
        out->bass[pc] += w * ramp(pf[i], 160, 110);
        out->treble[pc] += w * ramp(pf[i], 90, 140);
        if (out->lowest < 0 && pf[i] < LOW_FMAX_HZ && pa[i] >= 0.3 * low_max) out->lowest = pc;
    }
}

/* Analyses the spectrum in c->mag into out. */
static void analyse_spectrum(mq_chroma *c, mq_chroma_frame *out) {
    double pf[MAX_PEAKS], pa[MAX_PEAKS], sum = 0;
    memset(out, 0, sizeof *out);
    out->lowest = -1;
    int np = find_peaks(c, pf, pa);
    out->npeaks = np;
    for (int i = 0; i < np; i++) sum += pa[i];
    double band = (c->cum[c->kmax + 1] - c->cum[c->kmin]) * 4.0 / MQ_CHROMA_NFFT;
    out->tonality = band > 0 ? fmin(1.0, 2.0 * sum / band) : 0;
    vote_tuning(c, pf, pa, np);
    fold_peaks(pf, pa, np, tuning_offset(c), out);
}

int mq_chroma_do(mq_chroma *c, const float *x, size_t n, mq_chroma_frame *out) {
    int ready = 0;
    if (n > MQ_CHROMA_MAX_IN) n = MQ_CHROMA_MAX_IN;
    for (size_t j = 0; j < n; j++) c->in[TAPS - 1 + j] = isfinite(x[j]) ? x[j] : 0.0f;
    int i = c->next;
    for (; i < (int)n; i += MQ_CHROMA_DECIM) {
        const float *w = c->in + i; /* the TAPS samples ending at new sample i */
        float acc = 0;
        for (int t = 0; t < TAPS; t++) acc += c->taps[t] * w[t];
        c->dec[c->dfill++] = acc;
        if (c->dfill == MQ_CHROMA_NFFT) {
            mq_stft_do(c->stft, c->dec, c->mag);
            analyse_spectrum(c, out);
            ready = 1;
            memmove(c->dec, c->dec + MQ_CHROMA_HOP,
                    (MQ_CHROMA_NFFT - MQ_CHROMA_HOP) * sizeof *c->dec);
            c->dfill -= MQ_CHROMA_HOP;
        }
    }
    c->next = i - (int)n;
    memmove(c->in, c->in + n, (TAPS - 1) * sizeof *c->in);
    return ready;
}
