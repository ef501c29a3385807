/* musicnn.c — musicnn forward pass: timbral (vertical) and temporal (horizontal)
 * convolution front end, residual 1-D convolution mid end, max+mean pooling and
 * dense back end (see musicnn.h and the model README).
 *
 * Where the batch norms go:
 * - front end and mid end: conv -> ReLU -> BN. ReLU and the per-channel affine BN
 *   are monotone, so the max over frequency is taken on the raw convolution and
 *   bias, ReLU and BN are applied to the pooled [187][C] values only. A channel
 *   whose BN scale is negative has its weight column negated at load, turning the
 *   needed minimum into a maximum.
 * - backend.bn_pool is folded into the dense layer's weights and bias.
 * - the input BN and bn_dense cannot be folded exactly (zero padding follows the
 *   first, the embedding is read after the second) and cost nothing anyway. */
#include "analysis/nn/musicnn.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/nn/ops.h"

#define T MQ_MUSICNN_T
#define NM MQ_MUSICNN_MELS
#define PAD 3         /* timbral and mid-end time padding */
#define TP (T + 2 * PAD)
#define TEMP_PAD 63   /* temporal_128 padding before; the others are offsets into it */
#define TEMP_TP (T + 127)
#define TIMB_CHUNK 16 /* output frames per im2col block (timbral) */
#define TEMP_CHUNK 8  /* mel bands per im2col block (temporal) */
#define EPS 0.001

/* A convolution followed by ReLU and BN, pooled before the post-op:
 * y = scale * relu(sign * r + bias) + shift, r the pooled raw convolution. */
typedef struct branch {
    mq_nn_conv conv;   /* bias kept in post-op, conv.b unused */
    float *bias, *sign, *scale, *shift;
} branch;

struct mq_musicnn {
    int ntags;
    float in_scale, in_shift;
    branch timb[2];    /* 7x38, 7x67 -> 204 */
    branch temp[3];    /* k = 128, 64, 32 -> 51 (as kh=1, kw=k on the transposed input) */
    branch mid[3];     /* 7 taps x 561 / 64 features -> 64 */
    float *dense_w, *dense_b;  /* bn_pool folded: [1506][200], [200] */
    float *bnd_scale, *bnd_shift;
    float *out_w, *out_b;      /* [200][ntags], [ntags] */
};

struct mq_musicnn_scratch {
    float *patch;   /* [187][96] log-mel */
    float *bp;      /* [193][96] BN'd input, zero-padded in time */
    float *bt;      /* [96][314] transposed BN'd input, zero-padded for temporal_128 */
    float *col;     /* im2col block */
    float *z;       /* sgemm output block */
    float *red;     /* [187][204] pooled raw convolution */
    float *m;       /* [193][753] front end + mid end, zero rows 0-2 and 190-192 */
    float *pooled;  /* [1506] */
    float *dense;   /* [200] */
    float *pen;     /* [200] */
    float *logits;  /* [ntags] */
    int ntags;
};

static const int TIMB_KW[2] = {38, 67};
static const int TEMP_K[3] = {128, 64, 32};
static const char *const TIMB_NAME[2] = {"timbral_74", "timbral_77"};
static const char *const TEMP_NAME[3] = {"temporal_128", "temporal_64", "temporal_32"};
static const char *const MID_NAME[3] = {"midend_1", "midend_2", "midend_3"};

static void branch_free(branch *b)
{
    free(b->conv.w);
    free(b->bias);
    free(b->sign);
    free(b->scale);
    free(b->shift);
}

void mq_musicnn_free(mq_musicnn *n)
{
    if (!n)
        return;
    for (int i = 0; i < 2; i++)
        branch_free(&n->timb[i]);
    for (int i = 0; i < 3; i++)
        branch_free(&n->temp[i]);
    for (int i = 0; i < 3; i++)
        branch_free(&n->mid[i]);
    free(n->dense_w);
    free(n->dense_b);
    free(n->bnd_scale);
    free(n->bnd_shift);
    free(n->out_w);
    free(n->out_b);
    free(n);
}

/* Read the four BN vectors of prefix (prefix.gamma, ...) and fold them. */
static int load_bn(mq_nn_store *s, const char *prefix, int n, float **scale, float **shift,
                   char *err, size_t errlen)
{
    static const char *const part[4] = {"gamma", "beta", "moving_mean", "moving_variance"};
    float *v[4] = {0};
    char name[128];
    int ok = 1;
    for (int i = 0; i < 4 && ok; i++) {
        snprintf(name, sizeof name, "%s.%s", prefix, part[i]);
        v[i] = mq_nn_store_get(s, name, 1, &n, err, errlen);
        ok = v[i] != NULL;
    }
    if (ok) {
        *scale = malloc((size_t)n * sizeof **scale);
        *shift = malloc((size_t)n * sizeof **shift);
        ok = *scale && *shift;
        if (ok)
            mq_nn_bn_fold(v[0], v[1], v[2], v[3], EPS, n, *scale, *shift);
        else
            snprintf(err, errlen, "out of memory");
    }
    for (int i = 0; i < 4; i++)
        free(v[i]);
    return ok ? 0 : -1;
}

/* Load prefix.conv.{kernel,bias} of shape [kh, kw, 1, cout] and prefix.bn.* into b.
 * As executed, the kernel is (kh_exec, kw_exec) over cin_exec channels; the HWIO
 * layout makes every case the same [kh*kw*cin][cout] matrix. */
static int load_branch(mq_nn_store *s, const char *prefix, int kh, int kw, int cout, int kh_exec,
                       int kw_exec, int cin_exec, int pooled, branch *b, char *err, size_t errlen)
{
    char name[128];
    int kd[4] = {kh, kw, 1, cout};
    snprintf(name, sizeof name, "%s.conv.kernel", prefix);
    b->conv.w = mq_nn_store_get(s, name, 4, kd, err, errlen);
    if (!b->conv.w)
        return -1;
    snprintf(name, sizeof name, "%s.conv.bias", prefix);
    b->bias = mq_nn_store_get(s, name, 1, &cout, err, errlen);
    if (!b->bias)
        return -1;
    snprintf(name, sizeof name, "%s.bn", prefix);
    if (load_bn(s, name, cout, &b->scale, &b->shift, err, errlen) != 0)
        return -1;
    b->conv.kh = kh_exec;
    b->conv.kw = kw_exec;
    b->conv.cin = cin_exec;
    b->conv.cout = cout;
    b->sign = malloc((size_t)cout * sizeof *b->sign);
    if (!b->sign) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int k = kh * kw;
    for (int o = 0; o < cout; o++) {
        b->sign[o] = 1.0f;
        if (pooled && b->scale[o] < 0.0f) {
            /* max over frequency of -z is -min z: y = scale*relu(bias - r) + shift */
            b->sign[o] = -1.0f;
            for (int i = 0; i < k; i++)
                b->conv.w[(size_t)i * cout + o] = -b->conv.w[(size_t)i * cout + o];
        }
    }
    return 0;
}

mq_musicnn *mq_musicnn_load(mq_nn_store *s, int ntags, char *err, size_t errlen)
{
    mq_musicnn *n = calloc(1, sizeof *n);
    if (!n) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    n->ntags = ntags;
    float *sc = NULL, *sh = NULL, *pool_s = NULL, *pool_t = NULL, *w = NULL;
    if (load_bn(s, "bn_input", 1, &sc, &sh, err, errlen) != 0)
        goto fail;
    n->in_scale = sc[0];
    n->in_shift = sh[0];
    for (int i = 0; i < 2; i++)
        if (load_branch(s, TIMB_NAME[i], 7, TIMB_KW[i], 204, 7, TIMB_KW[i], 1, 1, &n->timb[i], err,
                        errlen) != 0)
            goto fail;
    for (int i = 0; i < 3; i++)
        if (load_branch(s, TEMP_NAME[i], TEMP_K[i], 1, 51, 1, TEMP_K[i], 1, 1, &n->temp[i], err,
                        errlen) != 0)
            goto fail;
    for (int i = 0; i < 3; i++) {
        int cin = i == 0 ? MQ_MUSICNN_FE : 64;
        if (load_branch(s, MID_NAME[i], 7, cin, 64, 7, 1, cin, 0, &n->mid[i], err, errlen) != 0)
            goto fail;
    }
    /* Back end: bn_pool folded into the dense layer. */
    if (load_bn(s, "backend.bn_pool", MQ_MUSICNN_POOLED, &pool_s, &pool_t, err, errlen) != 0)
        goto fail;
    int dd[2] = {MQ_MUSICNN_POOLED, MQ_MUSICNN_EMB}, de = MQ_MUSICNN_EMB;
    w = mq_nn_store_get(s, "backend.dense.kernel", 2, dd, err, errlen);
    if (!w)
        goto fail;
    n->dense_b = mq_nn_store_get(s, "backend.dense.bias", 1, &de, err, errlen);
    if (!n->dense_b)
        goto fail;
    for (int o = 0; o < MQ_MUSICNN_EMB; o++) {
        double b = n->dense_b[o];
        for (int i = 0; i < MQ_MUSICNN_POOLED; i++)
            b += (double)pool_t[i] * w[(size_t)i * MQ_MUSICNN_EMB + o];
        n->dense_b[o] = (float)b;
    }
    for (int i = 0; i < MQ_MUSICNN_POOLED; i++)
        for (int o = 0; o < MQ_MUSICNN_EMB; o++)
            w[(size_t)i * MQ_MUSICNN_EMB + o] *= pool_s[i];
    n->dense_w = w;
    w = NULL;
    if (load_bn(s, "backend.bn_dense", MQ_MUSICNN_EMB, &n->bnd_scale, &n->bnd_shift, err,
                errlen) != 0)
        goto fail;
    int od[2] = {MQ_MUSICNN_EMB, ntags};
    n->out_w = mq_nn_store_get(s, "backend.out.kernel", 2, od, err, errlen);
    if (!n->out_w)
        goto fail;
    n->out_b = mq_nn_store_get(s, "backend.out.bias", 1, &ntags, err, errlen);
    if (!n->out_b)
        goto fail;
    free(sc);
    free(sh);
    free(pool_s);
    free(pool_t);
    return n;
fail:
    free(sc);
    free(sh);
    free(pool_s);
    free(pool_t);
    free(w);
    mq_musicnn_free(n);
    return NULL;
}

void mq_musicnn_scratch_free(mq_musicnn_scratch *s)
{
    if (!s)
        return;
    free(s->patch);
    free(s->bp);
    free(s->bt);
    free(s->col);
    free(s->z);
    free(s->red);
    free(s->m);
    free(s->pooled);
    free(s->dense);
    free(s->pen);
    free(s->logits);
    free(s);
}

static size_t max_sz(size_t a, size_t b) { return a > b ? a : b; }

mq_musicnn_scratch *mq_musicnn_scratch_new(const mq_musicnn *n)
{
    mq_musicnn_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t col = 0, z = 0;
    for (int i = 0; i < 2; i++) {
        size_t ow = (size_t)(NM - TIMB_KW[i] + 1);
        col = max_sz(col, (size_t)TIMB_CHUNK * ow * 7 * (size_t)TIMB_KW[i]);
        z = max_sz(z, (size_t)TIMB_CHUNK * ow * 204);
    }
    col = max_sz(col, (size_t)TEMP_CHUNK * T * 128);
    z = max_sz(z, (size_t)TEMP_CHUNK * T * 51);
    z = max_sz(z, (size_t)T * 64);
    s->ntags = n->ntags;
    s->patch = calloc((size_t)T * NM, sizeof *s->patch);
    s->bp = calloc((size_t)TP * NM, sizeof *s->bp);
    s->bt = calloc((size_t)NM * TEMP_TP, sizeof *s->bt);
    s->col = malloc(col * sizeof *s->col);
    s->z = malloc(z * sizeof *s->z);
    s->red = malloc((size_t)T * 204 * sizeof *s->red);
    s->m = calloc((size_t)TP * MQ_MUSICNN_MID, sizeof *s->m);
    s->pooled = malloc(MQ_MUSICNN_POOLED * sizeof *s->pooled);
    s->dense = malloc(MQ_MUSICNN_EMB * sizeof *s->dense);
    s->pen = malloc(MQ_MUSICNN_EMB * sizeof *s->pen);
    s->logits = malloc((size_t)n->ntags * sizeof *s->logits);
    if (!s->patch || !s->bp || !s->bt || !s->col || !s->z || !s->red || !s->m || !s->pooled ||
        !s->dense || !s->pen || !s->logits) {
        mq_musicnn_scratch_free(s);
        return NULL;
    }
    return s;
}

/* Post-op of a pooled branch into m: m[3+t][col0+o] = scale*relu(sign*r + bias) + shift. */
static void branch_post(const branch *b, const float *red, float *m, int col0)
{
    int c = b->conv.cout;
    for (int t = 0; t < T; t++) {
        const float *r = red + (size_t)t * c;
        float *y = m + (size_t)(t + PAD) * MQ_MUSICNN_MID + col0;
        for (int o = 0; o < c; o++)
            y[o] = b->scale[o] * mq_nn_relu(b->sign[o] * r[o] + b->bias[o]) + b->shift[o];
    }
}

static void fill(float *x, size_t n, float v)
{
    for (size_t i = 0; i < n; i++)
        x[i] = v;
}

/* Timbral branch: valid conv over the padded input, max over all frequency positions. */
static void timbral(const branch *b, mq_musicnn_scratch *s, int col0)
{
    int kw = b->conv.kw, ow = NM - kw + 1, c = b->conv.cout;
    fill(s->red, (size_t)T * c, -FLT_MAX);
    for (int r0 = 0; r0 < T; r0 += TIMB_CHUNK) {
        int r1 = r0 + TIMB_CHUNK < T ? r0 + TIMB_CHUNK : T;
        mq_nn_im2col(s->bp, NM, 1, 7, kw, ow, r0, r1, s->col);
        mq_nn_gemm_conv(&b->conv, s->col, (r1 - r0) * ow, s->z);
        for (int t = r0; t < r1; t++)
            mq_nn_max_rows(s->z + (size_t)(t - r0) * ow * c, ow, c, s->red + (size_t)t * c);
    }
    branch_post(b, s->red, s->m, col0);
}

/* Temporal branch k: conv along time of every mel band (rows of the transposed
 * input), max over bands. */
static void temporal(const branch *b, int k, mq_musicnn_scratch *s, int col0)
{
    int c = b->conv.cout;
    const float *in = s->bt + (TEMP_PAD - (k - 1) / 2);
    fill(s->red, (size_t)T * c, -FLT_MAX);
    for (int f0 = 0; f0 < NM; f0 += TEMP_CHUNK) {
        int f1 = f0 + TEMP_CHUNK < NM ? f0 + TEMP_CHUNK : NM;
        mq_nn_im2col(in, TEMP_TP, 1, 1, k, T, f0, f1, s->col);
        mq_nn_gemm_conv(&b->conv, s->col, (f1 - f0) * T, s->z);
        mq_nn_max_rows(s->z, f1 - f0, T * c, s->red);
    }
    branch_post(b, s->red, s->m, col0);
}

/* Mid-end layer: 7-tap conv over time of m's columns [in0, in0+cin), as 7 sgemms on
 * shifted row views (no im2col); result (+ residual) into columns out0. */
static void midend(const branch *b, mq_musicnn_scratch *s, int in0, int out0, int residual)
{
    int cin = b->conv.cin, c = b->conv.cout;
    for (int i = 0; i < 7; i++)
        mq_nn_sgemm(T, c, cin, s->m + (size_t)i * MQ_MUSICNN_MID + in0, MQ_MUSICNN_MID,
                    b->conv.w + (size_t)i * cin * c, c, i ? 1.0f : 0.0f, s->z, c);
    for (int t = 0; t < T; t++) {
        const float *z = s->z + (size_t)t * c;
        float *y = s->m + (size_t)(t + PAD) * MQ_MUSICNN_MID + out0;
        const float *res = s->m + (size_t)(t + PAD) * MQ_MUSICNN_MID + in0;
        for (int o = 0; o < c; o++) {
            float v = b->scale[o] * mq_nn_relu(z[o] + b->bias[o]) + b->shift[o];
            y[o] = residual ? v + res[o] : v;
        }
    }
}

void mq_musicnn_forward(const mq_musicnn *n, mq_musicnn_scratch *s, const float *logmel,
                        mq_musicnn_out *out, mq_nn_prof *prof)
{
    mq_nn_prof_start(prof);
    /* Input BN; bp zero-padded by 3 frames (pad rows stay zero from calloc), bt
     * transposed with 63 zero frames before (and 64 after) for the temporal convs. */
    for (int t = 0; t < T; t++) {
        for (int f = 0; f < NM; f++) {
            float v = logmel[t * NM + f] * n->in_scale + n->in_shift;
            s->bp[(size_t)(t + PAD) * NM + f] = v;
            s->bt[(size_t)f * TEMP_TP + TEMP_PAD + t] = v;
        }
    }
    mq_nn_prof_mark(prof, 1, "bn_input");
    timbral(&n->timb[0], s, 0);
    mq_nn_prof_mark(prof, 2, "timbral 7x38");
    timbral(&n->timb[1], s, 204);
    mq_nn_prof_mark(prof, 3, "timbral 7x67");
    for (int i = 0; i < 3; i++)
        temporal(&n->temp[i], TEMP_K[i], s, 408 + 51 * i);
    mq_nn_prof_mark(prof, 4, "temporal 128/64/32");
    midend(&n->mid[0], s, 0, 561, 0);
    midend(&n->mid[1], s, 561, 625, 1);
    midend(&n->mid[2], s, 625, 689, 1);
    mq_nn_prof_mark(prof, 5, "mid end");

    /* Back end: interleaved temporal max and mean of the 753 features. */
    for (int i = 0; i < MQ_MUSICNN_MID; i++) {
        float mx = -FLT_MAX;
        double sum = 0.0;
        for (int t = 0; t < T; t++) {
            float v = s->m[(size_t)(t + PAD) * MQ_MUSICNN_MID + i];
            mx = v > mx ? v : mx;
            sum += v;
        }
        s->pooled[2 * i] = mx;
        s->pooled[2 * i + 1] = (float)(sum / T);
    }
    mq_nn_dense(s->pooled, n->dense_w, n->dense_b, MQ_MUSICNN_POOLED, MQ_MUSICNN_EMB, s->dense);
    for (int o = 0; o < MQ_MUSICNN_EMB; o++)
        s->pen[o] = n->bnd_scale[o] * mq_nn_relu(s->dense[o]) + n->bnd_shift[o];
    mq_nn_dense(s->pen, n->out_w, n->out_b, MQ_MUSICNN_EMB, n->ntags, s->logits);
    mq_nn_prof_mark(prof, 6, "back end");

    if (!out)
        return;
    if (out->probs)
        for (int o = 0; o < n->ntags; o++)
            out->probs[o] = mq_nn_sigmoid(s->logits[o]);
    if (out->logits)
        memcpy(out->logits, s->logits, (size_t)n->ntags * sizeof *out->logits);
    if (out->penultimate)
        memcpy(out->penultimate, s->pen, MQ_MUSICNN_EMB * sizeof *s->pen);
    if (out->pooled)
        memcpy(out->pooled, s->pooled, MQ_MUSICNN_POOLED * sizeof *s->pooled);
    if (out->bn_input)
        memcpy(out->bn_input, s->bp + PAD * NM, (size_t)T * NM * sizeof *s->bp);
    for (int t = 0; t < T; t++) {
        const float *row = s->m + (size_t)(t + PAD) * MQ_MUSICNN_MID;
        if (out->frontend)
            memcpy(out->frontend + (size_t)t * MQ_MUSICNN_FE, row, MQ_MUSICNN_FE * sizeof *row);
        if (out->midend)
            memcpy(out->midend + (size_t)t * MQ_MUSICNN_MID, row, MQ_MUSICNN_MID * sizeof *row);
    }
}

void mq_musicnn_log(float *mel, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mel[i] = log10f(10000.0f * mq_nn_f16_round(mel[i]) + 1.0f);
}

const float *mq_musicnn_patch_logmel(const mq_musicnn *n, mq_musicnn_scratch *s,
                                     const mq_nn_melspec *mel, mq_nn_melspec_buf *mb,
                                     const float *x, int nframes)
{
    if (nframes > T)
        nframes = T;
    if (nframes < 1)
        nframes = 1;
    mq_nn_melspec_frames(mel, mb, x, MQ_MUSICNN_HOP, nframes, s->patch);
    mq_musicnn_log(s->patch, (size_t)nframes * NM);
    for (int t = nframes; t < T; t++)
        memcpy(s->patch + (size_t)t * NM, s->patch + (size_t)(t % nframes) * NM,
               NM * sizeof *s->patch);
    return s->patch;
}
