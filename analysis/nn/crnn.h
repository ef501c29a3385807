/* crnn.h — the MusicTaggerCRNN of Choi et al. (ICASSP 2017) on the engine of ops.h.
 *
 * Four blocks of 3x3 convolution (batch norm folded into the weights at load),
 * ELU and max pooling, then two GRU layers and a sigmoid output. Input: a 96 x 1366
 * dB melgram (frequency-major), output: ntags probabilities and the 32-d last GRU
 * state. mq_crnn is read-only after load; mq_crnn_scratch is one thread's buffers. */
#ifndef MQ_NN_CRNN_H
#define MQ_NN_CRNN_H

#include <stddef.h>

#include "analysis/nn/melspec.h"
#include "analysis/nn/prof.h"
#include "analysis/nn/weights.h"

#define MQ_CRNN_MELS 96
#define MQ_CRNN_FRAMES 1366
#define MQ_CRNN_SAMPLES 349440 /* 29.12 s at 12 kHz */
#define MQ_CRNN_SR 12000
#define MQ_CRNN_HOP 256
#define MQ_CRNN_NFFT 512
#define MQ_CRNN_EMB 32

typedef struct mq_crnn mq_crnn;
typedef struct mq_crnn_scratch mq_crnn_scratch;

/* Load from an HDF5 store (layer groups conv1..4, bn1..4, bn_0_freq, gru1, gru2,
 * output); NULL and a message naming the dataset on any mismatch. */
mq_crnn *mq_crnn_load(mq_nn_store *s, int ntags, char *err, size_t errlen);
void mq_crnn_free(mq_crnn *n);

mq_crnn_scratch *mq_crnn_scratch_new(const mq_crnn *n);
void mq_crnn_scratch_free(mq_crnn_scratch *s);

/* Run the network on a melgram [96][1366] (index f*1366 + t). probs [ntags] and
 * emb [32] may be NULL. prof may be NULL. */
void mq_crnn_forward(const mq_crnn *n, mq_crnn_scratch *s, const float *melgram, float *probs,
                     float *emb, mq_nn_prof *prof);

/* The melgram of a 349,440-sample 12 kHz window (centred frames, reflect padding
 * at the window's edges, mel power squared, dB, floor at max - top_db) into s's
 * melgram buffer; returns it ([96][1366]). */
const float *mq_crnn_melgram(mq_crnn_scratch *s, const mq_nn_melspec *mel, mq_nn_melspec_buf *mb,
                             const float *x, double top_db);

#endif
