/* analyze.c -- `mixq analyze`: analyse files and directories with no server.
 *
 * The inputs are walked first into a list; N threads, each with its own analyzer, take
 * files from it in order, and the main thread prints each file's line as soon as every
 * line before it has been printed, so output order is the walk order whatever N is. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analyzer.h"
#include "analysis/nn/deep.h"
#include "cli/commands.h"
#include "common/features_json.h"
#include "common/jsonout.h"
#include "common/walk.h"

static const char usage[] =
    "usage: mixq analyze [options] FILE|DIR...\n"
    "\n"
    "Analyses audio files (WAV, AIFF, FLAC, Ogg Vorbis, Opus, MP3) and prints one JSON\n"
    "object per file per line. Directories are walked for files with audio extensions.\n"
    "Exit status: 0 when every file succeeded, 1 when some failed, 2 for usage errors.\n"
    "\n"
    "Options:\n"
    "  -j, --threads N        analysis threads (default: the number of cores)\n"
    "      --max-duration S   fail files longer than S seconds with too_long\n"
    "                         (default 3600; 0 for no limit)\n"
    "      --model-dir DIR    a neural-network model directory for deep features (tags,\n"
    "                         genre, mood, embedding); repeatable, the first is primary.\n"
    "                         Default: MIXQ_MODEL_DIR (directories separated by ':')\n"
    "      --deep-coverage C  'default' (a sample of windows, at most ~30 s of audio) or\n"
    "                         'full' (every window)\n"
    "      --no-deep          skip deep features even when MIXQ_MODEL_DIR is set\n"
    "  -h, --help             this help\n"
    "\n"
    "Fields are documented in docs/features.md.\n";

/* One input file and, once analysed, its JSON line. */
typedef struct job {
    char *path;
    char *line; /* the JSON line, NULL if it could not be made */
    int failed;
    int ready;  /* set, under the batch mutex, once line and failed are final */
} job;

typedef struct batch {
    job *jobs;
    size_t n, cap;
    size_t next;  /* next job to take */
    mq_analyzer_opts opts;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} batch;

static int add_path(const char *path, void *ud) {
    batch *b = ud;
    if (b->n == b->cap) {
        size_t nc = b->cap ? 2 * b->cap : 256;
        job *nj = realloc(b->jobs, nc * sizeof *nj);
        if (!nj) return -1;
        b->jobs = nj;
        b->cap = nc;
    }
    job *j = &b->jobs[b->n];
    memset(j, 0, sizeof *j);
    if (!(j->path = strdup(path))) return -1;
    b->n++;
    return 0;
}

static void walk_error(const char *path, const char *why, void *ud) {
    (void)ud;
    fprintf(stderr, "mixq analyze: skipping %s: %s\n", path, why);
}

/* Analyses one file into its JSON line. */
static void run_one(mq_analyzer *a, job *j, mq_features *f) {
    mq_error err = {MQ_OK, ""};
    json_t *o;
    if (a && mq_analyzer_run(a, j->path, f, &err) == MQ_OK) {
        o = mq_features_to_json(j->path, f);
    } else {
        if (!a) mq_error_set(&err, MQ_ERR_NO_MEMORY, "out of memory");
        o = mq_error_to_json(j->path, &err);
        j->failed = 1;
    }
    j->line = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
    if (!j->line) j->failed = 1;
    json_decref(o);
}

static void *worker(void *arg) {
    batch *b = arg;
    mq_analyzer *a = mq_analyzer_new(&b->opts);
    mq_features *f = malloc(sizeof *f);
    if (!f) {
        mq_analyzer_del(a);
        a = NULL;
    }
    for (;;) {
        pthread_mutex_lock(&b->mu);
        size_t i = b->next < b->n ? b->next++ : b->n;
        pthread_mutex_unlock(&b->mu);
        if (i == b->n) break;
        job *j = &b->jobs[i];
        run_one(a, j, f);
        pthread_mutex_lock(&b->mu);
        j->ready = 1;
        pthread_cond_signal(&b->cv);
        pthread_mutex_unlock(&b->mu);
    }
    free(f);
    mq_analyzer_del(a);
    return NULL;
}

int cmd_analyze(int argc, char **argv) {
    static const struct option longopts[] = {{"threads", required_argument, NULL, 'j'},
                                             {"max-duration", required_argument, NULL, 'm'},
                                             {"model-dir", required_argument, NULL, 'M'},
                                             {"deep-coverage", required_argument, NULL, 'C'},
                                             {"no-deep", no_argument, NULL, 'N'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *model_dirs[16];
    int nmodels = 0, no_deep = 0;
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    batch b;
    memset(&b, 0, sizeof b);
    b.opts.max_duration_s = 3600;
    int c;
    char *end;
    optind = 1;
    while ((c = getopt_long(argc, argv, "j:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j':
            errno = 0;
            threads = strtol(optarg, &end, 10);
            if (errno || *end || threads < 1 || threads > 1024) {
                fprintf(stderr, "mixq analyze: --threads wants a number from 1 to 1024, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'm':
            errno = 0;
            b.opts.max_duration_s = strtod(optarg, &end);
            if (errno || *end || !(b.opts.max_duration_s >= 0)) {
                fprintf(stderr, "mixq analyze: --max-duration wants seconds >= 0, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'M':
            if (nmodels == 16) {
                fputs("mixq analyze: at most 16 --model-dir\n", stderr);
                return 2;
            }
            model_dirs[nmodels++] = optarg;
            break;
        case 'C':
            if (strcmp(optarg, "default") && strcmp(optarg, "full")) {
                fprintf(stderr, "mixq analyze: --deep-coverage is 'default' or 'full', not '%s'\n", optarg);
                return 2;
            }
            b.opts.deep_full = !strcmp(optarg, "full");
            break;
        case 'N':
            no_deep = 1;
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
        fputs("mixq analyze: no FILE or DIR given\n\n", stderr);
        fputs(usage, stderr);
        return 2;
    }
    if (threads < 1) threads = 1;

    int status = 0;
    for (int i = optind; i < argc; i++) {
        int rc = mq_walk(argv[i], add_path, walk_error, &b);
        if (rc == -1 && access(argv[i], F_OK) != 0) {
            /* A missing input still gets its line. */
            if (add_path(argv[i], &b) != 0) rc = -2;
        } else if (rc != 0) {
            fprintf(stderr, "mixq analyze: out of memory while listing %s\n", argv[i]);
            return 1;
        }
    }

    mq_analysis_global_init();
    /* Models are loaded once, before the threads start, and shared read-only. */
    char *env_dirs = NULL;
    mq_deep_models *models = NULL;
    if (!no_deep && nmodels == 0 && getenv("MIXQ_MODEL_DIR") && *getenv("MIXQ_MODEL_DIR")) {
        env_dirs = strdup(getenv("MIXQ_MODEL_DIR"));
        for (char *save = NULL, *d = env_dirs ? strtok_r(env_dirs, ":", &save) : NULL;
             d && nmodels < 16; d = strtok_r(NULL, ":", &save))
            model_dirs[nmodels++] = d;
    }
    if (!no_deep && nmodels > 0) {
        char err[512];
        models = mq_deep_models_load(model_dirs, nmodels, err, sizeof err);
        if (!models) {
            fprintf(stderr, "mixq analyze: %s\n", err);
            free(env_dirs);
            return 2;
        }
        b.opts.deep = models;
    } else if (!no_deep) {
        fputs("mixq analyze: warning: no model directory (--model-dir or MIXQ_MODEL_DIR): "
              "deep features (tags, genre, mood, embedding) are null\n", stderr);
    }
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.cv, NULL);
    if ((size_t)threads > b.n) threads = b.n ? (long)b.n : 1;
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    if (!tids) {
        fputs("mixq analyze: out of memory\n", stderr);
        return 1;
    }
    long started = 0;
    for (long t = 0; t < threads; t++)
        if (pthread_create(&tids[t], NULL, worker, &b) == 0) started++;
    if (started == 0) worker(&b);

    /* Print lines in input order as they become ready. */
    for (size_t i = 0; i < b.n; i++) {
        pthread_mutex_lock(&b.mu);
        while (!b.jobs[i].ready) pthread_cond_wait(&b.cv, &b.mu);
        pthread_mutex_unlock(&b.mu);
        job *j = &b.jobs[i];
        if (j->line) {
            fputs(j->line, stdout);
            fputc('\n', stdout);
            fflush(stdout);
        } else {
            fprintf(stderr, "mixq analyze: could not write the result of %s\n", j->path);
        }
        if (j->failed) status = 1;
        free(j->line);
        free(j->path);
        j->line = NULL;
    }
    for (long t = 0; t < started; t++) pthread_join(tids[t], NULL);
    free(tids);
    free(b.jobs);
    mq_deep_models_free(models);
    free(env_dirs);
    pthread_mutex_destroy(&b.mu);
    pthread_cond_destroy(&b.cv);
    return status;
}
