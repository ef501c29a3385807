/* gen.c -- synthetic catalogue rows for the recommender benchmark, in COPY text format.
 *
 *   gen tracks N              rows of tracks (id, content_hash, uri, title, artist, album)
 *   gen features N [DIM]      rows of track_features (DIM-d embeddings, default 200 as
 *                             musicnn's): genre-typical tempo, uniform key and energy,
 *                             MFCC means, chroma of the key, embedding near the genre's
 *   gen tags N                two rows of track_tags per track (genre, mood)
 *   gen feedback E N U        E rows of user_feedback over N tracks and U listeners
 *
 * Deterministic (the same arguments give the same rows). Standalone: libc only, built by
 * tests/bench_rec/run with cc. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NGENRES 12

static const char *const genres[NGENRES] = {"house",   "techno", "trance",  "drum and bass",
                                            "hip hop", "disco",  "funk",    "downtempo",
                                            "dubstep", "garage", "electro", "soul"};
static const double tempi[NGENRES] = {124, 130, 138, 174, 92, 118, 104, 96, 140, 132, 127, 100};
static const char *const moods[6] = {"dark",  "uplifting", "melancholic",
                                     "party", "dreamy",    "aggressive"};
static const char *const words[24] = {"night",  "light",   "deep",    "blue",   "fire",   "city",
                                      "dream",  "wave",    "signal",  "echo",   "golden", "storm",
                                      "river",  "machine", "shadow",  "velvet", "neon",   "sunset",
                                      "motion", "pulse",   "horizon", "ghost",  "ocean",  "orbit"};

/* splitmix64: the state is the caller's. */
static uint64_t next(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static double unif(uint64_t *s) { return (double)(next(s) >> 11) * 0x1.0p-53; }
static double gauss(uint64_t *s) {
    double u = unif(s) + 1e-12, v = unif(s);
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* The per-track random stream: every table derives the same track from its id. */
static uint64_t seed_of(long id, uint64_t salt) {
    return (uint64_t)id * 0x2545f4914f6cdd1dULL ^ salt;
}

static void tracks(long n) {
    for (long id = 1; id <= n; id++) {
        uint64_t s = seed_of(id, 1);
        printf("%ld\t\\\\x%016llx%016llx\tfile:///bench/%ld.flac\t%s %s\t%s %s\t%s %s\n", id,
               (unsigned long long)id, (unsigned long long)next(&s), id, words[next(&s) % 24],
               words[next(&s) % 24], words[next(&s) % 24], words[next(&s) % 24],
               words[next(&s) % 24], words[next(&s) % 24]);
    }
}

static void features(long n, int dim) {
    /* Genre centroids of the MFCC means and embeddings. */
    double cm[NGENRES][13], *ce = malloc(sizeof(double) * NGENRES * (size_t)dim);
    if (!ce) {
        fputs("gen: out of memory\n", stderr);
        exit(1);
    }
    uint64_t g = 42;
    for (int k = 0; k < NGENRES; k++) {
        for (int i = 0; i < 13; i++) cm[k][i] = 20 * gauss(&g);
        for (int i = 0; i < dim; i++) ce[k * dim + i] = fabs(gauss(&g));
    }
    for (long id = 1; id <= n; id++) {
        uint64_t s = seed_of(id, 2);
        int genre = (int)(id % NGENRES);
        double bpm = tempi[genre] + 2.5 * gauss(&s);
        int key = (int)(next(&s) % 24), num = key / 2 + 1, major = key % 2;
        int tonic = ((num - 8) * 7 % 12 + 12) % 12;
        if (!major) tonic = (tonic + 9) % 12;
        double energy = 0.05 + 0.9 * unif(&s);
        printf("%ld\tmixq-bench/1\t%.2f\t%d\t%s\t%d%c\t%.3f\t%.1f\t{", id, bpm, tonic,
               major ? "major" : "minor", num, major ? 'B' : 'A', energy, -14 + 8 * unif(&s));
        for (int i = 0; i < 13; i++) printf(i ? ",%.2f" : "%.2f", cm[genre][i] + 6 * gauss(&s));
        printf("}\t{");
        for (int i = 0; i < 12; i++) {
            int d = (i - tonic + 12) % 12;
            double c = 0.1 + 0.1 * unif(&s) +
                       (d == 0                 ? 1
                        : d == 7               ? 0.8
                        : d == (major ? 4 : 3) ? 0.6
                                               : 0);
            printf(i ? ",%.3f" : "%.3f", c / 1.2);
        }
        printf("}\t{");
        for (int i = 0; i < dim; i++)
            printf(i ? ",%.3g" : "%.3g", ce[genre * dim + i] + 0.3 * fabs(gauss(&s)));
        printf("}\t{}\n");
    }
    free(ce);
}

static void tags(long n) {
    for (long id = 1; id <= n; id++) {
        uint64_t s = seed_of(id, 3);
        printf("%ld\tmixq-bench/1\tbench\t%s\t%.3f\n", id, genres[id % NGENRES],
               0.6 + 0.35 * unif(&s));
        printf("%ld\tmixq-bench/1\tbench\t%s\t%.3f\n", id, moods[next(&s) % 6],
               0.3 + 0.3 * unif(&s));
    }
}

static void feedback(long e, long n, long users) {
    static const char *const types[4] = {"play", "skip", "like", "play"};
    uint64_t s = 7;
    for (long i = 1; i <= e; i++) {
        long a = (long)(next(&s) % (uint64_t)n) + 1;
        /* Mostly to a track of the same genre nearby in id, so transitions repeat. */
        long b = a + NGENRES * (long)(1 + next(&s) % 8);
        if (b > n) b = a - NGENRES > 0 ? a - NGENRES : a % n + 1;
        printf("bench-%ld\tuser-%ld\t%ld\t%ld\t%s\t2026-01-01T00:00:00Z\n", i,
               (long)(next(&s) % (uint64_t)users), a, b, types[next(&s) % 4]);
    }
}

int main(int argc, char **argv) {
    long n = argc > 2 ? atol(argv[2]) : 0;
    if (argc >= 3 && !strcmp(argv[1], "tracks") && n > 0)
        tracks(n);
    else if (argc >= 3 && !strcmp(argv[1], "features") && n > 0)
        features(n, argc > 3 ? atoi(argv[3]) : 200);
    else if (argc >= 3 && !strcmp(argv[1], "tags") && n > 0)
        tags(n);
    else if (argc == 5 && !strcmp(argv[1], "feedback") && n > 0 && atol(argv[3]) > 0 &&
             atol(argv[4]) > 0)
        feedback(n, atol(argv[3]), atol(argv[4]));
    else {
        fputs("usage: gen tracks N | features N [DIM] | tags N | feedback E N U\n", stderr);
        return 2;
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
