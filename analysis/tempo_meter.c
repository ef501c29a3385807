/* tempo_meter.c -- which metrical level is the beat.
 *
 * The autocorrelation of the onset envelope finds the pulse's family of periods but not
 * which member is the beat: quarter notes, their eighths and their half notes all repeat.
 * Beats are tracked at each candidate (p0/3, p0/2, p0, 2 p0, 3 p0, those between 48 and
 * 205 BPM) and measured in the band groups:
 *
 *  - triple metre: a waltz accents the first of every three beats (kick, then two
 *    snares), so its 3-beat cycle is much more contrasted than its 2- and 4-beat cycles;
 *    of the candidates that look like that, the one with the least accent halfway between
 *    its beats is the beat (twice the beat would have whole beats there);
 *  - duple metre: a logistic score decides between a level f and its half-tempo s = 2 f,
 *    from the tempo, the accent halfway between f's beats (eighth notes when f is the
 *    beat; sixteenths, hence little, when f is the eighth-note pulse) and the kick's
 *    periodicity (every beat in four on the floor, every bar of four beats otherwise). */
#include <math.h>
#include <stdlib.h>

#include "analysis/tempo_internal.h"

#define WINDOW 24 /* beats per window of the cycle contrasts: 8 bars of 3, 6 of 4 */

static double bpm_of(double period) { return 60.0 * MQ_FPS / period; }

/* Group g's largest onset strength within a frame of f. */
static double peak_near(const tempo_env *v, int g, long f) {
    double m = 0;
    for (long i = f - 1; i <= f + 1; i++) {
        double x = tempo_group(v, g, i);
        if (x > m) m = x;
    }
    return m;
}

/* How differently the beats of an m-beat cycle are accented in b[0..nb): for each group
 * from g0 on, the log ratio of its largest to its smallest mean over the m slots (beat
 * index modulo m), averaged over those groups. */
static double cycle_contrast(const tempo_env *v, const long *b, long nb, int m, int g0) {
    double sum[4][TEMPO_NG] = {{0}};
    long cnt[4] = {0};
    for (long k = 0; k < nb; k++) {
        for (int g = 0; g < TEMPO_NG; g++) sum[k % m][g] += peak_near(v, g, b[k]);
        cnt[k % m]++;
    }
    double s = 0;
    for (int g = g0; g < TEMPO_NG; g++) {
        double lo = 1e300, hi = -1e300;
        for (int j = 0; j < m; j++) {
            double l = log(sum[j][g] / (double)cnt[j] + 0.05);
            if (l < lo) lo = l;
            if (l > hi) hi = l;
        }
        s += hi - lo;
    }
    return s / (TEMPO_NG - g0);
}

/* cycle_contrast() averaged over windows of WINDOW beats, so that a bar whose phase
 * shifts now and then (an odd bar, a loop's seam) does not blur the cycles. 0 for fewer
 * than two cycles. */
static double slot_contrast(const tempo_env *v, const long *b, long nb, int m, int g0) {
    if (m < 2 || m > 4 || nb < 2 * m) return 0;
    if (nb < 2 * WINDOW) return cycle_contrast(v, b, nb, m, g0);
    double s = 0;
    long w = 0;
    for (long k = 0; k + WINDOW <= nb; k += WINDOW, w++)
        s += cycle_contrast(v, b + k, WINDOW, m, g0);
    return s / (double)w;
}

/* Accent (all groups) halfway between consecutive beats over accent on the beats. */
static double mid_ratio(const tempo_env *v, const long *b, long nb) {
    double on = 0, mid = 0;
    for (long k = 0; k + 1 < nb; k++)
        for (int g = 0; g < TEMPO_NG; g++) {
            on += peak_near(v, g, b[k]);
            mid += peak_near(v, g, (b[k] + b[k + 1]) / 2);
        }
    return on > 0 ? mid / on : 1;
}

int tempo_level_measure(tempo_level *l, const tempo_env *v, double ac) {
    l->nbeats = tempo_track(v->beat, v->s, v->e, l->period, &l->beats);
    if (l->nbeats < 0) return -1;
    l->ac = ac;
    for (int m = 0; m < 3; m++)
        l->kick[m] = tempo_autocorr(v->kick, v->s, v->e, (1 << m) * l->period);
    l->mid = mid_ratio(v, l->beats, l->nbeats);
    l->alt2 = 0.5 * (slot_contrast(v, l->beats, l->nbeats, 2, 0) +
                     slot_contrast(v, l->beats, l->nbeats, 2, 2));
    l->alt3 = slot_contrast(v, l->beats, l->nbeats, 3, 0);
    l->alt4 = slot_contrast(v, l->beats, l->nbeats, 4, 0);
    return 0;
}

/* Is l the beat of a triple metre? Its 3-beat cycle is clearly more contrasted than its
 * 2- and 4-beat ones (on 230 tracks: at least 1.5 times for waltzes, at most 1.02 times
 * for duple metres), and the envelope does repeat at its period. */
static int is_triple(const tempo_level *l) {
    double m = l->alt2 > l->alt4 ? l->alt2 : l->alt4;
    return l->ac > 0.3 && l->alt3 > 1.3 * m;
}

/* Evidence, as a logit, that the slower level s (twice f's period) rather than f is the
 * beat of a duple metre. The weights come from a logistic regression on 170 tracks
 * rendered with FluidSynth in the corpus styles (not the dev set); every sign is the
 * musical one: faster beats are likelier at the same ratio, eighth notes between f's
 * beats make f the beat, and so does a kick repeating every f or every 4 f (a bar of f),
 * while a kick repeating only every 4 s (a bar of s) makes s the beat. */
static double slower_evidence(const tempo_level *f, const tempo_level *s) {
    return 2.54 + 1.26 * log2(bpm_of(s->period) / 90.0) - 8.90 * f->mid - 2.78 * f->kick[0] -
           3.52 * f->kick[2] + 3.42 * s->kick[2];
}

int tempo_level_choose(const tempo_level lv[5]) {
    int best = -1;
    for (int i = 0; i < 5; i++)
        if (lv[i].period > 0 && is_triple(&lv[i]) && (best < 0 || lv[i].mid < lv[best].mid))
            best = i;
    if (best >= 0) return best;
    if (lv[3].period > 0 && slower_evidence(&lv[2], &lv[3]) > 0) return 3;
    if (lv[1].period > 0 && slower_evidence(&lv[1], &lv[2]) <= 0) return 1;
    return 2;
}
