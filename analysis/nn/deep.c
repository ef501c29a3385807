/* deep.c — whole-track deep features from streamed audio (see deep.h).
 *
 * Per model, a track is cut into windows on the model's grid (musicnn: 3 s patches
 * of 187 frames; CRNN: 29.12 s clips). A plan says which windows to analyse:
 *   LIST  a fixed sorted list chosen from the expected duration (default coverage:
 *         musicnn 10 patches spread evenly, the CRNN its centred clip);
 *   ALL   every window (full coverage);
 *   THIN  duration unknown: every stride-th window, keeping at most 2K results and
 *         doubling the stride (dropping every other result) when full.
 * Only the input the planned windows need is resampled: the resampler runs over
 * "segments" of input around the windows (with a warm-up margin, started at
 * positions where input and model sample grids coincide, so a window's samples are
 * identical to those of resampling the whole track), and is idle in between. At
 * most two windows are open at a time. The last RING_SECONDS of input are kept so
 * that a track shorter than expected, or the CRNN's final partial clip in full
 * coverage, can still be analysed at the end. Memory is thus bounded by the window
 * and ring sizes, whatever the track length. */
#include "analysis/nn/deep.h"

#include <limits.h>
#include <math.h>
#include <samplerate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/nn/model.h"

/* libsamplerate converter: SRC_SINC_BEST_QUALITY (97 % band width). MEDIUM (90 %)
 * is ~3x faster but cuts the top mel bands the networks use (musicnn's fmax is the
 * 8 kHz Nyquist frequency): it moved track probabilities by up to 0.09 on the
 * test vectors, BEST by 0.012 (docs/deep.md). */
#define DEEP_SRC_TYPE SRC_SINC_BEST_QUALITY
#define DEEP_SRC_ZC 160       /* bound on the filter's half length, in zero crossings */
#define RING_SECONDS 31.0     /* input kept for the end-of-track fallbacks */
#define IN_BLOCK 4096         /* input samples per processing block */
#define MAX_LIST 64
#define MAX_RATE 1000000
#define MIN_RATE 1000
#define NTOP 5

enum { PLAN_LIST, PLAN_ALL, PLAN_THIN };

struct mq_deep_models {
    int n;
    mq_nn_model **m;
};

typedef struct win {
    int used;
    long idx;    /* grid index, -1 if not on the grid */
    long start;  /* first model-rate sample */
    long lo, hi; /* buffer indices filled: [lo, hi) */
    float *buf;  /* [win_len] */
} win;

typedef struct mrun {
    const mq_nn_model *m;
    mq_nn_runner *r;
    SRC_STATE *src;
    double ratio;     /* model rate / input rate */
    int same_rate;
    long p_in, p_out; /* p_in input samples span exactly p_out model samples */
    long margin_in;   /* resampler warm-up / run-out, input samples */
    /* plan */
    int mode;
    long list[MAX_LIST];
    int nlist, next_list;
    long next_grid, stride, last_idx;
    /* open windows */
    win w[2];
    /* resampling gate: a segment of input [seg_start, seg_end) being resampled */
    int gate;
    long seg_start, seg_end;
    long out_pos;           /* model position of the next resampler output */
    long valid_lo, valid_hi;
    float *obuf;
    size_t obuf_cap;
    /* results */
    double *sum_p, *sum_e;
    long count;
    float *probs, *emb;     /* one window's outputs */
    float *tp, *te;         /* THIN: kept results [cap][ntags], [cap][emb] */
    long *tidx;
    int nres, cap;
    int failed;
    /* Models with the same rate and window grid share the first one's resampler:
     * a follower receives its leader's output and does not resample itself. */
    int is_follower;
    long out_total;        /* track length in model samples, set at the end */
    struct mrun *follower; /* next model fed from this one's resampler */
} mrun;

struct mq_deep {
    const mq_deep_models *models;
    mrun *run;
    int rate;
    double expected;
    int full;
    long n_in;    /* input samples fed */
    float *blk;   /* [IN_BLOCK] sanitised input */
    float *ring;  /* last ring_len input samples */
    long ring_len, ring_pos, ring_fill;
    int bad_rate, oom;
};

/* ---- tag groups (docs/deep.md) ---- */

static const char *const GENRE_TAGS[] = {
    /* MSD (msd-musicnn, msd-crnn) */
    "rock", "pop", "alternative", "indie", "electronic", "dance", "alternative rock", "jazz",
    "metal", "classic rock", "soul", "indie rock", "electronica", "folk", "punk", "blues",
    "hard rock", "ambient", "experimental", "Hip-Hop", "country", "funk", "electro",
    "heavy metal", "Progressive rock", "rnb", "indie pop", "House",
    /* MagnaTagATune (mtt-musicnn) */
    "classical", "techno", "indian", "opera", "new age", "classic", "choral"};
static const char *const MOOD_TAGS[] = {
    /* MSD */
    "beautiful", "chillout", "Mellow", "chill", "easy listening", "sexy", "catchy", "party",
    "sad", "happy",
    /* MagnaTagATune */
    "soft", "quiet", "loud", "weird"};

char mq_deep_tag_group(const char *tag)
{
    for (size_t i = 0; i < sizeof GENRE_TAGS / sizeof *GENRE_TAGS; i++)
        if (strcmp(tag, GENRE_TAGS[i]) == 0)
            return 'g';
    for (size_t i = 0; i < sizeof MOOD_TAGS / sizeof *MOOD_TAGS; i++)
        if (strcmp(tag, MOOD_TAGS[i]) == 0)
            return 'm';
    return 'o';
}

/* ---- models ---- */

void mq_deep_models_free(mq_deep_models *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->n; i++)
        mq_nn_model_free(m->m[i]);
    free(m->m);
    free(m);
}

mq_deep_models *mq_deep_models_load(const char *const *dirs, int ndirs, char *err, size_t errlen)
{
    if (ndirs < 1) {
        snprintf(err, errlen, "no model directory given");
        return NULL;
    }
    mq_deep_models *m = calloc(1, sizeof *m);
    if (m)
        m->m = calloc((size_t)ndirs, sizeof *m->m);
    if (!m || !m->m) {
        free(m);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (int i = 0; i < ndirs; i++) {
        m->m[i] = mq_nn_model_load(dirs[i], err, errlen);
        if (!m->m[i]) {
            mq_deep_models_free(m);
            return NULL;
        }
        m->n++;
        for (int k = 0; k < i; k++)
            if (strcmp(m->m[k]->name, m->m[i]->name) == 0) {
                snprintf(err, errlen, "%s: model name \"%s\" is loaded twice", dirs[i],
                         m->m[i]->name);
                mq_deep_models_free(m);
                return NULL;
            }
    }
    return m;
}

int mq_deep_models_count(const mq_deep_models *m) { return m ? m->n : 0; }
const char *mq_deep_models_name(const mq_deep_models *m, int i)
{
    return i >= 0 && i < m->n ? m->m[i]->name : NULL;
}
const char *mq_deep_models_version(const mq_deep_models *m, int i)
{
    return i >= 0 && i < m->n ? m->m[i]->version : NULL;
}

/* ---- per-thread state ---- */

static void mrun_release(mrun *r)
{
    mq_nn_runner_free(r->r);
    if (r->src)
        src_delete(r->src);
    for (int i = 0; i < 2; i++)
        free(r->w[i].buf);
    free(r->obuf);
    free(r->sum_p);
    free(r->sum_e);
    free(r->probs);
    free(r->emb);
    free(r->tp);
    free(r->te);
    free(r->tidx);
}

void mq_deep_free(mq_deep *d)
{
    if (!d)
        return;
    if (d->run)
        for (int i = 0; i < d->models->n; i++)
            mrun_release(&d->run[i]);
    free(d->run);
    free(d->blk);
    free(d->ring);
    free(d);
}

mq_deep *mq_deep_new(const mq_deep_models *m)
{
    mq_deep *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->models = m;
    d->run = calloc((size_t)m->n, sizeof *d->run);
    d->blk = malloc(IN_BLOCK * sizeof *d->blk);
    if (!d->run || !d->blk) {
        mq_deep_free(d);
        return NULL;
    }
    for (int i = 0; i < m->n; i++) {
        mrun *r = &d->run[i];
        const mq_nn_model *mm = m->m[i];
        int err = 0;
        r->m = mm;
        r->r = mq_nn_runner_new(mm);
        r->src = src_new(DEEP_SRC_TYPE, 1, &err);
        for (int k = 0; k < 2; k++)
            r->w[k].buf = malloc((size_t)mm->win_len * sizeof *r->w[k].buf);
        r->cap = 2 * mm->default_windows;
        r->sum_p = calloc((size_t)mm->ntags, sizeof *r->sum_p);
        r->sum_e = calloc((size_t)mm->emb_dim, sizeof *r->sum_e);
        r->probs = malloc((size_t)mm->ntags * sizeof *r->probs);
        r->emb = malloc((size_t)mm->emb_dim * sizeof *r->emb);
        r->tp = malloc((size_t)r->cap * mm->ntags * sizeof *r->tp);
        r->te = malloc((size_t)r->cap * mm->emb_dim * sizeof *r->te);
        r->tidx = malloc((size_t)r->cap * sizeof *r->tidx);
        if (!r->r || !r->src || !r->w[0].buf || !r->w[1].buf || !r->sum_p || !r->sum_e ||
            !r->probs || !r->emb || !r->tp || !r->te || !r->tidx) {
            mq_deep_free(d);
            return NULL;
        }
        for (int k = 0; k < i && !r->is_follower; k++) {
            mrun *l = &d->run[k];
            const mq_nn_model *lm = l->m;
            if (l->is_follower || lm->arch != mm->arch || lm->sample_rate != mm->sample_rate ||
                lm->win_len != mm->win_len || lm->win_hop != mm->win_hop ||
                lm->win_offset != mm->win_offset || lm->default_windows != mm->default_windows)
                continue;
            r->is_follower = 1;
            mrun **tail = &l->follower;
            while (*tail)
                tail = &(*tail)->follower;
            *tail = r;
        }
    }
    return d;
}

/* ---- geometry ---- */

static long gcd_l(long a, long b)
{
    while (b) {
        long t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* First input sample a window needs (aligned to p_in), and one past the last. */
static long need_lo(const mrun *r, long start)
{
    long s = start > 0 ? start : 0;
    long a = s * r->p_in / r->p_out - r->margin_in;
    if (a <= 0)
        return 0;
    return a / r->p_in * r->p_in;
}
static long need_hi(const mrun *r, long start)
{
    long e = start + r->m->win_len;
    return (e * r->p_in + r->p_out - 1) / r->p_out + r->margin_in;
}

/* ---- plans ---- */

static void plan_list_default(mrun *r, double seconds)
{
    const mq_nn_model *m = r->m;
    long total = (long)llround(seconds * m->sample_rate);
    r->mode = PLAN_LIST;
    r->nlist = r->next_list = 0;
    if (m->arch == MQ_NN_CRNN) {
        r->list[r->nlist++] = total > m->win_len ? (total - m->win_len) / 2 : 0;
        return;
    }
    long p = mq_nn_model_grid_windows(m, total);
    long k = p < m->default_windows ? p : m->default_windows;
    if (k > MAX_LIST)
        k = MAX_LIST;
    if (k <= 0) {
        r->list[r->nlist++] = m->win_offset; /* patch 0, repeated if short */
        return;
    }
    for (long i = 0; i < k; i++)
        r->list[r->nlist++] = m->win_offset + (2 * i + 1) * p / (2 * k) * m->win_hop;
}

static int next_window(mrun *r, long *idx, long *start)
{
    const mq_nn_model *m = r->m;
    switch (r->mode) {
    case PLAN_LIST:
        if (r->next_list >= r->nlist)
            return 0;
        *start = r->list[r->next_list++];
        *idx = (*start - m->win_offset) % m->win_hop == 0 ? (*start - m->win_offset) / m->win_hop
                                                           : -1;
        return 1;
    case PLAN_ALL:
    case PLAN_THIN:
        *idx = r->next_grid;
        r->next_grid += r->mode == PLAN_ALL ? 1 : r->stride;
        *start = m->win_offset + *idx * m->win_hop;
        return 1;
    }
    return 0;
}

/* Fill free window slots from the plan, extending the open segment to cover them. */
static void pull(mrun *r)
{
    for (int k = 0; k < 2; k++) {
        win *w = &r->w[k];
        if (w->used)
            continue;
        long idx, start;
        if (!next_window(r, &idx, &start))
            return;
        w->used = 1;
        w->idx = idx;
        w->start = start;
        w->lo = w->hi = start < 0 ? -start : 0;
        r->last_idx = idx;
        if (r->gate && need_lo(r, start) <= r->seg_end) {
            long h = need_hi(r, start);
            if (h > r->seg_end)
                r->seg_end = h;
        }
    }
}

/* ---- results ---- */

static void record(mrun *r, long idx)
{
    const mq_nn_model *m = r->m;
    if (r->mode != PLAN_THIN) {
        for (int i = 0; i < m->ntags; i++)
            r->sum_p[i] += r->probs[i];
        for (int i = 0; i < m->emb_dim; i++)
            r->sum_e[i] += r->emb[i];
        r->count++;
        return;
    }
    memcpy(r->tp + (size_t)r->nres * m->ntags, r->probs, (size_t)m->ntags * sizeof *r->tp);
    memcpy(r->te + (size_t)r->nres * m->emb_dim, r->emb, (size_t)m->emb_dim * sizeof *r->te);
    r->tidx[r->nres++] = idx;
    if (r->nres < r->cap)
        return;
    /* Full: keep every other result, double the stride, drop open windows off it. */
    long s2 = 2 * r->stride;
    int k = 0;
    for (int i = 0; i < r->nres; i++) {
        if (r->tidx[i] % s2 != 0)
            continue;
        memmove(r->tp + (size_t)k * m->ntags, r->tp + (size_t)i * m->ntags,
                (size_t)m->ntags * sizeof *r->tp);
        memmove(r->te + (size_t)k * m->emb_dim, r->te + (size_t)i * m->emb_dim,
                (size_t)m->emb_dim * sizeof *r->te);
        r->tidx[k++] = r->tidx[i];
    }
    r->nres = k;
    r->stride = s2;
    for (int i = 0; i < 2; i++)
        if (r->w[i].used && r->w[i].idx % s2 != 0)
            r->w[i].used = 0;
    r->next_grid = (r->last_idx / s2 + 1) * s2;
}

static void run_window(mrun *r, win *w, long total)
{
    mq_nn_window_run(r->r, w->buf, w->start, w->lo, w->hi, total, r->probs, r->emb);
    long idx = w->idx;
    w->used = 0;
    record(r, idx);
}

/* ---- resampled output to windows ---- */

static void deliver(mrun *r, long q0, const float *x, long n)
{
    long qa = q0 > r->valid_lo ? q0 : r->valid_lo;
    long qb = q0 + n < r->valid_hi ? q0 + n : r->valid_hi;
    if (qa >= qb)
        return;
    for (int again = 1; again;) {
        again = 0;
        for (int k = 0; k < 2; k++) {
            win *w = &r->w[k];
            if (!w->used)
                continue;
            long len = r->m->win_len, next = w->start + w->hi;
            long a = qa > next ? qa : next, b = qb < w->start + len ? qb : w->start + len;
            if (a >= b)
                continue;
            if (a != next) { /* a gap: samples this window needed were not resampled */
                w->used = 0;
                pull(r);
                again = 1;
                continue;
            }
            memcpy(w->buf + w->hi, x + (a - q0), (size_t)(b - a) * sizeof *x);
            w->hi += b - a;
            if (w->hi == len) {
                run_window(r, w, -1);
                pull(r);
                again = 1;
            }
        }
    }
}

/* Deliver to r and the models that share its resampler. */
static void deliver_all(mrun *r, long q0, const float *x, long n)
{
    for (mrun *f = r; f; f = f->follower) {
        f->valid_lo = r->valid_lo;
        f->valid_hi = r->valid_hi;
        deliver(f, q0, x, n);
    }
}

static void resample(mrun *r, const float *x, long n, int eof)
{
    if (r->same_rate) {
        deliver_all(r, r->out_pos, x, n);
        r->out_pos += n;
        return;
    }
    static const float none[1] = {0.0f};
    SRC_DATA sd = {0};
    sd.data_in = n > 0 ? x : none;
    sd.input_frames = n;
    sd.data_out = r->obuf;
    sd.output_frames = (long)r->obuf_cap;
    sd.src_ratio = r->ratio;
    sd.end_of_input = eof;
    for (;;) {
        int e = src_process(r->src, &sd);
        if (e) {
            r->failed = 1;
            return;
        }
        if (sd.output_frames_gen > 0) {
            deliver_all(r, r->out_pos, r->obuf, sd.output_frames_gen);
            r->out_pos += sd.output_frames_gen;
        }
        sd.data_in += sd.input_frames_used;
        sd.input_frames -= sd.input_frames_used;
        if (sd.input_frames == 0 && (!eof || sd.output_frames_gen == 0))
            break;
        if (sd.input_frames_used == 0 && sd.output_frames_gen == 0)
            break; /* no progress: never loop forever */
    }
}

static void seg_open(mrun *r, long a)
{
    r->gate = 1;
    r->seg_start = r->seg_end = a;
    r->out_pos = a / r->p_in * r->p_out;
    r->valid_lo = a == 0 ? LONG_MIN : ((a + r->margin_in) * r->p_out + r->p_in - 1) / r->p_in;
    r->valid_hi = LONG_MAX;
    if (!r->same_rate)
        src_reset(r->src);
    for (int pass = 0; pass < 2; pass++) /* merge every open window the segment reaches */
        for (int k = 0; k < 2; k++)
            if (r->w[k].used && need_lo(r, r->w[k].start) <= r->seg_end) {
                long h = need_hi(r, r->w[k].start);
                if (h > r->seg_end)
                    r->seg_end = h;
            }
}

static void seg_close(mrun *r, int track_end)
{
    if (!track_end)
        r->valid_hi = (r->seg_end - r->margin_in) * r->p_out / r->p_in;
    resample(r, NULL, 0, 1);
    r->gate = 0;
}

/* Earliest input position an open window needs, LONG_MAX if none. */
static long next_need(const mrun *r)
{
    long best = LONG_MAX;
    for (int k = 0; k < 2; k++)
        if (r->w[k].used) {
            long a = need_lo(r, r->w[k].start);
            best = a < best ? a : best;
        }
    return best;
}

static void model_feed(mrun *r, const float *x, long n, long pos)
{
    long i = 0;
    while (i < n && !r->failed) {
        long p = pos + i;
        if (!r->gate) {
            long s = next_need(r);
            if (s == LONG_MAX || s >= pos + n)
                return;
            if (s < p) /* cannot happen by construction; resume on the grid */
                s = (p + r->p_in - 1) / r->p_in * r->p_in;
            if (s >= pos + n)
                return;
            i = s - pos;
            seg_open(r, s);
            continue;
        }
        long take = r->seg_end - p < n - i ? r->seg_end - p : n - i;
        resample(r, x + i, take, 0);
        i += take;
        if (pos + i >= r->seg_end)
            seg_close(r, 0);
    }
}

static void model_begin(mrun *r, int rate, int mode)
{
    const mq_nn_model *m = r->m;
    long g = gcd_l(rate, m->sample_rate);
    r->p_in = rate / g;
    r->p_out = m->sample_rate / g;
    r->ratio = (double)m->sample_rate / rate;
    r->same_rate = rate == m->sample_rate;
    double stretch = r->ratio < 1.0 ? 1.0 / r->ratio : 1.0;
    r->margin_in = r->same_rate ? 0 : (long)ceil(DEEP_SRC_ZC * stretch) + 16;
    r->mode = mode;
    r->next_grid = 0;
    r->stride = 1;
    r->last_idx = 0;
    r->gate = 0;
    r->out_pos = 0;
    r->valid_lo = LONG_MIN;
    r->valid_hi = LONG_MAX;
    for (int k = 0; k < 2; k++)
        r->w[k].used = 0;
}

/* Results of the windows still open when the input of a (sub)track of n_in
 * samples has ended; returns the track's length in model samples. */
static long model_end(mrun *r, long n_in, long known_total)
{
    const mq_nn_model *m = r->m;
    long total;
    if (known_total >= 0) {
        total = known_total; /* a follower: its leader has flushed */
    } else if (r->gate) {
        seg_close(r, 1);
        total = r->out_pos;
    } else {
        total = n_in * r->p_out / r->p_in;
    }
    if (r->same_rate)
        total = n_in;
    for (int k = 0; k < 2; k++) {
        win *w = &r->w[k];
        if (!w->used)
            continue;
        long avail = total - w->start; /* buffer index one past the track's end */
        int complete = w->hi >= (avail < m->win_len ? avail : m->win_len) && avail > w->lo;
        int valid;
        if (m->arch == MQ_NN_MUSICNN)
            valid = w->idx == 0 ||
                    (w->idx > 0 && (w->idx + 1) * MQ_MUSICNN_T <= 1 + total / MQ_MUSICNN_HOP);
        else
            valid = r->mode == PLAN_LIST || w->idx == 0;
        if (complete && valid && !r->failed)
            run_window(r, w, total);
        w->used = 0;
    }
    return total;
}

/* Analyse a complete (sub)track held in the ring with the given plan. */
static void replay_ring(mq_deep *d, mrun *r, int mode, const long *list, int nlist)
{
    model_begin(r, d->rate, mode);
    if (mode == PLAN_LIST) {
        for (int i = 0; i < nlist; i++)
            r->list[i] = list[i];
        r->nlist = nlist;
        r->next_list = 0;
    }
    pull(r);
    long n = d->ring_fill, first = d->ring_fill < d->ring_len ? 0 : d->ring_pos;
    long a = d->ring_len - first < n ? d->ring_len - first : n;
    mrun *follower = r->follower; /* a replay feeds this model only */
    r->follower = NULL;
    model_feed(r, d->ring + first, a, 0);
    model_feed(r, d->ring, n - a, a);
    model_end(r, n, -1);
    r->follower = follower;
}

/* ---- public per-track API ---- */

void mq_deep_begin(mq_deep *d, int sample_rate, double expected_duration_s, int full_coverage)
{
    d->rate = sample_rate;
    d->expected = expected_duration_s;
    d->full = full_coverage;
    d->n_in = 0;
    d->ring_pos = d->ring_fill = 0;
    d->bad_rate = sample_rate < MIN_RATE || sample_rate > MAX_RATE;
    d->oom = 0;
    if (d->bad_rate)
        return;
    long need = (long)ceil(RING_SECONDS * sample_rate);
    if (need > d->ring_len) {
        float *ring = realloc(d->ring, (size_t)need * sizeof *ring);
        if (!ring) {
            d->oom = 1;
            return;
        }
        d->ring = ring;
        d->ring_len = need;
    }
    int known = isfinite(expected_duration_s) && expected_duration_s > 0;
    double secs = known ? fmin(expected_duration_s, 1e6) : 0.0;
    for (int i = 0; i < d->models->n && !d->oom; i++) {
        mrun *r = &d->run[i];
        const mq_nn_model *m = r->m;
        memset(r->sum_p, 0, (size_t)m->ntags * sizeof *r->sum_p);
        memset(r->sum_e, 0, (size_t)m->emb_dim * sizeof *r->sum_e);
        r->count = 0;
        r->nres = 0;
        r->failed = 0;
        size_t cap = (size_t)ceil(IN_BLOCK * (double)m->sample_rate / sample_rate) + 64;
        if (cap > r->obuf_cap) {
            float *o = realloc(r->obuf, cap * sizeof *o);
            if (!o) {
                d->oom = 1;
                break;
            }
            r->obuf = o;
            r->obuf_cap = cap;
        }
        model_begin(r, sample_rate, full_coverage ? PLAN_ALL : known ? PLAN_LIST : PLAN_THIN);
        if (r->mode == PLAN_LIST)
            plan_list_default(r, secs);
        pull(r);
    }
}

void mq_deep_feed(mq_deep *d, const float *mono, size_t n)
{
    if (d->bad_rate || d->oom)
        return;
    while (n > 0) {
        long k = n < IN_BLOCK ? (long)n : IN_BLOCK;
        for (long i = 0; i < k; i++) /* NaN / Inf from a broken decoder become silence */
            d->blk[i] = isfinite(mono[i]) ? mono[i] : 0.0f;
        for (long i = 0; i < k;) {
            long c = d->ring_len - d->ring_pos < k - i ? d->ring_len - d->ring_pos : k - i;
            memcpy(d->ring + d->ring_pos, d->blk + i, (size_t)c * sizeof *d->ring);
            d->ring_pos = (d->ring_pos + c) % d->ring_len;
            i += c;
        }
        d->ring_fill = d->ring_fill + k < d->ring_len ? d->ring_fill + k : d->ring_len;
        for (int m = 0; m < d->models->n; m++)
            if (!d->run[m].is_follower)
                model_feed(&d->run[m], d->blk, k, d->n_in);
        d->n_in += k;
        mono += k;
        n -= (size_t)k;
    }
}

static json_t *real_or_null(double v) { return isfinite(v) ? json_real(v) : json_null(); }

/* Indices of the n most probable tags, highest first (ties: lower index). */
static int top_tags(const float *p, int ntags, int *idx, int n)
{
    int k = 0;
    for (; k < n && k < ntags; k++) {
        int best = -1;
        for (int i = 0; i < ntags; i++) {
            int taken = 0;
            for (int j = 0; j < k && !taken; j++)
                taken = idx[j] == i;
            if (!taken && (best < 0 || p[i] > p[best]))
                best = i;
        }
        idx[k] = best;
    }
    return k;
}

static json_t *top_json(const mq_nn_model *m, const float *p)
{
    int idx[NTOP];
    int k = top_tags(p, m->ntags, idx, NTOP);
    json_t *a = json_array();
    for (int i = 0; i < k && a; i++)
        json_array_append_new(a, json_pack("[so]", m->tags[idx[i]], real_or_null(p[idx[i]])));
    return a;
}

/* Most probable tag of group g over the models in order, or NULL. */
static const char *best_of_group(const mq_deep *d, float *const *avg, char g)
{
    for (int i = 0; i < d->models->n; i++) {
        const mq_nn_model *m = d->models->m[i];
        int best = -1;
        for (int t = 0; t < m->ntags; t++)
            if (mq_deep_tag_group(m->tags[t]) == g && (best < 0 || avg[i][t] > avg[i][best]))
                best = t;
        if (best >= 0)
            return m->tags[best];
    }
    return NULL;
}

json_t *mq_deep_finish(mq_deep *d, char *err, size_t errlen)
{
    int n = d->models->n;
    if (d->bad_rate) {
        snprintf(err, errlen, "unsupported sample rate %d Hz", d->rate);
        return NULL;
    }
    if (d->oom) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (d->n_in == 0) {
        snprintf(err, errlen, "no audio");
        return NULL;
    }
    float **avg = calloc((size_t)n, sizeof *avg), **emb = calloc((size_t)n, sizeof *emb);
    json_t *out = NULL;
    int ok = avg && emb;
    for (int i = 0; i < n && ok; i++) {
        mrun *r = &d->run[i];
        const mq_nn_model *m = r->m;
        long total = -1;
        for (int k = 0; k < i && r->is_follower; k++)
            for (mrun *f = d->run[k].follower; f; f = f->follower)
                if (f == r)
                    total = d->run[k].out_total;
        total = model_end(r, d->n_in, total);
        r->out_total = total;
        /* Fallbacks from the ring (at most RING_SECONDS, the end of the track). */
        if (r->mode == PLAN_THIN) {
            for (int k = 0; k < r->nres; k++) {
                for (int t = 0; t < m->ntags; t++)
                    r->sum_p[t] += r->tp[(size_t)k * m->ntags + t];
                for (int t = 0; t < m->emb_dim; t++)
                    r->sum_e[t] += r->te[(size_t)k * m->emb_dim + t];
            }
            r->count = r->nres;
        }
        int all = r->mode == PLAN_ALL;
        if (r->count == 0 && !r->failed) {
            double secs = (double)d->ring_fill / d->rate;
            model_begin(r, d->rate, PLAN_LIST);
            plan_list_default(r, secs);
            long list[MAX_LIST];
            int nl = r->nlist;
            memcpy(list, r->list, (size_t)nl * sizeof *list);
            if (all)
                replay_ring(d, r, PLAN_ALL, NULL, 0);
            else
                replay_ring(d, r, PLAN_LIST, list, nl);
        } else if (all && m->arch == MQ_NN_CRNN && total > m->win_len &&
                   total % m->win_len != 0) {
            /* full coverage: the final partial clip, as the clip ending at the end */
            long sub = d->ring_fill * r->p_out / r->p_in;
            long last = sub - m->win_len;
            if (last >= 0)
                replay_ring(d, r, PLAN_LIST, &last, 1);
        }
        if (r->failed || r->count == 0) {
            snprintf(err, errlen, "%s: %s", m->name,
                     r->failed ? "resampling failed" : "no window could be analysed");
            goto done;
        }
        avg[i] = malloc((size_t)m->ntags * sizeof **avg);
        emb[i] = malloc((size_t)m->emb_dim * sizeof **emb);
        if (!avg[i] || !emb[i]) {
            ok = 0;
            break;
        }
        for (int t = 0; t < m->ntags; t++)
            avg[i][t] = (float)(r->sum_p[t] / r->count);
        for (int t = 0; t < m->emb_dim; t++)
            emb[i][t] = (float)(r->sum_e[t] / r->count);
    }
    if (!ok) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    out = json_object();
    json_t *models = json_object(), *versions = json_array();
    json_object_set_new(out, "models", models);
    for (int i = 0; i < n; i++) {
        const mrun *r = &d->run[i];
        const mq_nn_model *m = r->m;
        json_t *mo = json_object(), *tags = json_object(), *e = json_array();
        for (int t = 0; t < m->ntags; t++)
            json_object_set_new(tags, m->tags[t], real_or_null(avg[i][t]));
        for (int t = 0; t < m->emb_dim; t++)
            json_array_append_new(e, real_or_null(emb[i][t]));
        json_object_set_new(mo, "version", json_string(m->version));
        json_object_set_new(mo, "tags", tags);
        json_object_set_new(mo, "top", top_json(m, avg[i]));
        json_object_set_new(mo, "embedding", e);
        json_object_set_new(mo, "windows", json_integer(r->count));
        json_object_set_new(mo, "seconds",
                            json_real((double)r->count *
                                      (m->arch == MQ_NN_MUSICNN
                                           ? (double)MQ_MUSICNN_T * MQ_MUSICNN_HOP
                                           : (double)m->win_len) /
                                      m->sample_rate));
        json_object_set_new(models, m->name, mo);
        char v[200];
        snprintf(v, sizeof v, "%s@%s", m->name, m->version);
        json_array_append_new(versions, json_string(v));
    }
    const char *genre = best_of_group(d, avg, 'g'), *mood = best_of_group(d, avg, 'm');
    json_object_set_new(out, "tags", top_json(d->models->m[0], avg[0]));
    json_object_set_new(out, "genre", genre ? json_string(genre) : json_null());
    json_object_set_new(out, "mood", mood ? json_string(mood) : json_null());
    json_object_set_new(out, "embedding",
                        json_deep_copy(json_object_get(
                            json_object_get(models, d->models->m[0]->name), "embedding")));
    json_object_set_new(out, "versions", versions);
done:
    for (int i = 0; i < n && avg && emb; i++) {
        free(avg[i]);
        free(emb[i]);
    }
    free(avg);
    free(emb);
    d->n_in = 0;
    return out;
}
