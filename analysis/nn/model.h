/* model.h — one pretrained tagger loaded from its directory, whatever its
 * architecture, and the per-thread object that runs it on windows of audio.
 *
 * A directory with manifest.json is a musicnn model (flat weights.bin); one with
 * model.json is a CRNN (HDF5 weights). mq_nn_model is immutable after load and
 * shared read-only by all threads; each thread makes its own mq_nn_runner.
 * Loading is not thread-safe (FFTW planner, libhdf5): load at start-up. */
#ifndef MQ_NN_MODEL_H
#define MQ_NN_MODEL_H

#include <stddef.h>

#include "analysis/nn/crnn.h"
#include "analysis/nn/melspec.h"
#include "analysis/nn/musicnn.h"
#include "analysis/nn/prof.h"

typedef enum mq_nn_arch { MQ_NN_MUSICNN = 1, MQ_NN_CRNN = 2 } mq_nn_arch;

typedef struct mq_nn_model {
    char name[64];     /* e.g. "msd-musicnn" */
    char version[96];  /* declared version + "-" + 8 hex digits of the weights' hash */
    char dir[1024];
    mq_nn_arch arch;
    int sample_rate;   /* model input rate, Hz */
    int ntags, emb_dim;
    char **tags;       /* [ntags], output order */
    /* Windows, in model-rate samples: window k of a track starts at
     * win_offset + k*win_hop and needs win_len samples (musicnn: the 187 centred
     * frames of patch k with their +-256 context; CRNN: one 29.12 s clip). */
    long win_len, win_hop, win_offset;
    int default_windows; /* windows analysed per track at default coverage */
    double top_db;       /* CRNN dB range */
    mq_nn_melspec *mel;
    mq_musicnn *musicnn;
    mq_crnn *crnn;
} mq_nn_model;

typedef struct mq_nn_runner {
    const mq_nn_model *m;
    mq_nn_melspec_buf *mb;
    mq_musicnn_scratch *ms;
    mq_crnn_scratch *cs;
    mq_nn_prof prof; /* set prof.on to time the stages */
} mq_nn_runner;

/* Load the model in dir (checks every file, tensor name and shape). NULL and a
 * one-line message on failure. Sets OpenBLAS to one thread. */
mq_nn_model *mq_nn_model_load(const char *dir, char *err, size_t errlen);
void mq_nn_model_free(mq_nn_model *m);

/* A runner (scratch buffers) for m; NULL when out of memory. */
mq_nn_runner *mq_nn_runner_new(const mq_nn_model *m);
void mq_nn_runner_free(mq_nn_runner *r);

/* Number of complete grid windows in a track of total model-rate samples. */
long mq_nn_model_grid_windows(const mq_nn_model *m, long total);

/* Analyse one window. buf holds win_len samples for track positions
 * [start, start + win_len), of which buffer indices [lo, hi) are real audio; the
 * rest is filled in place as the architecture wants (musicnn: mirror about the
 * track's first and last sample, the track having total samples; CRNN: zeros).
 * musicnn computes only the frames a track of total samples has, repeating them to
 * fill a patch when fewer than 187 (short tracks). Writes probs[ntags], emb[emb_dim]. */
void mq_nn_window_run(mq_nn_runner *r, float *buf, long start, long lo, long hi, long total,
                      float *probs, float *emb);

#endif
