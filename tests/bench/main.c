/* main.c -- mixq-bench: the C half of `make bench` (tests/bench/run drives the rest).
 *
 *   mixq-bench speed [--runs N] [--model-dir DIR] FILE...
 *                                         CPU time of decode-only and of the whole
 *                                         analysis per file; x real time per core and
 *                                         the ratio to decoding, beside their targets
 *   mixq-bench deep [--windows N] DIR...  the neural models alone: time per window,
 *                                         share of each layer, x real time per core
 *
 * Exit status: 0 success, 1 a file failed, 2 bad usage. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "analysis/nn/check.h"
#include "analysis/nn/deep.h"
#include "tests/bench/speed.h"

#define TARGET_XRT 300.0   /* analysis speed, x real time per core, at least */
#define TARGET_RATIO 4.0   /* analysis CPU / decode-only CPU, at most */

static const char usage[] =
    "usage: mixq-bench speed [--runs N] [--model-dir DIR] FILE...\n"
    "       mixq-bench deep [--windows N] MODEL_DIR...\n"
    "\n"
    "Measures, in this single-threaded process, the CPU time of decoding each file\n"
    "(analysis/decode.h read to the end) and of analysing it (mq_analyzer_run), the\n"
    "median of N runs each (default 3), and prints x real time per core and the\n"
    "ratio of analysis to decode-only time beside their targets. With --model-dir\n"
    "(repeatable) the analysis includes the deep features.\n"
    "\n"
    "deep: times each model directory alone (single thread): N forward passes\n"
    "(default 20) with the share of each layer, then a 3-minute track through the\n"
    "streaming API at default coverage.\n";

static const char *base(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static int cmd_speed(int argc, char **argv) {
    static const struct option longopts[] = {{"runs", required_argument, NULL, 'r'},
                                             {"model-dir", required_argument, NULL, 'M'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    long runs = 3;
    const char *dirs[8];
    int ndirs = 0;
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "r:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            errno = 0;
            runs = strtol(optarg, &end, 10);
            if (errno || *end || runs < 1 || runs > 64) {
                fprintf(stderr, "mixq-bench speed: --runs wants 1..64, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'M':
            if (ndirs < 8) dirs[ndirs++] = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        fputs(usage, stderr);
        return 2;
    }

    mq_analysis_global_init();
    mq_analyzer_opts opts = {0};
    mq_deep_models *models = NULL;
    if (ndirs > 0) {
        char err[512];
        models = mq_deep_models_load(dirs, ndirs, err, sizeof err);
        if (!models) {
            fprintf(stderr, "mixq-bench speed: %s\n", err);
            return 1;
        }
        opts.deep = models;
    }
    mq_analyzer *a = mq_analyzer_new(&opts);
    if (!a) {
        fputs("mixq-bench speed: out of memory\n", stderr);
        return 1;
    }
    printf("  %-22s %8s %10s %11s %9s %9s\n", "file", "audio s", "decode s", "analysis s",
           "x real", "an/dec");
    mq_speed_result sum = {0};
    int failed = 0;
    for (int i = optind; i < argc; i++) {
        mq_speed_result r;
        char why[300];
        if (mq_speed_file(a, argv[i], (int)runs, &r, why, sizeof why) != 0) {
            printf("  %-22s failed: %s\n", base(argv[i]), why);
            failed = 1;
            continue;
        }
        printf("  %-22s %8.1f %10.4f %11.4f %8.0fx %8.2fx\n", base(argv[i]), r.audio_s,
               r.decode_s, r.analyze_s, r.audio_s / r.analyze_s, r.analyze_s / r.decode_s);
        sum.audio_s += r.audio_s;
        sum.decode_s += r.decode_s;
        sum.analyze_s += r.analyze_s;
        sum.an_decode_s += r.an_decode_s;
        sum.an_rest_s += r.an_rest_s;
    }
    mq_analyzer_del(a);
    mq_deep_models_free(models);
    if (sum.analyze_s <= 0 || sum.decode_s <= 0) return 1;

    double xrt = sum.audio_s / sum.analyze_s, ratio = sum.analyze_s / sum.decode_s;
    printf("  %-22s %8.1f %10.4f %11.4f %8.0fx %8.2fx\n", "all (sum of medians)", sum.audio_s,
           sum.decode_s, sum.analyze_s, xrt, ratio);
    printf("\n");
    printf("  whole feature set      %7.0fx real time per core   target >= %.0fx  %s\n", xrt,
           TARGET_XRT, xrt >= TARGET_XRT ? "ok" : "BELOW TARGET");
    printf("  analysis / decode-only %7.2fx                      target <= %.0fx    %s\n", ratio,
           TARGET_RATIO, ratio <= TARGET_RATIO ? "ok" : "ABOVE TARGET");
    printf("  decode-only alone      %7.0fx real time per core   (the floor)\n",
           sum.audio_s / sum.decode_s);
    double an_total = sum.an_decode_s + sum.an_rest_s;
    if (an_total > 0)
        printf("  breakdown (mq_features): decode %.1f%%, features %.1f%% of the analyzer's CPU;\n"
               "                         features alone %.0fx real time per core\n",
               100 * sum.an_decode_s / an_total, 100 * sum.an_rest_s / an_total,
               sum.an_rest_s > 0 ? sum.audio_s / sum.an_rest_s : 0.0);
    return failed;
}

static int cmd_deep(int argc, char **argv) {
    long windows = 20;
    int i = 1, status = 0;
    if (i + 1 < argc && !strcmp(argv[i], "--windows")) {
        char *end;
        windows = strtol(argv[i + 1], &end, 10);
        if (*end || windows < 1 || windows > 10000) {
            fputs("mixq-bench deep: --windows wants 1..10000\n", stderr);
            return 2;
        }
        i += 2;
    }
    if (i >= argc) {
        fputs(usage, stderr);
        return 2;
    }
    for (; i < argc; i++)
        if (mq_model_bench(argv[i], (int)windows, stdout) != 0) status = 1;
    return status;
}

int main(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "speed")) return cmd_speed(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "deep")) return cmd_deep(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        fputs(usage, stdout);
        return 0;
    }
    fputs(usage, stderr);
    return 2;
}
