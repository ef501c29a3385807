/* tempo.c -- onset envelopes, tempo, metrical level and beats.
 *
 * Per frame (mq_tempo_do), the magnitude spectrum is summed into 1/6-octave bands from
 * 30 Hz. Each band is log-compressed relative to its own running mean level, so that a
 * band's onsets count by how much they stand out in it, whatever the track's level and
 * spectral tilt. The positive differences from the previous frame (spectral flux) are
 * summed in six groups -- kick and bass below 150 Hz, 150-400 Hz, 400-1000 Hz,
 * 1-2.5 kHz, 2.5-6 kHz and hats and cymbals above 6 kHz -- and kept with the frame's
 * energy and its kick attack (the linear rise of the magnitudes below 150 Hz, relative
 * to their means): 16 bytes per frame. Bands more than 66 dB below the loudest get a
 * higher floor, so that leakage and dither do not count as onsets.
 *
 * When the track ends (mq_tempo_finish):
 *  1. The active range runs from the first to the last frame within 50 dB of the loudest,
 *     so no beat falls in a silent lead-in or tail.
 *  2. Each group is scaled to unit mean; the beat envelope is their sum with its local
 *     mean (0.5 s) removed. Its autocorrelation, weighted by a broad log-normal tempo
 *     prior (115 BPM, 0.6 octave), gives the most salient period p0 -- the strength at a
 *     period counts its multiples (the bar) too. Without onsets (a steady tone: mean onset
 *     strength under MIN_ONSET) or a clear repetition (white noise) there is no tempo.
 *  3. Beats are tracked by dynamic programming (tempo_beats.c) at p0 and at p0/3, p0/2,
 *     2 p0 and 3 p0, and tempo_meter.c picks the level that is the beat: triple metre
 *     from the contrast of 3-beat cycles, otherwise half or double tempo from the accent
 *     between beats and the kick's periodicity.
 *  4. If the beats carry much less kick attack than the points halfway between them, the
 *     tracker has followed the off-beats (open hats, off-beat bass) and the beats move by
 *     half a period: the beat follows the kick.
 *  5. The tempo is 60 over the median interval of the beats, the confidence the beat
 *     envelope's autocorrelation at the beat period, and the onset rate counts its peaks.
 *
 * Long tracks are analysed in segments of 5 minutes overlapping by 20 s: a segment is
 * analysed as above when it fills and its beats are kept up to the middle of the
 * overlap, so memory stays constant whatever the length. With several segments the
 * tempo is 60 over the median 4-beat interval / 4 of all beats, and the confidence and
 * onset rate are activity-weighted means.
 *
 * Costs: about 0.1 ms of CPU per second of audio for the frames and 0.05 ms at the end;
 * memory 16 bytes per frame of a segment (at most 413 kB), plus about 24 bytes per frame
 * while a segment is analysed. */
#include "analysis/tempo.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/tempo_internal.h"

#define NB_MAX 48           /* 1/6-octave bands from 30 Hz */
#define REC (TEMPO_NG + 2)  /* values kept per frame: group fluxes, energy, kick attack */
#define KICK (TEMPO_NG + 1) /* index of the kick attack in a frame's values */
#define FLUX_Q 1024.0f      /* flux quantisation steps per unit */
#define DB_Q 100.0          /* energy quantisation steps per dB, from -300 dB */
#define KICK_Q 256.0        /* kick attack quantisation steps per unit */
#define OFFBEAT_RATIO 0.6   /* kick attack on beats over between them that means off-beats */
#define MEAN_FRAMES 861     /* frames (10 s) of the running band means */
#define ODF_DELAY 0.010     /* s; see frame_time() */
#define MAX_LAG_S 5.5       /* longest autocorrelation lag, s */
#define MIN_ONSET 0.1       /* least mean onset strength per frame for a pulse */
/* Long tracks are analysed in segments of SEG_FRAMES (5 min), each overlapping the one
 * before by OVERLAP_FRAMES (20 s), so that memory stays constant whatever the length. */
#define SEG_FRAMES 25840
#define OVERLAP_FRAMES 1723

static const double group_hi[TEMPO_NG] = {150, 400, 1000, 2500, 6000, 1e9};

struct mq_tempo {
    int nb;                    /* bands */
    int lo[NB_MAX + 1];        /* first bin of each band; lo[nb] ends the last */
    unsigned char grp[NB_MAX]; /* group of each band */
    float prev[NB_MAX];        /* previous frame's compressed band levels */
    float prev_lin[NB_MAX];    /* previous frame's band magnitudes */
    float mean[NB_MAX];        /* running mean magnitude of each band */
    long nmean;                /* frames in the running means */
    int have_prev;
    uint16_t *rec; /* REC values per frame of the current segment */
    size_t n, cap;
    size_t base;      /* track frame number of rec[0] */
    size_t committed; /* beats before this track frame are final (earlier segments) */
    double *beats;    /* beat times so far, seconds */
    size_t nbeats, beats_cap;
    int segments;     /* segments analysed before the last */
    double conf_sum, onsets, active_frames; /* summaries of those segments */
};

/* What the analysis of one segment found. */
typedef struct seg_result {
    double bpm, confidence, onset_rate, active_frames;
} seg_result;

/* ---- per frame ------------------------------------------------------------------ */

mq_tempo *mq_tempo_new(void) {
    mq_tempo *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    const double bin_hz = (double)MQ_SR / MQ_NFFT;
    double f = 30.0;
    int k = (int)(f / bin_hz);
    while (t->nb < NB_MAX && k < MQ_NBINS - 1) {
        int k1 = k + 1;
        while (k1 < MQ_NBINS && k1 * bin_hz < f * pow(2.0, 1.0 / 6.0)) k1++;
        double centre = sqrt(k * bin_hz * (k1 * bin_hz));
        int g = 0;
        while (centre >= group_hi[g]) g++;
        t->lo[t->nb] = k;
        t->grp[t->nb] = (unsigned char)g;
        t->nb++;
        f = k1 * bin_hz;
        k = k1;
    }
    t->lo[t->nb] = k;
    return t;
}

void mq_tempo_reset(mq_tempo *t) {
    t->have_prev = 0;
    t->nmean = 0;
    memset(t->mean, 0, sizeof t->mean);
    t->n = 0;
    t->base = 0;
    t->committed = 0;
    t->nbeats = 0;
    t->segments = 0;
    t->conf_sum = t->onsets = t->active_frames = 0;
}

/* v * scale rounded into 0..65535; NaN gives 0. */
static uint16_t quantise(double v, double scale) {
    double q = v * scale + 0.5;
    if (!(q > 0)) return 0;
    return q >= 65535 ? 65535 : (uint16_t)q;
}

/* Band magnitudes of one frame into s; returns their total. */
static double band_sums(const mq_tempo *t, const float *mag, float *s) {
    double tot = 0;
    for (int b = 0; b < t->nb; b++) {
        float v = 0;
        for (int k = t->lo[b]; k < t->lo[b + 1]; k++) v += mag[k];
        s[b] = v;
        tot += v;
    }
    return tot;
}

/* The running band means follow the track's level: a cumulative mean over the first
 * 10 s of sound, then an exponential one. Digital silence leaves them alone. */
static void update_means(mq_tempo *t, const float *s, double tot) {
    if (tot <= 1e-6) return;
    t->nmean++;
    float alpha = t->nmean < MEAN_FRAMES ? 1.0f / (float)t->nmean : 1.0f / MEAN_FRAMES;
    for (int b = 0; b < t->nb; b++) t->mean[b] += alpha * (s[b] - t->mean[b]);
}

static int flush_segment(mq_tempo *t);

int mq_tempo_do(mq_tempo *t, const mq_frame *f) {
    if (t->n == SEG_FRAMES && flush_segment(t) != 0) return -1;
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 4096;
        if (nc > SEG_FRAMES) nc = SEG_FRAMES;
        uint16_t *r = realloc(t->rec, nc * REC * sizeof *r);
        if (!r) return -1;
        t->rec = r;
        t->cap = nc;
    }
    float s[NB_MAX], flux[TEMPO_NG] = {0}, kick = 0;
    update_means(t, s, band_sums(t, f->mag, s));
    /* Bands far below the loudest (under -66 dB: leakage, dither) would otherwise count
     * their random wobble as onsets; their floor follows the loudest band's mean. */
    float top = 0;
    for (int b = 0; b < t->nb; b++)
        if (t->mean[b] > top) top = t->mean[b];
    const float floor = 1e-3f + 5e-4f * top;
    for (int b = 0; b < t->nb; b++) {
        float l = logf(1.0f + s[b] / (t->mean[b] + floor));
        if (t->have_prev && l > t->prev[b]) flux[t->grp[b]] += l - t->prev[b];
        if (t->have_prev && t->grp[b] == 0 && s[b] > t->prev_lin[b])
            kick += (s[b] - t->prev_lin[b]) / (t->mean[b] + floor);
        t->prev[b] = l;
        t->prev_lin[b] = s[b];
    }
    t->have_prev = 1;
    float e = 0;
    for (int i = 0; i < MQ_HOP; i++) e += f->hop[i] * f->hop[i];
    uint16_t *r = t->rec + t->n * REC;
    for (int g = 0; g < TEMPO_NG; g++) r[g] = quantise(flux[g], FLUX_Q);
    r[TEMPO_NG] = quantise(10.0 * log10(e / MQ_HOP + 1e-30) + 300.0, DB_Q);
    r[KICK] = quantise(kick, KICK_Q);
    t->n++;
    return 0;
}

/* ---- envelopes ------------------------------------------------------------------ */

/* Seconds of frame i. The flux of a drum hit peaks about 10 ms before the hit is heard
 * (measured on the dev corpus): the frame's window already holds half of the attack. */
static double frame_time(double i) { return (i * MQ_HOP + MQ_NFFT / 2.0) / MQ_SR + ODF_DELAY; }

static double bpm_of(double period) { return 60.0 * MQ_FPS / period; }

/* The active range [*s, *e): from the first to the last frame within 50 dB of the
 * loudest. Returns 0 when all is silent. The energy is that of the frame's newest hop,
 * 3.5 hops after its centre, and the flux sees an attack a few frames earlier still. */
static int find_activity(const mq_tempo *t, size_t *s, size_t *e) {
    uint16_t emax = 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->rec[i * REC + TEMPO_NG] > emax) emax = t->rec[i * REC + TEMPO_NG];
    if (emax < (uint16_t)(180 * DB_Q)) return 0; /* below -120 dB */
    uint16_t thr = (uint16_t)(emax - 50 * DB_Q);
    size_t a = 0, b = t->n;
    while (a < t->n && t->rec[a * REC + TEMPO_NG] < thr) a++;
    while (b > a && t->rec[(b - 1) * REC + TEMPO_NG] < thr) b--;
    *s = a > 6 ? a - 6 : 0;
    *e = b;
    return b > a;
}

/* Scales each group to unit mean over the active range. Returns the mean onset strength
 * per frame before scaling, summed over the groups (log-flux units): about 1 to 2 for
 * music, 0.01 for a steady tone, whose envelope is only the wobble of its spectrum. */
static double group_scales(const mq_tempo *t, tempo_env *v) {
    double total = 0;
    for (int g = 0; g < TEMPO_NG; g++) {
        double m = 0;
        for (size_t i = v->s; i < v->e; i++) m += t->rec[i * REC + g];
        v->scale[g] = m > 0 ? (float)((double)(v->e - v->s) / m) : 0.0f;
        total += m / (double)(v->e - v->s) / FLUX_Q;
    }
    return total;
}

/* out = the weighted sum of the groups minus its mean over +-22 frames, zero outside
 * the active range, scaled to unit standard deviation; tmp is scratch of n floats. */
static void make_envelope(const tempo_env *v, const float w[TEMPO_NG], float *out, float *tmp) {
    for (size_t i = 0; i < v->n; i++) {
        float x = 0;
        for (int g = 0; g < TEMPO_NG; g++) x += w[g] * tempo_group(v, g, (long)i);
        tmp[i] = x;
    }
    const size_t half = 22;
    size_t lo = 0, hi = 0;
    double sum = 0, pow2 = 0;
    for (size_t i = 0; i < v->n; i++) {
        while (hi < v->n && hi <= i + half) sum += tmp[hi++];
        while (lo + half < i) sum -= tmp[lo++];
        out[i] = (i >= v->s && i < v->e) ? (float)(tmp[i] - sum / (double)(hi - lo)) : 0.0f;
        pow2 += (double)out[i] * out[i];
    }
    double sd = sqrt(pow2 / (double)(v->e - v->s)) + 1e-9;
    for (size_t i = 0; i < v->n; i++) out[i] = (float)(out[i] / sd);
}

double tempo_autocorr(const float *o, size_t s, size_t e, double lag) {
    long l0 = (long)lag;
    double r[2] = {0, 0}, z = 0;
    for (size_t i = s; i < e; i++) z += (double)o[i] * o[i];
    if (z <= 0 || lag < 0) return 0;
    for (int k = 0; k < 2; k++) {
        size_t l = (size_t)(l0 + k);
        double acc = 0;
        for (size_t i = s + l; i < e; i++) acc += (double)o[i] * o[i - l];
        r[k] = e - s > l ? acc / (double)(e - s - l) : 0;
    }
    double fr = lag - (double)l0;
    return ((1 - fr) * r[0] + fr * r[1]) / (z / (double)(e - s));
}

/* a[0..maxlag] = the autocorrelation of o at each whole lag, normalised by lag 0. */
static void autocorr_all(const float *o, size_t s, size_t e, double *a, int maxlag) {
    for (int l = 0; l <= maxlag; l++) {
        double acc = 0;
        for (size_t i = s + (size_t)l; i < e; i++) acc += (double)o[i] * o[i - l];
        a[l] = e - s > (size_t)l ? acc / (double)(e - s - (size_t)l) : 0;
    }
    double a0 = a[0] > 0 ? a[0] : 1;
    for (int l = 0; l <= maxlag; l++) a[l] /= a0;
}

/* ---- tempo ---------------------------------------------------------------------- */

static double ac_at(const double *a, int maxlag, double l) {
    if (l < 0 || l >= maxlag) return 0;
    int i = (int)l;
    double fr = l - i;
    return a[i] * (1 - fr) + a[i + 1] * fr;
}

/* How strongly the envelope repeats at period l: there and, with less weight, at the
 * multiples that a bar of two, three or four beats would make. */
static double salience(const double *a, int maxlag, double l) {
    double a2 = ac_at(a, maxlag, 2 * l), a3 = ac_at(a, maxlag, 3 * l);
    return ac_at(a, maxlag, l) + 0.5 * (a2 > a3 ? a2 : a3) + 0.25 * ac_at(a, maxlag, 4 * l);
}

static double log_prior(double period) {
    double z = log2(bpm_of(period) / 115.0) / 0.6;
    return -0.5 * z * z;
}

/* The most salient period between 40 and 220 BPM, in frames; 0 if none repeats. */
static double salient_period(const double *a, int maxlag) {
    double best = -1e300, p0 = 0;
    for (double l = 60.0 * MQ_FPS / 220.0; l <= 60.0 * MQ_FPS / 40.0; l += 0.25) {
        double sal = salience(a, maxlag, l);
        if (sal <= 0) continue;
        double v = log(sal) + 0.3 * log_prior(l);
        if (v > best) {
            best = v;
            p0 = l;
        }
    }
    return p0;
}

/* Is there a pulse at p0? Its autocorrelation must clear both 0.1 and what the best of
 * many lags of a random envelope of this length would reach by chance. */
static int has_pulse(const double *a, int maxlag, double p0, size_t frames) {
    double floor = 5.0 / sqrt((double)frames);
    return p0 > 0 && ac_at(a, maxlag, p0) >= (floor > 0.1 ? floor : 0.1);
}

/* Onsets per second over the active range: peaks of the beat envelope at least half a
 * standard deviation above its local mean that are the largest within 35 ms. */
static double onset_rate(const tempo_env *v) {
    const float *o = v->beat;
    size_t cnt = 0;
    for (size_t i = v->s; i < v->e; i++) {
        if (o[i] < 0.5f) continue;
        int peak = 1;
        for (size_t j = i > v->s + 3 ? i - 3 : v->s; j <= i + 3 && j < v->e && peak; j++)
            if (o[j] > o[i] || (o[j] == o[i] && j < i)) peak = 0;
        cnt += (size_t)peak;
    }
    return (double)cnt / ((double)(v->e - v->s) / MQ_FPS);
}

/* ---- beats ---------------------------------------------------------------------- */

static int cmp_long(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* 60 over the median interval of the beats b[0..nb), or the period's tempo. */
static double median_bpm(const long *b, long nb, double period) {
    long n = nb - 1;
    if (n < 4) return bpm_of(period);
    long *d = malloc((size_t)n * sizeof *d);
    if (!d) return bpm_of(period);
    for (long k = 0; k < n; k++) d[k] = b[k + 1] - b[k];
    qsort(d, (size_t)n, sizeof *d, cmp_long);
    double med = n % 2 ? (double)d[n / 2] : 0.5 * (double)(d[n / 2 - 1] + d[n / 2]);
    free(d);
    /* whole-frame intervals: keep the finer period unless they disagree by over 2 % */
    return fabs(med / period - 1) > 0.02 ? bpm_of(med) : bpm_of(period);
}

/* The largest kick attack within a frame of f. */
static double kick_near(const tempo_env *v, long f) {
    double m = 0;
    for (long i = f - 1; i <= f + 1; i++)
        if (i >= (long)v->s && i < (long)v->e && v->rec[(size_t)i * v->stride + KICK] > m)
            m = v->rec[(size_t)i * v->stride + KICK];
    return m;
}

/* Has the tracker locked onto the off-beats? The kick is the loudest low attack, so the
 * beats carry more of it than the points halfway between them. The log flux of the
 * envelopes can miss that when off-beat bass notes and open hats stand out more in their
 * bands than a kick that lands in a still ringing bass, hence the linear attack here. */
static int on_offbeats(const tempo_env *v, const long *b, long nb) {
    double on = 0, mid = 0;
    for (long k = 0; k + 1 < nb; k++) {
        on += kick_near(v, b[k]);
        mid += kick_near(v, (b[k] + b[k + 1]) / 2);
    }
    return nb >= 8 && on < OFFBEAT_RATIO * mid;
}

/* Moves the beats b[0..*nb) by half a period: onto the points halfway between them, plus
 * one before the first and one after the last where the track still sounds. b has room
 * for *nb + 1 beats. */
static void shift_half(const tempo_env *v, long *b, long *nb, double period) {
    long n = *nb, half = lround(period / 2);
    long first = b[0] - half, last = b[n - 1] + half;
    for (long k = 0; k + 1 < n; k++) b[k] = (b[k] + b[k + 1]) / 2;
    n--;
    if (first >= (long)v->s) {
        memmove(b + 1, b, (size_t)n * sizeof *b);
        b[0] = first;
        n++;
    }
    if (last < (long)v->e) b[n++] = last;
    *nb = n;
}

/* Appends the chosen level's beats that fall in track frames [t->committed, keep_to) to
 * t->beats, and sets the segment's tempo and confidence. Returns 0 or -1. */
static int emit_beats(mq_tempo *t, const tempo_level *l, size_t keep_to, seg_result *r) {
    for (long k = 0; k < l->nbeats; k++) {
        size_t f = t->base + (size_t)l->beats[k];
        if (f < t->committed || f >= keep_to) continue;
        if (t->nbeats == t->beats_cap) {
            size_t nc = t->beats_cap ? 2 * t->beats_cap : 512;
            double *b = realloc(t->beats, nc * sizeof *b);
            if (!b) return -1;
            t->beats = b;
            t->beats_cap = nc;
        }
        t->beats[t->nbeats++] = frame_time((double)f);
    }
    r->bpm = median_bpm(l->beats, l->nbeats, l->period);
    r->confidence = l->ac < 0 ? 0 : l->ac > 1 ? 1 : l->ac;
    return 0;
}

/* ---- the result ----------------------------------------------------------------- */

/* Tracks and measures the candidate levels around p0 and emits the chosen one. */
static int choose_and_emit(mq_tempo *t, const tempo_env *v, const double *a, int maxlag, double p0,
                           size_t keep_to, seg_result *out) {
    static const double mult[5] = {1.0 / 3, 0.5, 1, 2, 3};
    tempo_level lv[5];
    memset(lv, 0, sizeof lv);
    int rc = -1;
    for (int i = 0; i < 5; i++) {
        double l = p0 * mult[i], bpm = bpm_of(l);
        if (i != 2 && (bpm < 48 || bpm > 205)) continue;
        lv[i].period = l;
        if (tempo_level_measure(&lv[i], v, ac_at(a, maxlag, l)) != 0) goto done;
    }
    tempo_level *ch = &lv[tempo_level_choose(lv)];
    if (on_offbeats(v, ch->beats, ch->nbeats)) {
        long *b = realloc(ch->beats, (size_t)(ch->nbeats + 1) * sizeof *b);
        if (!b) goto done;
        ch->beats = b;
        shift_half(v, ch->beats, &ch->nbeats, ch->period);
    }
    rc = emit_beats(t, ch, keep_to, out);
done:
    for (int i = 0; i < 5; i++) free(lv[i].beats);
    return rc;
}

/* Analyses the frames of the current segment: tempo, metrical level and beats; beats in
 * track frames [t->committed, keep_to) are appended to t->beats. r->bpm stays NaN when
 * there is no pulse. Returns 0, or -1 when out of memory. */
static int analyse_segment(mq_tempo *t, size_t keep_to, seg_result *r) {
    r->bpm = NAN;
    r->confidence = r->onset_rate = r->active_frames = 0;
    tempo_env v = {.n = t->n, .rec = t->rec, .stride = REC};
    if (t->n < (size_t)(4 * MQ_FPS) || !find_activity(t, &v.s, &v.e)) return 0;
    if (v.e - v.s < (size_t)(3 * MQ_FPS)) return 0;
    if (group_scales(t, &v) < MIN_ONSET) return 0; /* no onsets to speak of: no pulse */

    static const float all[TEMPO_NG] = {1, 1, 1, 1, 1, 1}, low[TEMPO_NG] = {1, 0, 0, 0, 0, 0};
    const int maxlag = (int)(MAX_LAG_S * MQ_FPS);
    float *beat = malloc(t->n * sizeof *beat), *kick = malloc(t->n * sizeof *kick);
    float *tmp = malloc(t->n * sizeof *tmp);
    double *a = malloc((size_t)(maxlag + 1) * sizeof *a);
    int rc = -1;
    if (!beat || !kick || !tmp || !a) goto done;
    make_envelope(&v, all, beat, tmp);
    make_envelope(&v, low, kick, tmp);
    v.beat = beat;
    v.kick = kick;
    autocorr_all(beat, v.s, v.e, a, maxlag);
    r->onset_rate = onset_rate(&v);
    r->active_frames = (double)(v.e - v.s);

    double p0 = salient_period(a, maxlag);
    rc = has_pulse(a, maxlag, p0, v.e - v.s) ? choose_and_emit(t, &v, a, maxlag, p0, keep_to, r) : 0;
done:
    free(beat);
    free(kick);
    free(tmp);
    free(a);
    return rc;
}

/* The segment buffer is full: analyse it, keep the beats of all but the last half of the
 * overlap, and carry the overlap over as the start of the next segment. */
static int flush_segment(mq_tempo *t) {
    size_t keep_to = t->base + t->n - OVERLAP_FRAMES / 2;
    seg_result r;
    if (analyse_segment(t, keep_to, &r) != 0) return -1;
    t->committed = keep_to;
    t->segments++;
    t->conf_sum += r.confidence * r.active_frames;
    t->onsets += r.onset_rate * r.active_frames / MQ_FPS;
    t->active_frames += r.active_frames;
    memmove(t->rec, t->rec + (t->n - OVERLAP_FRAMES) * REC, OVERLAP_FRAMES * REC * sizeof *t->rec);
    t->base += t->n - OVERLAP_FRAMES;
    t->n = OVERLAP_FRAMES;
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int mq_tempo_finish(mq_tempo *t, mq_tempo_result *out) {
    memset(out, 0, sizeof *out);
    out->bpm = NAN;
    seg_result r;
    if (analyse_segment(t, SIZE_MAX, &r) != 0) return -1;
    out->beats = t->beats;
    out->nbeats = t->nbeats;
    if (t->segments == 0) { /* the whole track was one segment */
        out->bpm = r.bpm;
        out->confidence = r.confidence;
        out->onset_rate = r.onset_rate;
        return 0;
    }
    /* Several segments: activity-weighted confidence and onset rate, and the tempo from
     * the median interval of all the beats. */
    double act = t->active_frames + r.active_frames;
    out->confidence = act > 0 ? (t->conf_sum + r.confidence * r.active_frames) / act : 0;
    out->onset_rate = act > 0 ? (t->onsets + r.onset_rate * r.active_frames / MQ_FPS) / (act / MQ_FPS) : 0;
    if (t->nbeats >= 8) { /* intervals over 4 beats: a quarter of the frame rounding */
        size_t n = t->nbeats - 4;
        double *d = malloc(n * sizeof *d);
        if (!d) return -1;
        for (size_t k = 0; k < n; k++) d[k] = (t->beats[k + 4] - t->beats[k]) / 4;
        qsort(d, n, sizeof *d, cmp_double);
        double med = d[n / 2];
        free(d);
        if (med > 0) out->bpm = 60.0 / med;
    }
    return 0;
}

void mq_tempo_del(mq_tempo *t) {
    if (!t) return;
    free(t->rec);
    free(t->beats);
    free(t);
}
