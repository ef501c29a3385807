/* check.h — verify a model directory against its test vectors, and time it.
 *
 * `mixq model check DIR` calls mq_model_check: it loads DIR, runs every stage
 * its README describes test vectors for (front end, network on the reference
 * input, end to end, the streaming per-track API, and for the CRNN the MP3s'
 * top tags), prints the largest error of each stage next to the README's
 * tolerance, and says PASS or FAIL. */
#ifndef MQ_NN_CHECK_H
#define MQ_NN_CHECK_H

#include <stdio.h>

/* Check the model in dir against dir/testvectors; report to out. Returns 0 when
 * every stage is within tolerance, 1 otherwise (including load errors). */
int mq_model_check(const char *dir, FILE *out);

/* Time the model in dir on synthetic audio: `windows` single-thread forward passes
 * (per-stage shares of the time), then one 180 s 44.1 kHz track through the
 * streaming API at default coverage. Reports to out; 0 on success, 1 on error. */
int mq_model_bench(const char *dir, int windows, FILE *out);

#endif
