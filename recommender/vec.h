/* vec.h -- the compact vectors of the index: timbre, chroma and embeddings in 8 bits.
 *
 * Vectors are L2-normalised, then stored as 8-bit integers (x * 127, or x * 255 when no
 * component is negative), so a cosine similarity is one small integer dot product.
 * Embeddings of any width are first reduced to REC_EMB_DIM dimensions by a fixed random
 * projection (entries +-1 drawn from a hash of their position, so every process projects
 * alike); cosines are preserved to within about 1/sqrt(REC_EMB_DIM). */
#ifndef REC_VEC_H
#define REC_VEC_H

#include <stddef.h>
#include <stdint.h>

#define REC_MFCC_DIM 12 /* MFCC coefficients 1..12 (0, overall level, is left out) */
#define REC_CHROMA_DIM 12
#define REC_EMB_DIM 32

/* Quantises the n signed values of x (L2-normalised first) into q[n]. Returns 0, or -1
 * when x is all zeros or holds a non-finite value (q is then zeroed). */
int rec_vec_q8(const float *x, size_t n, int8_t *q);
/* The same for non-negative values (negative ones are taken as 0) into unsigned q[n]. */
int rec_vec_u8(const float *x, size_t n, uint8_t *q);
/* Projects the n-dimensional x onto REC_EMB_DIM dimensions and quantises it into q.
 * Returns 0, or -1 as rec_vec_q8 does. */
int rec_vec_project(const float *x, size_t n, int8_t q[REC_EMB_DIM]);

/* Cosine similarities of vectors quantised as above, in [-1, 1] (chroma [0, 1]), at the
 * index's fixed lengths so that the compiler unrolls and vectorises them. */
static inline double rec_vec_cos_mfcc(const int8_t *a, const int8_t *b) {
    int32_t s = 0;
    for (int i = 0; i < REC_MFCC_DIM; i++) s += (int16_t)a[i] * (int16_t)b[i];
    return s / (127.0 * 127.0);
}

static inline double rec_vec_cos_chroma(const uint8_t *a, const uint8_t *b) {
    int32_t s = 0;
    for (int i = 0; i < REC_CHROMA_DIM; i++) s += (int32_t)a[i] * (int32_t)b[i];
    return s / (255.0 * 255.0);
}

/* The same for embeddings. */
static inline double rec_vec_cos_emb(const int8_t *a, const int8_t *b) {
    int32_t s = 0;
    for (int i = 0; i < REC_EMB_DIM; i++) s += (int16_t)a[i] * (int16_t)b[i];
    return s / (127.0 * 127.0);
}

#endif
