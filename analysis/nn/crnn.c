/* crnn.c — MusicTaggerCRNN forward pass and melgram (see crnn.h and the model
 * README).
 *
 * Layout: activations are HWC with H = mel band, W = time frame, each stored with
 * a one-element zero border for the next 3x3 'same' convolution. The Theano
 * kernels are true convolutions: they are flipped at load into the im2col weight
 * matrix, with each block's batch norm folded in (conv -> BN -> ELU -> pool).
 * Max pooling is taken before the bias and ELU, which is exact because both are
 * monotone and the bias is constant per channel: ELU runs on 1/4 .. 1/16 of the
 * values. bn_0_freq varies along the padded time axis and precedes zero padding,
 * so it is applied to the input as such. */
#include "analysis/nn/crnn.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/nn/ops.h"

#define NM MQ_CRNN_MELS
#define NF MQ_CRNN_FRAMES
#define TPAD 37
#define TW (NF + 2 * TPAD) /* 1440 */
#define EPS 0.001
#define NBLOCKS 4

typedef struct block_shape {
    int cin, cout, h, w, pool;
} block_shape;

static const block_shape BLOCK[NBLOCKS] = {
    {1, 64, NM, TW, 2},
    {64, 128, NM / 2, TW / 2, 3},
    {128, 128, NM / 6, TW / 6, 4},
    {128, 128, NM / 24, TW / 24, 4},
};
#define GRU_STEPS (TW / 96) /* 15 */
#define GRU_IN 128

struct mq_crnn {
    int ntags;
    float *bn0_scale, *bn0_shift; /* [1440] */
    mq_nn_conv conv[NBLOCKS];     /* folded weights, b = folded bias */
    mq_nn_gru gru[2];
    float *out_w, *out_b;         /* [32][ntags], [ntags] */
};

struct mq_crnn_scratch {
    float *act[NBLOCKS]; /* padded inputs of the blocks: [h+2][w+2][cin] */
    float *seq;          /* [15][128] GRU input */
    float *col, *z;
    float *xproj, *gtmp, *hseq, *h1, *h2, *logits;
    float *audio;        /* [349440 + 512] reflect-padded window */
    float *mel;          /* [1366][96] */
    float *melgram;      /* [96][1366] */
    int ntags;
};

void mq_crnn_free(mq_crnn *n)
{
    if (!n)
        return;
    free(n->bn0_scale);
    free(n->bn0_shift);
    for (int i = 0; i < NBLOCKS; i++) {
        free(n->conv[i].w);
        free(n->conv[i].b);
    }
    for (int i = 0; i < 2; i++) {
        free(n->gru[i].w);
        free(n->gru[i].b);
        free(n->gru[i].u_zr);
        free(n->gru[i].u_h);
    }
    free(n->out_w);
    free(n->out_b);
    free(n);
}

/* Read dataset layer/layer_suffix of the given shape. */
static float *get(mq_nn_store *s, const char *layer, const char *suffix, int ndim, const int *dims,
                  char *err, size_t errlen)
{
    char name[128];
    snprintf(name, sizeof name, "%s/%s_%s", layer, layer, suffix);
    return mq_nn_store_get(s, name, ndim, dims, err, errlen);
}

static int load_bn(mq_nn_store *s, const char *layer, int n, float **scale, float **shift,
                   char *err, size_t errlen)
{
    static const char *const part[4] = {"gamma", "beta", "running_mean", "running_std"};
    float *v[4] = {0};
    int ok = 1;
    for (int i = 0; i < 4 && ok; i++)
        ok = (v[i] = get(s, layer, part[i], 1, &n, err, errlen)) != NULL;
    if (ok) {
        *scale = malloc((size_t)n * sizeof **scale);
        *shift = malloc((size_t)n * sizeof **shift);
        ok = *scale && *shift;
        if (ok) /* running_std holds the variance (Keras 1) */
            mq_nn_bn_fold(v[0], v[1], v[2], v[3], EPS, n, *scale, *shift);
        else
            snprintf(err, errlen, "out of memory");
    }
    for (int i = 0; i < 4; i++)
        free(v[i]);
    return ok ? 0 : -1;
}

static int load_conv(mq_nn_store *s, int i, mq_nn_conv *c, char *err, size_t errlen)
{
    const block_shape *b = &BLOCK[i];
    char layer[16], bn[16];
    snprintf(layer, sizeof layer, "conv%d", i + 1);
    snprintf(bn, sizeof bn, "bn%d", i + 1);
    int wd[4] = {b->cout, b->cin, 3, 3};
    float *w = get(s, layer, "W", 4, wd, err, errlen);
    float *bias = w ? get(s, layer, "b", 1, &b->cout, err, errlen) : NULL;
    float *sc = NULL, *sh = NULL;
    int rc = -1;
    if (!bias || load_bn(s, bn, b->cout, &sc, &sh, err, errlen) != 0)
        goto done;
    c->kh = c->kw = 3;
    c->cin = b->cin;
    c->cout = b->cout;
    c->w = malloc((size_t)9 * b->cin * b->cout * sizeof *c->w);
    c->b = malloc((size_t)b->cout * sizeof *c->b);
    if (!c->w || !c->b) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    /* True convolution: row (i, j, ci) of the im2col matrix meets W[o][ci][2-i][2-j]. */
    for (int o = 0; o < b->cout; o++) {
        for (int ci = 0; ci < b->cin; ci++)
            for (int ki = 0; ki < 3; ki++)
                for (int kj = 0; kj < 3; kj++) {
                    float v = w[(((size_t)o * b->cin + ci) * 3 + (2 - ki)) * 3 + (2 - kj)];
                    c->w[(((size_t)ki * 3 + kj) * b->cin + ci) * b->cout + o] = v * sc[o];
                }
        c->b[o] = bias[o] * sc[o] + sh[o];
    }
    rc = 0;
done:
    free(w);
    free(bias);
    free(sc);
    free(sh);
    return rc;
}

static int load_gru(mq_nn_store *s, const char *layer, int in, int units, mq_nn_gru *g, char *err,
                    size_t errlen)
{
    static const char gate[3] = {'z', 'r', 'h'};
    int wd[2] = {in, units}, ud[2] = {units, units};
    g->in = in;
    g->units = units;
    g->w = malloc((size_t)in * 3 * units * sizeof *g->w);
    g->b = malloc((size_t)3 * units * sizeof *g->b);
    g->u_zr = malloc((size_t)units * 2 * units * sizeof *g->u_zr);
    g->u_h = NULL;
    if (!g->w || !g->b || !g->u_zr) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int k = 0; k < 3; k++) {
        char nm[8];
        snprintf(nm, sizeof nm, "W_%c", gate[k]);
        float *w = get(s, layer, nm, 2, wd, err, errlen);
        snprintf(nm, sizeof nm, "U_%c", gate[k]);
        float *u = w ? get(s, layer, nm, 2, ud, err, errlen) : NULL;
        snprintf(nm, sizeof nm, "b_%c", gate[k]);
        float *b = u ? get(s, layer, nm, 1, &units, err, errlen) : NULL;
        if (!b) {
            free(w);
            free(u);
            return -1;
        }
        for (int i = 0; i < in; i++)
            memcpy(g->w + (size_t)i * 3 * units + (size_t)k * units, w + (size_t)i * units,
                   (size_t)units * sizeof *w);
        memcpy(g->b + (size_t)k * units, b, (size_t)units * sizeof *b);
        if (k < 2) {
            for (int i = 0; i < units; i++)
                memcpy(g->u_zr + (size_t)i * 2 * units + (size_t)k * units, u + (size_t)i * units,
                       (size_t)units * sizeof *u);
            free(u);
        } else {
            g->u_h = u;
        }
        free(w);
        free(b);
    }
    return 0;
}

mq_crnn *mq_crnn_load(mq_nn_store *s, int ntags, char *err, size_t errlen)
{
    mq_crnn *n = calloc(1, sizeof *n);
    if (!n) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    n->ntags = ntags;
    if (load_bn(s, "bn_0_freq", TW, &n->bn0_scale, &n->bn0_shift, err, errlen) != 0)
        goto fail;
    for (int i = 0; i < NBLOCKS; i++)
        if (load_conv(s, i, &n->conv[i], err, errlen) != 0)
            goto fail;
    if (load_gru(s, "gru1", GRU_IN, MQ_CRNN_EMB, &n->gru[0], err, errlen) != 0 ||
        load_gru(s, "gru2", MQ_CRNN_EMB, MQ_CRNN_EMB, &n->gru[1], err, errlen) != 0)
        goto fail;
    int od[2] = {MQ_CRNN_EMB, ntags};
    n->out_w = get(s, "output", "W", 2, od, err, errlen);
    if (!n->out_w)
        goto fail;
    n->out_b = get(s, "output", "b", 1, &ntags, err, errlen);
    if (!n->out_b)
        goto fail;
    return n;
fail:
    mq_crnn_free(n);
    return NULL;
}

void mq_crnn_scratch_free(mq_crnn_scratch *s)
{
    if (!s)
        return;
    for (int i = 0; i < NBLOCKS; i++)
        free(s->act[i]);
    free(s->seq);
    free(s->col);
    free(s->z);
    free(s->xproj);
    free(s->gtmp);
    free(s->hseq);
    free(s->h1);
    free(s->h2);
    free(s->logits);
    free(s->audio);
    free(s->mel);
    free(s->melgram);
    free(s);
}

mq_crnn_scratch *mq_crnn_scratch_new(const mq_crnn *n)
{
    mq_crnn_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t col = 0, z = 0;
    int ok = 1;
    for (int i = 0; i < NBLOCKS; i++) {
        const block_shape *b = &BLOCK[i];
        s->act[i] = calloc((size_t)(b->h + 2) * (b->w + 2) * b->cin, sizeof *s->act[i]);
        ok = ok && s->act[i];
        size_t c = (size_t)b->w * 9 * b->cin, zz = (size_t)b->pool * b->w * b->cout;
        col = c > col ? c : col;
        z = zz > z ? zz : z;
    }
    s->ntags = n->ntags;
    s->seq = calloc((size_t)GRU_STEPS * GRU_IN, sizeof *s->seq);
    s->col = malloc(col * sizeof *s->col);
    s->z = malloc(z * sizeof *s->z);
    s->xproj = malloc((size_t)GRU_STEPS * 3 * MQ_CRNN_EMB * sizeof *s->xproj);
    s->gtmp = malloc((size_t)3 * MQ_CRNN_EMB * sizeof *s->gtmp);
    s->hseq = malloc((size_t)GRU_STEPS * MQ_CRNN_EMB * sizeof *s->hseq);
    s->h1 = malloc(MQ_CRNN_EMB * sizeof *s->h1);
    s->h2 = malloc(MQ_CRNN_EMB * sizeof *s->h2);
    s->logits = malloc((size_t)n->ntags * sizeof *s->logits);
    s->audio = malloc((size_t)(MQ_CRNN_SAMPLES + MQ_CRNN_NFFT) * sizeof *s->audio);
    s->mel = malloc((size_t)NF * NM * sizeof *s->mel);
    s->melgram = malloc((size_t)NF * NM * sizeof *s->melgram);
    if (!ok || !s->seq || !s->col || !s->z || !s->xproj || !s->gtmp || !s->hseq || !s->h1 ||
        !s->h2 || !s->logits || !s->audio || !s->mel || !s->melgram) {
        mq_crnn_scratch_free(s);
        return NULL;
    }
    return s;
}

/* One block: 3x3 conv over the padded input in (pool-height groups of rows),
 * max pool, + bias, ELU, into out (row stride out_stride floats, starting at out). */
static void block(const mq_nn_conv *c, const block_shape *b, const float *in, float *col, float *z,
                  float *out, size_t out_stride, size_t out_col0)
{
    size_t in_stride = (size_t)(b->w + 2) * b->cin;
    int p = b->pool, ph = b->h / p, pw = b->w / p, co = b->cout;
    for (int py = 0; py < ph; py++) {
        for (int dy = 0; dy < p; dy++) {
            int r = py * p + dy;
            mq_nn_im2col(in, in_stride, b->cin, 3, 3, b->w, r, r + 1, col);
            mq_nn_gemm_conv(c, col, b->w, z + (size_t)dy * b->w * co);
        }
        float *o = out + (size_t)py * out_stride + out_col0;
        for (int px = 0; px < pw; px++) {
            float *y = o + (size_t)px * co;
            for (int k = 0; k < co; k++)
                y[k] = -FLT_MAX;
            for (int dy = 0; dy < p; dy++)
                mq_nn_max_rows(z + ((size_t)dy * b->w + (size_t)px * p) * co, p, co, y);
            for (int k = 0; k < co; k++)
                y[k] = mq_nn_elu(y[k] + c->b[k]);
        }
    }
}

void mq_crnn_forward(const mq_crnn *n, mq_crnn_scratch *s, const float *melgram, float *probs,
                     float *emb, mq_nn_prof *prof)
{
    static const char *const names[NBLOCKS] = {"conv1", "conv2", "conv3", "conv4"};
    mq_nn_prof_start(prof);
    /* Zero-pad time by 37, bn_0_freq per padded time step, into the interior of the
     * first block's (zero-bordered) input. */
    float *a0 = s->act[0];
    for (int f = 0; f < NM; f++) {
        float *row = a0 + (size_t)(f + 1) * (TW + 2) + 1;
        for (int t = 0; t < TW; t++) {
            int src = t - TPAD;
            float x = src >= 0 && src < NF ? melgram[(size_t)f * NF + src] : 0.0f;
            row[t] = x * n->bn0_scale[t] + n->bn0_shift[t];
        }
    }
    mq_nn_prof_mark(prof, 1, "bn_0_freq");
    for (int i = 0; i < NBLOCKS; i++) {
        const block_shape *b = &BLOCK[i];
        int last = i == NBLOCKS - 1;
        float *out = last ? s->seq : s->act[i + 1] + (size_t)(b->w / b->pool + 2) * b->cout;
        size_t stride = (size_t)(b->w / b->pool + (last ? 0 : 2)) * b->cout;
        block(&n->conv[i], b, s->act[i], s->col, s->z, out, stride, last ? 0 : (size_t)b->cout);
        mq_nn_prof_mark(prof, 2 + i, names[i]);
    }
    /* [1][15][128] -> 15 steps of 128 features. */
    mq_nn_gru_run(&n->gru[0], s->seq, GRU_STEPS, s->xproj, s->gtmp, s->hseq, s->h1);
    mq_nn_gru_run(&n->gru[1], s->hseq, GRU_STEPS, s->xproj, s->gtmp, NULL, s->h2);
    mq_nn_dense(s->h2, n->out_w, n->out_b, MQ_CRNN_EMB, n->ntags, s->logits);
    mq_nn_prof_mark(prof, 6, "gru + output");
    if (probs)
        for (int o = 0; o < n->ntags; o++)
            probs[o] = mq_nn_sigmoid(s->logits[o]);
    if (emb)
        memcpy(emb, s->h2, MQ_CRNN_EMB * sizeof *emb);
}

const float *mq_crnn_melgram(mq_crnn_scratch *s, const mq_nn_melspec *mel, mq_nn_melspec_buf *mb,
                             const float *x, double top_db)
{
    const long n = MQ_CRNN_SAMPLES, pad = MQ_CRNN_NFFT / 2;
    for (long i = 0; i < n + 2 * pad; i++)
        s->audio[i] = x[mq_nn_reflect_index(i - pad, n)];
    mq_nn_melspec_frames(mel, mb, s->audio, MQ_CRNN_HOP, NF, s->mel);
    double mx = -HUGE_VAL;
    for (int t = 0; t < NF; t++) {
        for (int f = 0; f < NM; f++) {
            double v = s->mel[(size_t)t * NM + f];
            v = v * v; /* trained on mel power squared */
            double db = 10.0 * log10(v > 1e-10 ? v : 1e-10);
            s->melgram[(size_t)f * NF + t] = (float)db;
            mx = db > mx ? db : mx;
        }
    }
    float floor_db = (float)(mx - top_db);
    for (size_t i = 0; i < (size_t)NF * NM; i++)
        if (s->melgram[i] < floor_db)
            s->melgram[i] = floor_db;
    return s->melgram;
}
