/* speed.h -- CPU time of decoding and of the whole analysis, per file, for mixq-bench.
 *
 * Every figure is CPU time of this process (CLOCK_PROCESS_CPUTIME_ID), so it counts any
 * helper thread a library starts; run it on an otherwise single-threaded process. */
#ifndef MQ_BENCH_SPEED_H
#define MQ_BENCH_SPEED_H

#include <stddef.h>

#include "analysis/analyzer.h"

/* The medians over the runs of one file, in CPU seconds except audio_s. */
typedef struct mq_speed_result {
    double audio_s;    /* decoded length of the file */
    double decode_s;   /* decode only: open, then mq_decoder_read until the end */
    double analyze_s;  /* mq_analyzer_run, decode included */
    double an_decode_s; /* the analyzer's own decode_s (part of analyze_s) */
    double an_rest_s;   /* the analyzer's analysis_s: everything but decoding */
} mq_speed_result;

/* Measures path runs times (at least 1) with the analyzer a. Returns 0, or -1 with a
 * message in why (why_len bytes) when the file cannot be decoded or analysed. */
int mq_speed_file(mq_analyzer *a, const char *path, int runs, mq_speed_result *out, char *why,
                  size_t why_len);

/* The median of the n values in v (sorted in place). n > 0. */
double mq_speed_median(double *v, size_t n);

#endif
