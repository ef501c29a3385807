/* speed.c -- CPU time of decode-only and of mq_analyzer_run on one file, median of runs.
 *
 * Decode-only is the floor any analysis pays: the same libsndfile decoder the analyzer
 * uses (analysis/decode.h), read to the end in blocks of 4096 frames as the analyzer
 * reads, with nothing done to the samples. The runs alternate decode and analysis so
 * that both see the same cache state. */
#include "tests/bench/speed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/decode.h"

#define BLOCK 4096 /* frames per read, as in analysis/analyzer.c */
#define MAX_RUNS 64

static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double mq_speed_median(double *v, size_t n) {
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Decodes path to the end; returns the CPU seconds taken, or -1. Sets *frames, *rate. */
static double decode_once(const char *path, float **buf, size_t *buf_ch, uint64_t *frames,
                          int *rate, char *why, size_t why_len) {
    double t0 = cpu_now();
    mq_error err = {MQ_OK, ""};
    mq_audio_info info;
    mq_decoder *d = mq_decoder_new(path, &info, &err);
    if (!d) {
        snprintf(why, why_len, "%s", err.message);
        return -1;
    }
    if (*buf_ch < (size_t)info.channels) {
        float *nb = realloc(*buf, (size_t)BLOCK * info.channels * sizeof *nb);
        if (!nb) {
            mq_decoder_del(d);
            snprintf(why, why_len, "out of memory");
            return -1;
        }
        *buf = nb;
        *buf_ch = (size_t)info.channels;
    }
    uint64_t total = 0;
    size_t n;
    while ((n = mq_decoder_read(d, *buf, BLOCK)) > 0) total += n;
    mq_decoder_del(d);
    *frames = total;
    *rate = info.sample_rate;
    return cpu_now() - t0;
}

int mq_speed_file(mq_analyzer *a, const char *path, int runs, mq_speed_result *out, char *why,
                  size_t why_len) {
    double dec[MAX_RUNS], an[MAX_RUNS], an_dec[MAX_RUNS], an_rest[MAX_RUNS];
    float *buf = NULL;
    size_t buf_ch = 0;
    uint64_t frames = 0;
    int rate = 0, rc = 0;
    mq_features *f = malloc(sizeof *f);
    if (!f) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    if (runs < 1) runs = 1;
    if (runs > MAX_RUNS) runs = MAX_RUNS;
    for (int r = 0; r < runs; r++) {
        dec[r] = decode_once(path, &buf, &buf_ch, &frames, &rate, why, why_len);
        if (dec[r] < 0) {
            rc = -1;
            break;
        }
        mq_error err = {MQ_OK, ""};
        double t0 = cpu_now();
        if (mq_analyzer_run(a, path, f, &err) != MQ_OK) {
            snprintf(why, why_len, "analysis failed: %s", err.message);
            rc = -1;
            break;
        }
        an[r] = cpu_now() - t0;
        an_dec[r] = f->decode_s;
        an_rest[r] = f->analysis_s;
    }
    if (rc == 0) {
        out->audio_s = rate > 0 ? (double)frames / rate : 0;
        out->decode_s = mq_speed_median(dec, (size_t)runs);
        out->analyze_s = mq_speed_median(an, (size_t)runs);
        out->an_decode_s = mq_speed_median(an_dec, (size_t)runs);
        out->an_rest_s = mq_speed_median(an_rest, (size_t)runs);
    }
    free(buf);
    free(f);
    return rc;
}
