/* Unit tests of analysis/waveform.c: the overview keeps exact extremes at any length. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "analysis/waveform.h"

static void run(uint64_t n) {
    mq_waveform *w = malloc(sizeof *w);
    cr_assert_not_null(w);
    mq_waveform_reset(w);
    float buf[997];
    uint64_t done = 0;
    while (done < n) {
        size_t k = n - done < 997 ? (size_t)(n - done) : 997;
        for (size_t i = 0; i < k; i++) buf[i] = (float)((done + i) % 1000) / 1000.0f - 0.5f;
        if (done == 0 && k > 10) buf[10] = -1.0f; /* one extreme early on */
        mq_waveform_do(w, buf, k);
        done += k;
    }
    float mn[MQ_WAVEFORM_POINTS], mx[MQ_WAVEFORM_POINTS];
    size_t m = mq_waveform_get(w, mn, mx);
    cr_assert_eq(m, n < MQ_WAVEFORM_POINTS ? n : MQ_WAVEFORM_POINTS, "%zu points for %lu", m,
                 (unsigned long)n);
    float lo = 1;
    for (size_t i = 0; i < m; i++) {
        cr_assert(mn[i] <= mx[i]);
        if (mn[i] < lo) lo = mn[i];
    }
    if (n > 10) cr_assert_float_eq(lo, -1.0f, 0, "the early extreme survives merging");
    free(w);
}

Test(waveform, short_tracks_give_one_point_per_sample) { run(500); }
Test(waveform, exact_length) { run(1000); }
Test(waveform, odd_length) { run(123457); }
Test(waveform, long_track) { run(3000000); }
