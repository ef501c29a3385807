/* check.c — model check against the test vectors of a model directory, and a
 * timing bench (see check.h). Tolerances are those the model READMEs state
 * (musicnn: hard-coded from the README; CRNN: read from model.json). */
#include "analysis/nn/check.h"

#include <math.h>
#include <samplerate.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/nn/deep.h"
#include "analysis/nn/model.h"
#include "analysis/nn/weights.h"

typedef struct check {
    FILE *out;
    int fails;
} check;

/* One line: label, measured value, tolerance (tol < 0: informational). */
static void line(check *c, const char *label, double value, double tol, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void line(check *c, const char *label, double value, double tol, const char *fmt, ...)
{
    char extra[256] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(extra, sizeof extra, fmt, ap);
        va_end(ap);
    }
    int ok = tol < 0 || (isfinite(value) && value <= tol);
    if (!ok)
        c->fails++;
    if (tol < 0)
        fprintf(c->out, "  %-44s %10.3g %-24s %s\n", label, value, "", extra);
    else
        fprintf(c->out, "  %-44s %10.3g  (tolerance %-9.3g) %s%s%s\n", label, value, tol,
                ok ? "ok" : "FAIL", *extra ? "  " : "", extra);
}

static void fail(check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(check *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(c->out, "  FAIL: ");
    vfprintf(c->out, fmt, ap);
    fprintf(c->out, "\n");
    va_end(ap);
    c->fails++;
}

static double max_abs_diff(const float *a, const float *b, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (!(d <= m)) /* NaN propagates as a failure */
            m = isnan(d) ? INFINITY : d;
    }
    return m;
}

static double max_abs(const float *a, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fabs(a[i]) > m ? fabs(a[i]) : m;
    return m;
}

static float *load_vec(check *c, const char *dir, const char *name, size_t n)
{
    char path[1200], err[512];
    mq_nn_path(path, sizeof path, dir, name);
    float *v = mq_nn_read_f32(path, n, err, sizeof err);
    if (!v)
        fail(c, "%s", err);
    return v;
}

/* Decode a file to mono float with libsndfile (channels averaged). */
static float *decode_mono(const char *path, int *rate, long *n, char *err, size_t errlen)
{
    SF_INFO info = {0};
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, sf_strerror(NULL));
        return NULL;
    }
    size_t cap = info.frames > 0 ? (size_t)info.frames : 1 << 20, len = 0;
    float *mono = malloc(cap * sizeof *mono), *blk = malloc(4096 * (size_t)info.channels * sizeof *blk);
    while (mono && blk) {
        sf_count_t got = sf_readf_float(f, blk, 4096);
        if (got <= 0)
            break;
        if (len + (size_t)got > cap) {
            float *m2 = realloc(mono, 2 * (len + (size_t)got) * sizeof *mono);
            if (!m2) {
                free(mono);
                mono = NULL;
                break;
            }
            mono = m2;
            cap = 2 * (len + (size_t)got);
        }
        for (sf_count_t i = 0; i < got; i++) {
            double s = 0;
            for (int ch = 0; ch < info.channels; ch++)
                s += blk[i * info.channels + ch];
            mono[len++] = (float)(s / info.channels);
        }
    }
    free(blk);
    sf_close(f);
    if (!mono)
        snprintf(err, errlen, "%s: out of memory", path);
    *rate = info.samplerate;
    *n = (long)len;
    return mono;
}

/* Run mono audio through the streaming API with one model directory. */
static json_t *deep_run(const char *dir, const float *x, long n, int rate, double expected,
                        int full, char *err, size_t errlen)
{
    const char *dirs[1] = {dir};
    mq_deep_models *ms = mq_deep_models_load(dirs, 1, err, errlen);
    if (!ms)
        return NULL;
    mq_deep *d = mq_deep_new(ms);
    json_t *j = NULL;
    if (d) {
        mq_deep_begin(d, rate, expected, full);
        for (long i = 0; i < n; i += 1013) /* odd block size on purpose */
            mq_deep_feed(d, x + i, (size_t)(n - i < 1013 ? n - i : 1013));
        j = mq_deep_finish(d, err, errlen);
    } else {
        snprintf(err, errlen, "out of memory");
    }
    mq_deep_free(d);
    mq_deep_models_free(ms);
    return j;
}

/* A model's averaged tags and embedding from a deep_run result, in model order. */
static int deep_vectors(const mq_nn_model *m, json_t *j, float *probs, float *emb)
{
    json_t *mo = json_object_get(json_object_get(j, "models"), m->name);
    json_t *tags = json_object_get(mo, "tags"), *e = json_object_get(mo, "embedding");
    if (!json_is_object(tags) || json_array_size(e) != (size_t)m->emb_dim)
        return -1;
    for (int t = 0; t < m->ntags; t++) {
        json_t *v = json_object_get(tags, m->tags[t]);
        if (!json_is_number(v))
            return -1;
        probs[t] = (float)json_number_value(v);
    }
    for (int t = 0; t < m->emb_dim; t++)
        emb[t] = (float)json_number_value(json_array_get(e, (size_t)t));
    return 0;
}

static void print_top(check *c, const mq_nn_model *m, const float *p, const char *what)
{
    int used[5] = {-1, -1, -1, -1, -1};
    fprintf(c->out, "  %s:", what);
    for (int k = 0; k < 5 && k < m->ntags; k++) {
        int best = -1;
        for (int i = 0; i < m->ntags; i++) {
            int taken = 0;
            for (int j = 0; j < k; j++)
                taken |= used[j] == i;
            if (!taken && (best < 0 || p[i] > p[best]))
                best = i;
        }
        used[k] = best;
        fprintf(c->out, " %s %.3f%s", m->tags[best], p[best], k < 4 ? "," : "");
    }
    fprintf(c->out, "\n");
}

/* ---- musicnn ---- */

static void check_musicnn(check *c, const mq_nn_model *m)
{
    char tv[1100], path[1200], err[512];
    mq_nn_path(tv, sizeof tv, m->dir, "testvectors");
    json_t *j = mq_nn_json_load(mq_nn_path(path, sizeof path, tv, "testvectors.json"), err,
                                sizeof err);
    if (!j) {
        fail(c, "%s", err);
        return;
    }
    long ns = (long)json_integer_value(json_object_get(j, "num_samples"));
    long nf = (long)json_integer_value(json_object_get(j, "num_frames"));
    json_t *starts = json_object_get(j, "patch_starts");
    int np = (int)json_array_size(starts), T = MQ_MUSICNN_T, NM = MQ_MUSICNN_MELS, nt = m->ntags;
    const size_t E = MQ_MUSICNN_EMB, PO = MQ_MUSICNN_POOLED;
    if (json_integer_value(json_object_get(j, "sample_rate")) != MQ_MUSICNN_SR || ns <= 0 ||
        nf != 1 + ns / MQ_MUSICNN_HOP || np <= 0) {
        fail(c, "%s/testvectors.json: sample_rate, num_samples, num_frames or patch_starts wrong",
             tv);
        json_decref(j);
        return;
    }
    float *input = load_vec(c, tv, "input.f32", (size_t)ns);
    float *ref_mel = load_vec(c, tv, "mel_power.f32", (size_t)nf * NM);
    float *ref_log = load_vec(c, tv, "logmel.f32", (size_t)nf * NM);
    float *ref_pool = load_vec(c, tv, "pooled.f32", (size_t)np * PO);
    float *ref_pen = load_vec(c, tv, "penultimate.f32", (size_t)np * E);
    float *ref_logit = load_vec(c, tv, "logits.f32", (size_t)np * nt);
    float *ref_prob = load_vec(c, tv, "probs.f32", (size_t)np * nt);
    float *ref_tp = load_vec(c, tv, "track_probs.f32", (size_t)nt);
    float *ref_te = load_vec(c, tv, "track_embedding.f32", E);
    mq_nn_runner *r = mq_nn_runner_new(m);
    float *pad = malloc((size_t)(ns + MQ_MUSICNN_NFFT) * sizeof *pad);
    float *mel = malloc((size_t)nf * NM * sizeof *mel);
    float *pool = malloc(PO * sizeof *pool), *pen = malloc(E * sizeof *pen);
    float *logit = malloc((size_t)nt * sizeof *logit), *prob = malloc((size_t)nt * sizeof *prob);
    float *bn = malloc((size_t)T * NM * sizeof *bn);
    float *fe = malloc((size_t)T * MQ_MUSICNN_FE * sizeof *fe);
    float *mid = malloc((size_t)T * MQ_MUSICNN_MID * sizeof *mid);
    float *dprob = malloc((size_t)nt * sizeof *dprob), *demb = malloc(E * sizeof *demb);
    if (!input || !ref_mel || !ref_log || !ref_pool || !ref_pen || !ref_logit || !ref_prob ||
        !ref_tp || !ref_te || !r || !pad || !mel || !pool || !pen || !logit || !prob || !bn ||
        !fe || !mid || !dprob || !demb) {
        if (!r || !pad || !mel)
            fail(c, "out of memory");
        goto done;
    }

    /* Mel filter bank against the manifest's precomputed one (informational). */
    {
        char mp[1200];
        json_t *man = mq_nn_json_load(mq_nn_path(mp, sizeof mp, m->dir, "manifest.json"), err,
                                      sizeof err);
        mq_nn_store *s = man ? mq_nn_store_open_flat(m->dir, man, err, sizeof err) : NULL;
        int fd[2] = {NM, MQ_MUSICNN_NFFT / 2 + 1};
        float *fb = s ? mq_nn_store_get(s, "frontend.mel_filterbank", 2, fd, err, sizeof err)
                      : NULL;
        if (fb)
            line(c, "mel filter bank vs frontend.mel_filterbank",
                 max_abs_diff(fb, mq_nn_melspec_filterbank(m->mel), (size_t)fd[0] * fd[1]), -1,
                 "max abs (informational)");
        free(fb);
        mq_nn_store_close(s);
        json_decref(man);
    }

    /* Front end: centred frames, reflect padding, power, mel. */
    for (long i = 0; i < ns + MQ_MUSICNN_NFFT; i++)
        pad[i] = input[mq_nn_reflect_index(i - MQ_MUSICNN_NFFT / 2, ns)];
    mq_nn_melspec_frames(m->mel, r->mb, pad, MQ_MUSICNN_HOP, (int)nf, mel);
    double rel = 0.0, tiny = 0.0;
    for (long i = 0; i < nf * NM; i++) {
        double d = fabs((double)mel[i] - ref_mel[i]);
        if (ref_mel[i] > 1e-6)
            rel = fmax(rel, d / ref_mel[i]);
        else
            tiny = fmax(tiny, d);
    }
    line(c, "mel power: max relative error (> 1e-6)", rel, 1e-3, NULL);
    line(c, "mel power: max abs error (<= 1e-6)", tiny, 1e-9, NULL);
    mq_musicnn_log(mel, (size_t)nf * NM);
    long within = 0;
    for (long i = 0; i < nf * NM; i++)
        within += fabs((double)mel[i] - ref_log[i]) <= 1e-5;
    line(c, "log-mel: max abs error", max_abs_diff(mel, ref_log, (size_t)nf * NM), 5e-4, NULL);
    line(c, "log-mel: share of values off by > 1e-5", 1.0 - (double)within / (double)(nf * NM),
         1e-3, NULL);

    /* Network fed the reference log-mel patches, then our own (end to end). */
    for (int pass = 0; pass < 2; pass++) {
        const float *src = pass == 0 ? ref_log : mel;
        double e_pool = 0, e_pen = 0, e_logit = 0, e_prob = 0;
        for (int p = 0; p < np; p++) {
            long st = (long)json_integer_value(json_array_get(starts, (size_t)p));
            if (st < 0 || st + T > nf) {
                fail(c, "patch_starts[%d] = %ld is out of range", p, st);
                goto done;
            }
            mq_musicnn_out o = {.probs = prob, .logits = logit, .penultimate = pen,
                                .pooled = pool};
            if (pass == 0 && p == 0) {
                o.bn_input = bn;
                o.frontend = fe;
                o.midend = mid;
            }
            mq_musicnn_forward(m->musicnn, r->ms, src + (size_t)st * NM, &o, NULL);
            const float *rp = ref_pool + (size_t)p * PO;
            e_pool = fmax(e_pool, max_abs_diff(pool, rp, PO) / max_abs(rp, PO));
            e_pen = fmax(e_pen, max_abs_diff(pen, ref_pen + (size_t)p * E, E));
            e_logit = fmax(e_logit, max_abs_diff(logit, ref_logit + (size_t)p * nt, (size_t)nt));
            e_prob = fmax(e_prob, max_abs_diff(prob, ref_prob + (size_t)p * nt, (size_t)nt));
            if (pass == 0 && p == 0) {
                static const char *const nm[3] = {"patch0_bn_input.f32", "patch0_frontend.f32",
                                                  "patch0_midend.f32"};
                static const char *const lb[3] = {
                    "patch 0 bn_input: max abs / max|ref|", "patch 0 front end: max abs / max|ref|",
                    "patch 0 mid end: max abs / max|ref|"};
                const float *mine[3] = {bn, fe, mid};
                size_t sz[3] = {(size_t)T * NM, (size_t)T * MQ_MUSICNN_FE,
                                (size_t)T * MQ_MUSICNN_MID};
                for (int k = 0; k < 3; k++) {
                    char ip[1200];
                    float *ref = mq_nn_read_f32(mq_nn_path(ip, sizeof ip, tv, nm[k]), sz[k], err,
                                                sizeof err);
                    if (ref)
                        line(c, lb[k], max_abs_diff(mine[k], ref, sz[k]) / max_abs(ref, sz[k]),
                             -1, "(informational)");
                    free(ref);
                }
            }
        }
        if (pass == 0) {
            fprintf(c->out, " network fed logmel.f32 (%d patches):\n", np);
            line(c, "pooled: max abs / max|pooled|", e_pool, 1e-4, NULL);
            line(c, "penultimate (embedding): max abs", e_pen, 2e-4, NULL);
            line(c, "logits: max abs", e_logit, 2e-4, NULL);
            line(c, "probs: max abs", e_prob, 5e-5, NULL);
        } else {
            fprintf(c->out, " end to end from input.f32:\n");
            line(c, "pooled: max abs / max|pooled|", e_pool, 1e-3, NULL);
            line(c, "penultimate (embedding): max abs", e_pen, 1e-3, NULL);
            line(c, "probs: max abs", e_prob, 1e-4, NULL);
        }
    }

    /* The streaming per-track API, at every coverage. */
    fprintf(c->out, " streaming API (mq_deep) on input.f32, track level:\n");
    static const char *const cov[3] = {"full coverage", "default coverage",
                                       "unknown duration"};
    for (int k = 0; k < 3; k++) {
        json_t *res = deep_run(m->dir, input, ns, MQ_MUSICNN_SR,
                               k == 2 ? 0.0 : (double)ns / MQ_MUSICNN_SR, k == 0, err,
                               sizeof err);
        if (!res || deep_vectors(m, res, dprob, demb) != 0) {
            fail(c, "streaming API (%s): %s", cov[k], res ? "bad result" : err);
            json_decref(res);
            continue;
        }
        char lb[96];
        snprintf(lb, sizeof lb, "%s: track probs max abs", cov[k]);
        line(c, lb, max_abs_diff(dprob, ref_tp, (size_t)nt), 1e-4, NULL);
        snprintf(lb, sizeof lb, "%s: track embedding max abs", cov[k]);
        line(c, lb, max_abs_diff(demb, ref_te, E), 1e-3, NULL);
        if (k == 0)
            print_top(c, m, dprob, "top tags");
        json_decref(res);
    }
done:
    free(input);
    free(ref_mel);
    free(ref_log);
    free(ref_pool);
    free(ref_pen);
    free(ref_logit);
    free(ref_prob);
    free(ref_tp);
    free(ref_te);
    mq_nn_runner_free(r);
    free(pad);
    free(mel);
    free(pool);
    free(pen);
    free(logit);
    free(prob);
    free(bn);
    free(fe);
    free(mid);
    free(dprob);
    free(demb);
    json_decref(j);
}

/* ---- CRNN ---- */

static double tol_get(const json_t *mj, const char *group, const char *key, double dflt)
{
    json_t *v = json_object_get(json_object_get(json_object_get(mj, "tolerance"), group), key);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

/* Expected tags of a vector in model order; -1 if a tag is missing. */
static int expected_tags(const mq_nn_model *m, const json_t *v, float *out)
{
    json_t *tags = json_object_get(v, "tags");
    for (int t = 0; t < m->ntags; t++) {
        json_t *x = json_object_get(tags, m->tags[t]);
        if (!json_is_number(x))
            return -1;
        out[t] = (float)json_number_value(x);
    }
    return 0;
}

static int argmax(const float *p, int n)
{
    int b = 0;
    for (int i = 1; i < n; i++)
        if (p[i] > p[b])
            b = i;
    return b;
}

static void check_crnn(check *c, const mq_nn_model *m)
{
    char tv[1100], path[1200], err[512];
    const int nt = m->ntags, NM = MQ_CRNN_MELS, NF = MQ_CRNN_FRAMES, E = MQ_CRNN_EMB;
    json_t *mj = mq_nn_json_load(mq_nn_path(path, sizeof path, m->dir, "model.json"), err,
                                 sizeof err);
    mq_nn_path(tv, sizeof tv, m->dir, "testvectors");
    json_t *j = mq_nn_json_load(mq_nn_path(path, sizeof path, tv, "expected.json"), err,
                                sizeof err);
    json_t *vecs = json_object_get(j, "vectors");
    if (!mj || !j || !json_array_size(vecs)) {
        fail(c, "%s", !mj || !j ? err : "expected.json: no \"vectors\"");
        json_decref(mj);
        json_decref(j);
        return;
    }
    double t_tags = tol_get(mj, "published_melgram", "tags", 1e-4);
    double t_emb = tol_get(mj, "published_melgram", "embedding", 1e-4);
    double t_db = tol_get(mj, "synthetic", "melgram_db_mean", 0.01);
    double t_syn = tol_get(mj, "synthetic", "tags", 1e-3);
    mq_nn_runner *r = mq_nn_runner_new(m);
    float *probs = malloc((size_t)nt * sizeof *probs), *emb = malloc((size_t)E * sizeof *emb);
    float *want = malloc((size_t)nt * sizeof *want), *wemb = malloc((size_t)E * sizeof *wemb);
    float *win = malloc((size_t)MQ_CRNN_SAMPLES * sizeof *win);
    if (!r || !probs || !emb || !want || !wemb || !win) {
        fail(c, "out of memory");
        goto done;
    }
    size_t i;
    json_t *v;
    json_array_foreach(vecs, i, v)
    {
        const char *name = json_string_value(json_object_get(v, "name"));
        const char *melf = json_string_value(json_object_get(v, "mel"));
        json_t *ej = json_object_get(v, "embedding");
        if (!name || !melf || json_array_size(ej) != (size_t)E || expected_tags(m, v, want)) {
            fail(c, "expected.json: vectors[%zu] lacks name, mel, embedding[32] or a tag", i);
            continue;
        }
        for (int k = 0; k < E; k++)
            wemb[k] = (float)json_number_value(json_array_get(ej, (size_t)k));
        fprintf(c->out, " %s:\n", name);
        float *mg = load_vec(c, tv, melf, (size_t)NM * NF);
        if (!mg)
            continue;
        const char *audio = json_string_value(json_object_get(v, "audio"));
        mq_crnn_forward(m->crnn, r->cs, mg, probs, emb, NULL);
        line(c, "network fed the melgram: tags max abs", max_abs_diff(probs, want, (size_t)nt),
             t_tags, NULL);
        line(c, "network fed the melgram: embedding max abs", max_abs_diff(emb, wemb, (size_t)E),
             t_emb, NULL);
        if (audio) {
            /* The front end from the 12 kHz audio: centred clip, zero padded if short. */
            int rate;
            long n;
            float *x = decode_mono(mq_nn_path(path, sizeof path, tv, audio), &rate, &n, err,
                                   sizeof err);
            if (!x || rate != MQ_CRNN_SR) {
                fail(c, "%s", x ? "audio test vector is not 12 kHz" : err);
                free(x);
                free(mg);
                continue;
            }
            for (long k = 0; k < MQ_CRNN_SAMPLES; k++) {
                long src = n > MQ_CRNN_SAMPLES ? k + (n - MQ_CRNN_SAMPLES) / 2 : k;
                win[k] = src < n ? x[src] : 0.0f;
            }
            const float *mine = mq_crnn_melgram(r->cs, m->mel, r->mb, win, m->top_db);
            double sum = 0;
            for (long k = 0; k < (long)NM * NF; k++)
                sum += fabs((double)mine[k] - mg[k]);
            line(c, "melgram from audio: mean abs dB error", sum / ((double)NM * NF), t_db, NULL);
            mq_crnn_forward(m->crnn, r->cs, mine, probs, emb, NULL);
            line(c, "end to end from audio: tags max abs", max_abs_diff(probs, want, (size_t)nt),
                 t_syn, NULL);
            json_t *res = deep_run(m->dir, x, n, rate, (double)n / rate, 0, err, sizeof err);
            if (res && deep_vectors(m, res, probs, emb) == 0)
                line(c, "streaming API: tags max abs", max_abs_diff(probs, want, (size_t)nt),
                     t_syn, NULL);
            else
                fail(c, "streaming API: %s", res ? "bad result" : err);
            json_decref(res);
            free(x);
        }
        /* The authors' MP3 beside the melgram: same top tag through our pipeline. */
        char mp3[300];
        snprintf(mp3, sizeof mp3, "%s.mp3", name);
        FILE *probe = fopen(mq_nn_path(path, sizeof path, tv, mp3), "rb");
        if (probe) {
            fclose(probe);
            int rate;
            long n;
            float *x = decode_mono(path, &rate, &n, err, sizeof err);
            json_t *res = x ? deep_run(m->dir, x, n, rate, (double)n / rate, 0, err, sizeof err)
                            : NULL;
            if (res && deep_vectors(m, res, probs, emb) == 0) {
                int a = argmax(probs, nt), b = argmax(want, nt);
                fprintf(c->out, "  %-44s %10s  (expected %s)  %s\n", "from the MP3: top tag",
                        m->tags[a], m->tags[b], a == b ? "ok" : "FAIL");
                c->fails += a != b;
                print_top(c, m, probs, "from the MP3");
                /* How close our decoder + resampler + front end come to the authors'
                 * melgram (informational; the README expects a few dB). */
                long n12 = (long)((double)n * MQ_CRNN_SR / rate) + 16;
                float *y = malloc((size_t)n12 * sizeof *y);
                SRC_DATA sd = {.data_in = x, .input_frames = n, .data_out = y,
                               .output_frames = n12, .src_ratio = (double)MQ_CRNN_SR / rate,
                               .end_of_input = 1};
                if (y && src_simple(&sd, SRC_SINC_BEST_QUALITY, 1) == 0) {
                    long ny = sd.output_frames_gen;
                    for (long k = 0; k < MQ_CRNN_SAMPLES; k++) {
                        long src = ny > MQ_CRNN_SAMPLES ? k + (ny - MQ_CRNN_SAMPLES) / 2 : k;
                        win[k] = src < ny ? y[src] : 0.0f;
                    }
                    const float *mine = mq_crnn_melgram(r->cs, m->mel, r->mb, win, m->top_db);
                    double sum = 0;
                    for (long k = 0; k < (long)NM * NF; k++)
                        sum += fabs((double)mine[k] - mg[k]);
                    line(c, "from the MP3: melgram mean abs dB difference",
                         sum / ((double)NM * NF), -1, "(informational)");
                }
                free(y);
            } else {
                fail(c, "%s: %s", mp3, res ? "bad result" : err);
            }
            json_decref(res);
            free(x);
        }
        free(mg);
    }
done:
    mq_nn_runner_free(r);
    free(probs);
    free(emb);
    free(want);
    free(wemb);
    free(win);
    json_decref(mj);
    json_decref(j);
}

int mq_model_check(const char *dir, FILE *out)
{
    check c = {.out = out, .fails = 0};
    char err[1024];
    mq_nn_model *m = mq_nn_model_load(dir, err, sizeof err);
    if (!m) {
        fprintf(out, "model check %s: FAIL: %s\n", dir, err);
        return 1;
    }
    fprintf(out, "model check %s: %s (%s), version %s, %d tags, %d-d embedding\n", dir, m->name,
            m->arch == MQ_NN_MUSICNN ? "musicnn" : "CRNN", m->version, m->ntags, m->emb_dim);
    if (m->arch == MQ_NN_MUSICNN)
        check_musicnn(&c, m);
    else
        check_crnn(&c, m);
    fprintf(out, "%s: %s (%d stage%s out of tolerance)\n", m->name, c.fails ? "FAIL" : "PASS",
            c.fails, c.fails == 1 ? "" : "s");
    mq_nn_model_free(m);
    return c.fails ? 1 : 0;
}

/* ---- bench ---- */

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Deterministic music-like test signal: chords, bass and noise bursts. */
static void synth(float *x, long n, int rate, unsigned seed)
{
    static const double f[4] = {220.0, 277.18, 329.63, 55.0};
    unsigned s = seed;
    for (long i = 0; i < n; i++) {
        double t = (double)i / rate, v = 0;
        for (int k = 0; k < 4; k++)
            v += 0.12 * sin(2 * M_PI * f[k] * (1 + 0.5 * ((long)(t / 2) % 3)) * t);
        s = s * 1664525u + 1013904223u;
        double noise = ((double)(s >> 8) / 16777216.0 - 0.5);
        v += noise * 0.3 * exp(-20.0 * fmod(t, 0.5));
        x[i] = (float)v;
    }
}

int mq_model_bench(const char *dir, int windows, FILE *out)
{
    char err[1024];
    mq_nn_model *m = mq_nn_model_load(dir, err, sizeof err);
    if (!m) {
        fprintf(out, "bench %s: %s\n", dir, err);
        return 1;
    }
    if (windows < 1)
        windows = 1;
    mq_nn_runner *r = mq_nn_runner_new(m);
    float *buf = malloc((size_t)m->win_len * sizeof *buf);
    int rc = 1;
    if (!r || !buf) {
        fprintf(out, "bench %s: out of memory\n", dir);
        goto done;
    }
    float *probs = malloc((size_t)m->ntags * sizeof *probs);
    float *emb = malloc((size_t)m->emb_dim * sizeof *emb);
    if (!probs || !emb) {
        free(probs);
        free(emb);
        goto done;
    }
    double win_s = m->arch == MQ_NN_MUSICNN ? (double)MQ_MUSICNN_T * MQ_MUSICNN_HOP / m->sample_rate
                                            : (double)m->win_len / m->sample_rate;
    synth(buf, m->win_len, m->sample_rate, 1);
    mq_nn_window_run(r, buf, 0, 0, m->win_len, -1, probs, emb); /* warm up */
    memset(&r->prof, 0, sizeof r->prof);
    r->prof.on = 1;
    for (int k = 0; k < windows; k++) {
        synth(buf, m->win_len, m->sample_rate, (unsigned)k + 2);
        mq_nn_window_run(r, buf, 0, 0, m->win_len, -1, probs, emb);
    }
    double total = 0;
    for (int k = 0; k < r->prof.n; k++)
        total += r->prof.sec[k];
    double per = total / windows;
    fprintf(out, "%s: %.1f ms CPU per %s (%.2f s of audio), %.0fx real time, single thread\n",
            m->name, 1e3 * per, m->arch == MQ_NN_MUSICNN ? "patch" : "clip", win_s, win_s / per);
    for (int k = 0; k < r->prof.n; k++)
        if (r->prof.name[k])
            fprintf(out, "  %-22s %7.2f ms  %5.1f %%\n", r->prof.name[k],
                    1e3 * r->prof.sec[k] / windows, 100.0 * r->prof.sec[k] / total);
    free(probs);
    free(emb);

    /* A 3-minute 44.1 kHz track through the streaming API at default coverage. */
    {
        const int rate = 44100;
        const long n = 180L * rate;
        float *x = malloc((size_t)n * sizeof *x);
        if (!x)
            goto done;
        synth(x, n, rate, 7);
        const char *dirs[1] = {dir};
        mq_deep_models *ms = mq_deep_models_load(dirs, 1, err, sizeof err);
        mq_deep *d = ms ? mq_deep_new(ms) : NULL;
        if (d) {
            for (int full = 0; full < 2; full++) {
                double a = clock_s(CLOCK_MONOTONIC), ac = clock_s(CLOCK_THREAD_CPUTIME_ID);
                mq_deep_begin(d, rate, 180.0, full);
                for (long i = 0; i < n; i += 4096)
                    mq_deep_feed(d, x + i, (size_t)(n - i < 4096 ? n - i : 4096));
                json_t *res = mq_deep_finish(d, err, sizeof err);
                double dt = clock_s(CLOCK_MONOTONIC) - a;
                double dc = clock_s(CLOCK_THREAD_CPUTIME_ID) - ac;
                json_t *mo = json_object_get(json_object_get(res, "models"), m->name);
                fprintf(out,
                        "  streaming API, 180 s at 44.1 kHz, %s coverage: %lld windows, %.2f s "
                        "CPU (%.2f s wall), %.0fx real time per core\n",
                        full ? "full" : "default",
                        (long long)json_integer_value(json_object_get(mo, "windows")), dc, dt,
                        180.0 / dc);
                json_decref(res);
            }
            rc = 0;
        } else {
            fprintf(out, "bench %s: %s\n", dir, ms ? "out of memory" : err);
        }
        mq_deep_free(d);
        mq_deep_models_free(ms);
        free(x);
    }
done:
    free(buf);
    mq_nn_runner_free(r);
    mq_nn_model_free(m);
    return rc;
}
