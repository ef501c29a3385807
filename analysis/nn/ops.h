/* ops.h — layer primitives of the neural-network inference engine.
 *
 * Every network in analysis/nn (musicnn, the CRNN) is written with these few
 * operations: convolutions as im2col + OpenBLAS cblas_sgemm, dense layers, a GRU
 * layer, batch-norm folding and the element-wise activations. Tensors are plain
 * float32 arrays, row-major, channels last ("HWC"). Nothing here allocates: the
 * caller passes every buffer, so a forward pass makes no allocation at all. */
#ifndef MQ_NN_OPS_H
#define MQ_NN_OPS_H

#include <math.h>
#include <stddef.h>

/* A convolution's weights as the B operand of sgemm: w is [kh*kw*cin][cout],
 * row (i*kw + j)*cin + c multiplies input element (row + i, col + j, channel c)
 * (cross-correlation order; a true convolution is flipped at load). b is [cout]. */
typedef struct mq_nn_conv {
    int kh, kw, cin, cout;
    float *w;
    float *b;
} mq_nn_conv;

/* A GRU layer (Keras 1 equations, hard-sigmoid gates, tanh candidate).
 * w is [in][3*units] (gate blocks z, r, h), b is [3*units], u_zr is
 * [units][2*units] (z, r), u_h is [units][units]. */
typedef struct mq_nn_gru {
    int in, units;
    float *w, *b, *u_zr, *u_h;
} mq_nn_gru;

/* Copy the receptive fields of output rows [r0, r1) of a valid convolution into
 * col, one row of kh*kw*cin floats per output position (row r, column x),
 * x = 0..ow-1. The input is HWC with in_stride floats per input row. */
void mq_nn_im2col(const float *in, size_t in_stride, int cin, int kh, int kw, int ow, int r0,
                  int r1, float *col);

/* out[m][cout] = col[m][K] * c->w, K = kh*kw*cin; no bias (callers add it after
 * pooling, which is exact because the bias is constant per channel). */
void mq_nn_gemm_conv(const mq_nn_conv *c, const float *col, int m, float *out);

/* C[m][n] (+)= A[m][k] * B[k][n] with leading dimensions; beta 0 or 1. */
void mq_nn_sgemm(int m, int n, int k, const float *a, int lda, const float *b, int ldb, float beta,
                 float *c, int ldc);

/* y[nout] = x[nin] * W[nin][nout] + b (b may be NULL). */
void mq_nn_dense(const float *x, const float *w, const float *b, int nin, int nout, float *y);

/* Run a GRU over steps input vectors x[steps][in] from a zero state. xproj is
 * scratch of steps*3*units floats, tmp of 3*units floats; the hidden state after
 * every step goes to seq[steps][units] when seq is not NULL, the last one to h. */
void mq_nn_gru_run(const mq_nn_gru *g, const float *x, int steps, float *xproj, float *tmp,
                   float *seq, float *h);

/* Batch norm as y = x*scale + shift: scale = gamma/sqrt(var + eps),
 * shift = beta - mean*scale, computed in double. */
void mq_nn_bn_fold(const float *gamma, const float *beta, const float *mean, const float *var,
                   double eps, int n, float *scale, float *shift);

/* Column-wise maximum of rows [0, m) of a[m][n] merged into acc[n] (acc = max(acc, row)). */
void mq_nn_max_rows(const float *a, int m, int n, float *acc);

static inline float mq_nn_relu(float x) { return x > 0.0f ? x : 0.0f; }
static inline float mq_nn_elu(float x) { return x > 0.0f ? x : expm1f(x); }
static inline float mq_nn_sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }
static inline float mq_nn_hard_sigmoid(float x)
{
    float y = 0.2f * x + 0.5f;
    return y < 0.0f ? 0.0f : (y > 1.0f ? 1.0f : y);
}

/* Set OpenBLAS to one thread (the analyser runs one analysis per thread). */
void mq_nn_blas_single_thread(void);

#endif
