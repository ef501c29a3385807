/* rng.c -- splitmix64 streams and helpers (see rng.h). */
#include "rng.h"

static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rng_init(gen_rng *r, uint64_t seed) {
    r->state = seed;
}

uint64_t rng_derive(uint64_t seed, uint64_t a, uint64_t b) {
    uint64_t h = mix64(seed + 0x9e3779b97f4a7c15ULL);
    h = mix64(h ^ (a + 0x632be59bd9b4e019ULL));
    return mix64(h ^ (b + 0x85157af5ULL));
}

uint64_t rng_next(gen_rng *r) {
    r->state += 0x9e3779b97f4a7c15ULL;
    return mix64(r->state);
}

double rng_uniform(gen_rng *r) {
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double rng_range(gen_rng *r, double lo, double hi) {
    return lo + (hi - lo) * rng_uniform(r);
}

int rng_int(gen_rng *r, int n) {
    return (int)(rng_uniform(r) * n);
}

int rng_chance(gen_rng *r, double p) {
    return rng_uniform(r) < p;
}

void rng_shuffle(gen_rng *r, int *idx, int n) {
    for (int i = n - 1; i > 0; i--) {
        int j = rng_int(r, i + 1);
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}
