/* musicnn.h — the musicnn tagger (Pons & Serra 2019) on the engine of ops.h.
 *
 * mq_musicnn holds the weights, loaded once from a manifest + weights.bin store,
 * with batch norms folded where the graph allows, and is read-only afterwards;
 * mq_musicnn_scratch holds one thread's work buffers (allocated once, so a forward
 * pass allocates nothing). Shapes and the graph are those of the model README:
 * 187 x 96 log-mel patch in, 50 sigmoid tags and a 200-d embedding out. */
#ifndef MQ_NN_MUSICNN_H
#define MQ_NN_MUSICNN_H

#include <stddef.h>

#include "analysis/nn/melspec.h"
#include "analysis/nn/prof.h"
#include "analysis/nn/weights.h"

#define MQ_MUSICNN_T 187       /* frames per patch */
#define MQ_MUSICNN_MELS 96
#define MQ_MUSICNN_FE 561      /* front-end features */
#define MQ_MUSICNN_MID 753     /* front end + 3 x 64 mid-end features */
#define MQ_MUSICNN_POOLED 1506
#define MQ_MUSICNN_EMB 200
#define MQ_MUSICNN_HOP 256
#define MQ_MUSICNN_NFFT 512
#define MQ_MUSICNN_SR 16000

typedef struct mq_musicnn mq_musicnn;
typedef struct mq_musicnn_scratch mq_musicnn_scratch;

/* Outputs of one patch; any pointer may be NULL. Intermediates (for the model
 * check): bn_input [187][96], frontend [187][561], midend [187][753]. */
typedef struct mq_musicnn_out {
    float *probs, *logits, *penultimate, *pooled;
    float *bn_input, *frontend, *midend;
} mq_musicnn_out;

/* Load and fold the weights of a network with ntags outputs; NULL and a message
 * naming the tensor on a missing tensor or shape mismatch. */
mq_musicnn *mq_musicnn_load(mq_nn_store *s, int ntags, char *err, size_t errlen);
void mq_musicnn_free(mq_musicnn *n);

/* One thread's buffers for n (NULL when out of memory). */
mq_musicnn_scratch *mq_musicnn_scratch_new(const mq_musicnn *n);
void mq_musicnn_scratch_free(mq_musicnn_scratch *s);

/* Run the network on one log-mel patch [187][96]. prof may be NULL. */
void mq_musicnn_forward(const mq_musicnn *n, mq_musicnn_scratch *s, const float *logmel,
                        mq_musicnn_out *out, mq_nn_prof *prof);

/* musicnn's log compression in place: x = log10(10000 * fp16(x) + 1). */
void mq_musicnn_log(float *mel, size_t n);

/* Log-mel of one patch from a window of 16 kHz audio: frame j is
 * x[256 j .. 256 j + 512), j = 0..186 (the caller centres and pads), into
 * s's patch buffer; returns that buffer ([187][96]). When nframes < 187 only
 * the first nframes frames are computed and repeated to fill the patch. */
const float *mq_musicnn_patch_logmel(const mq_musicnn *n, mq_musicnn_scratch *s,
                                     const mq_nn_melspec *mel, mq_nn_melspec_buf *mb,
                                     const float *x, int nframes);

#endif
