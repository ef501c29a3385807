/* rng.h -- deterministic pseudo-random numbers for the synthetic-music generator.
 *
 * A gen_rng is a splitmix64 stream: the same seed always gives the same sequence on
 * every platform. The generator never uses rand() or the clock; every random choice
 * flows from a seed given on the command line. */
#ifndef MIXQ_GEN_RNG_H
#define MIXQ_GEN_RNG_H

#include <stdint.h>

typedef struct gen_rng {
    uint64_t state;
} gen_rng;

/* Start a stream at seed. */
void rng_init(gen_rng *r, uint64_t seed);

/* Hash a seed and two labels into a new, well-mixed seed (for independent sub-streams). */
uint64_t rng_derive(uint64_t seed, uint64_t a, uint64_t b);

/* Next 64 random bits. */
uint64_t rng_next(gen_rng *r);

/* Uniform double in [0, 1). */
double rng_uniform(gen_rng *r);

/* Uniform double in [lo, hi). */
double rng_range(gen_rng *r, double lo, double hi);

/* Uniform integer in [0, n); n must be > 0. */
int rng_int(gen_rng *r, int n);

/* 1 with probability p, else 0. */
int rng_chance(gen_rng *r, double p);

/* Shuffle idx[0..n) in place (Fisher-Yates). */
void rng_shuffle(gen_rng *r, int *idx, int n);

#endif
