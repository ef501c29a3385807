/* ops.c — layer primitives of the inference engine: im2col, sgemm wrappers,
 * dense, GRU, batch-norm folding (see ops.h). */
#include "analysis/nn/ops.h"

#include <cblas.h>
#include <string.h>

void mq_nn_im2col(const float *in, size_t in_stride, int cin, int kh, int kw, int ow, int r0,
                  int r1, float *col)
{
    size_t run = (size_t)kw * (size_t)cin;
    for (int r = r0; r < r1; r++) {
        for (int x = 0; x < ow; x++) {
            const float *src = in + (size_t)r * in_stride + (size_t)x * (size_t)cin;
            for (int i = 0; i < kh; i++) {
                memcpy(col, src + (size_t)i * in_stride, run * sizeof *col);
                col += run;
            }
        }
    }
}

void mq_nn_sgemm(int m, int n, int k, const float *a, int lda, const float *b, int ldb, float beta,
                 float *c, int ldc)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb, beta, c,
                ldc);
}

void mq_nn_gemm_conv(const mq_nn_conv *c, const float *col, int m, float *out)
{
    int k = c->kh * c->kw * c->cin;
    mq_nn_sgemm(m, c->cout, k, col, k, c->w, c->cout, 0.0f, out, c->cout);
}

void mq_nn_dense(const float *x, const float *w, const float *b, int nin, int nout, float *y)
{
    if (b)
        memcpy(y, b, (size_t)nout * sizeof *y);
    /* y = W^T x with W row-major [nin][nout]. */
    cblas_sgemv(CblasRowMajor, CblasTrans, nin, nout, 1.0f, w, nout, x, 1, b ? 1.0f : 0.0f, y, 1);
}

void mq_nn_gru_run(const mq_nn_gru *g, const float *x, int steps, float *xproj, float *tmp,
                   float *seq, float *h)
{
    int u = g->units, u3 = 3 * g->units;
    /* Input projections of every step at once: xproj[t] = x[t] W + b. */
    for (int t = 0; t < steps; t++)
        memcpy(xproj + (size_t)t * u3, g->b, (size_t)u3 * sizeof *xproj);
    mq_nn_sgemm(steps, u3, g->in, x, g->in, g->w, u3, 1.0f, xproj, u3);

    float *hzr = tmp;      /* [2u]: h U_z, h U_r */
    float *rh = tmp + 2 * u; /* [u]: r * h, then (r*h) U_h reuses hzr */
    for (int i = 0; i < u; i++)
        h[i] = 0.0f;
    for (int t = 0; t < steps; t++) {
        const float *xp = xproj + (size_t)t * u3;
        mq_nn_dense(h, g->u_zr, NULL, u, 2 * u, hzr);
        for (int i = 0; i < u; i++) {
            float r = mq_nn_hard_sigmoid(xp[u + i] + hzr[u + i]);
            rh[i] = r * h[i];
        }
        /* z is needed after hzr is overwritten: keep it in the r slot. */
        for (int i = 0; i < u; i++)
            hzr[u + i] = mq_nn_hard_sigmoid(xp[i] + hzr[i]);
        mq_nn_dense(rh, g->u_h, NULL, u, u, hzr);
        for (int i = 0; i < u; i++) {
            float z = hzr[u + i];
            float c = tanhf(xp[2 * u + i] + hzr[i]);
            h[i] = z * h[i] + (1.0f - z) * c;
        }
        if (seq)
            memcpy(seq + (size_t)t * u, h, (size_t)u * sizeof *h);
    }
}

void mq_nn_bn_fold(const float *gamma, const float *beta, const float *mean, const float *var,
                   double eps, int n, float *scale, float *shift)
{
    for (int i = 0; i < n; i++) {
        double s = (double)gamma[i] / sqrt((double)var[i] + eps);
        scale[i] = (float)s;
        shift[i] = (float)((double)beta[i] - (double)mean[i] * s);
    }
}

void mq_nn_max_rows(const float *a, int m, int n, float *acc)
{
    for (int r = 0; r < m; r++) {
        const float *row = a + (size_t)r * n;
        for (int j = 0; j < n; j++)
            acc[j] = row[j] > acc[j] ? row[j] : acc[j];
    }
}

/* Declared by OpenBLAS's cblas.h; kept out of the header so callers need not
 * include cblas.h. */
void mq_nn_blas_single_thread(void) { openblas_set_num_threads(1); }
