/* tempo_beats.c -- beat tracking by dynamic programming (Ellis 2007).
 *
 * Each frame t gets the best score of a chain of beats ending there: its own onset
 * strength plus the best score of a previous beat between half a period and two periods
 * earlier, minus a penalty that grows with the squared log ratio of the interval to the
 * period. The penalty is mild (an interval 5 % off the period costs about as much as a
 * quarter of a typical onset), so the beats follow tempo drifts and ramps of several
 * percent; a chain that cannot be extended profitably starts afresh. The beats are read
 * back from the best score within the last period. Memory is one score and one
 * back-pointer per frame, only during the call. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "analysis/tempo_internal.h"

#define TIGHTNESS 100.0 /* penalty per squared log ratio of interval to period */

/* The penalties of intervals lo..hi, indexed by interval. NULL when out of memory. */
static double *interval_penalties(double period, long lo, long hi) {
    double *pen = malloc((size_t)(hi + 1) * sizeof *pen);
    if (!pen) return NULL;
    for (long d = 0; d <= hi; d++) {
        double z = d >= lo ? log((double)d / period) : 0;
        pen[d] = TIGHTNESS * z * z;
    }
    return pen;
}

/* Fills score and from for frames [s, e) (indexed from s); from is -1 at chain starts. */
static void forward(const float *o, size_t s, size_t e, const double *pen, long lo, long hi,
                    double *score, int32_t *from) {
    long n = (long)(e - s);
    for (long i = 0; i < n; i++) {
        double best = -1e300;
        long arg = -1;
        for (long d = lo; d <= hi && d <= i; d++) {
            double v = score[i - d] - pen[d];
            if (v > best) {
                best = v;
                arg = i - d;
            }
        }
        if (arg >= 0 && best > 0) {
            score[i] = o[s + (size_t)i] + best;
            from[i] = (int32_t)arg;
        } else {
            score[i] = o[s + (size_t)i];
            from[i] = -1;
        }
    }
}

long tempo_track(const float *o, size_t s, size_t e, double period, long **beats) {
    long n = (long)(e - s);
    long lo = lround(period / 2), hi = lround(2 * period);
    if (lo < 1) lo = 1;
    *beats = NULL;
    if (n <= 0) return 0;
    double *score = malloc((size_t)n * sizeof *score);
    int32_t *from = malloc((size_t)n * sizeof *from);
    double *pen = interval_penalties(period, lo, hi);
    long cnt = -1;
    if (!score || !from || !pen) goto done;
    forward(o, s, e, pen, lo, hi, score, from);

    long last = n - 1;
    for (long i = n - 1; i >= 0 && i >= n - 1 - (long)period; i--)
        if (score[i] > score[last]) last = i;
    cnt = 0;
    for (long i = last; i >= 0; i = from[i]) cnt++;
    long *b = malloc((size_t)(cnt ? cnt : 1) * sizeof *b);
    if (!b) {
        cnt = -1;
        goto done;
    }
    long k = cnt;
    for (long i = last; i >= 0; i = from[i]) b[--k] = i + (long)s;
    *beats = b;
done:
    free(score);
    free(from);
    free(pen);
    return cnt;
}
