/* model.c — loading a model directory (manifest.json + weights.bin, or model.json +
 * HDF5) and running one window of audio through its front end and network. */
#include "analysis/nn/model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/nn/ops.h"
#include "analysis/nn/weights.h"

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

void mq_nn_model_free(mq_nn_model *m)
{
    if (!m)
        return;
    if (m->tags)
        for (int i = 0; i < m->ntags; i++)
            free(m->tags[i]);
    free(m->tags);
    mq_nn_melspec_free(m->mel);
    mq_musicnn_free(m->musicnn);
    mq_crnn_free(m->crnn);
    free(m);
}

/* Copy the tag list (array of non-empty strings). */
static int load_tags(mq_nn_model *m, const json_t *tags, const char *file, char *err,
                     size_t errlen)
{
    if (!json_is_array(tags) || json_array_size(tags) == 0 || json_array_size(tags) > 4096) {
        snprintf(err, errlen, "%s: \"tags\" missing, empty or not an array", file);
        return -1;
    }
    m->ntags = (int)json_array_size(tags);
    m->tags = calloc((size_t)m->ntags, sizeof *m->tags);
    if (!m->tags) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int i = 0; i < m->ntags; i++) {
        const char *t = json_string_value(json_array_get(tags, (size_t)i));
        if (!t || !*t) {
            snprintf(err, errlen, "%s: tags[%d] is not a non-empty string", file, i);
            return -1;
        }
        if (!(m->tags[i] = strdup(t))) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    return 0;
}

/* Require integer field key of obj to equal want (the graph is built for it). */
static int want_int(const json_t *obj, const char *key, long want, const char *file, char *err,
                    size_t errlen)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_number(v)) {
        snprintf(err, errlen, "%s: input.%s missing or not a number", file, key);
        return -1;
    }
    if (json_number_value(v) != (double)want) {
        snprintf(err, errlen, "%s: input.%s is %g; this engine supports %ld", file, key,
                 json_number_value(v), want);
        return -1;
    }
    return 0;
}

static const char *base_name(const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    const char *p = dir + n;
    while (p > dir && p[-1] != '/')
        p--;
    return p;
}

static void set_name(mq_nn_model *m, const char *declared)
{
    if (declared && *declared)
        snprintf(m->name, sizeof m->name, "%s", declared);
    else {
        const char *b = base_name(m->dir);
        size_t n = strcspn(b, "/");
        snprintf(m->name, sizeof m->name, "%.*s", (int)(n < 63 ? n : 63), b);
    }
}

static int load_musicnn(mq_nn_model *m, const char *mpath, char *err, size_t errlen)
{
    json_t *j = mq_nn_json_load(mpath, err, errlen);
    if (!j)
        return -1;
    int rc = -1;
    mq_nn_store *s = NULL;
    const char *fmt = json_string_value(json_object_get(j, "format"));
    const char *arch = json_string_value(json_object_get(j, "architecture"));
    if (!fmt || strcmp(fmt, "mixq-nn-weights") != 0) {
        snprintf(err, errlen, "%s: \"format\" is not \"mixq-nn-weights\"", mpath);
        goto done;
    }
    if (!arch || strncmp(arch, "musicnn", 7) != 0) {
        snprintf(err, errlen, "%s: unsupported architecture \"%s\" (musicnn expected)", mpath,
                 arch ? arch : "");
        goto done;
    }
    json_t *in = json_object_get(j, "input");
    json_t *stft = json_object_get(in, "stft"), *mel = json_object_get(in, "mel");
    if (!json_is_object(in) || !json_is_object(stft) || !json_is_object(mel)) {
        snprintf(err, errlen, "%s: \"input\" with \"stft\" and \"mel\" objects is missing", mpath);
        goto done;
    }
    if (want_int(in, "sample_rate", MQ_MUSICNN_SR, mpath, err, errlen) ||
        want_int(in, "patch_frames", MQ_MUSICNN_T, mpath, err, errlen) ||
        want_int(stft, "n_fft", MQ_MUSICNN_NFFT, mpath, err, errlen) ||
        want_int(stft, "hop", MQ_MUSICNN_HOP, mpath, err, errlen) ||
        want_int(mel, "n_mels", MQ_MUSICNN_MELS, mpath, err, errlen) ||
        want_int(mel, "fmin_hz", 0, mpath, err, errlen) ||
        want_int(mel, "fmax_hz", 8000, mpath, err, errlen))
        goto done;
    if (load_tags(m, json_object_get(j, "tags"), mpath, err, errlen) != 0)
        goto done;
    set_name(m, json_string_value(json_object_get(j, "model")));
    s = mq_nn_store_open_flat(m->dir, j, err, errlen);
    if (!s)
        goto done;
    m->musicnn = mq_musicnn_load(s, m->ntags, err, errlen);
    if (!m->musicnn)
        goto done;
    const char *ver = json_string_value(json_object_get(j, "version"));
    const char *commit = json_string_value(json_object_get(json_object_get(j, "source"), "commit"));
    snprintf(m->version, sizeof m->version, "%.12s-%08x",
             ver ? ver : (commit ? commit : "0"), (unsigned)mq_nn_store_hash(s));
    m->arch = MQ_NN_MUSICNN;
    m->sample_rate = MQ_MUSICNN_SR;
    m->emb_dim = MQ_MUSICNN_EMB;
    m->win_hop = (long)MQ_MUSICNN_T * MQ_MUSICNN_HOP;
    m->win_offset = -MQ_MUSICNN_NFFT / 2;
    m->win_len = (long)(MQ_MUSICNN_T - 1) * MQ_MUSICNN_HOP + MQ_MUSICNN_NFFT;
    m->default_windows = 10;
    m->mel = mq_nn_melspec_new(MQ_MUSICNN_SR, MQ_MUSICNN_NFFT, MQ_MUSICNN_MELS, 0.0, 8000.0);
    if (!m->mel) {
        snprintf(err, errlen, "cannot set up the STFT (FFTW plan)");
        goto done;
    }
    rc = 0;
done:
    mq_nn_store_close(s);
    json_decref(j);
    return rc;
}

static int load_crnn(mq_nn_model *m, const char *mpath, char *err, size_t errlen)
{
    json_t *j = mq_nn_json_load(mpath, err, errlen);
    if (!j)
        return -1;
    int rc = -1;
    mq_nn_store *s = NULL;
    const char *arch = json_string_value(json_object_get(j, "architecture"));
    const char *wname = json_string_value(json_object_get(j, "weights"));
    json_t *in = json_object_get(j, "input");
    if (!arch || strcmp(arch, "crnn-keras1") != 0) {
        snprintf(err, errlen, "%s: unsupported architecture \"%s\" (crnn-keras1 expected)", mpath,
                 arch ? arch : "");
        goto done;
    }
    if (!wname || !*wname || strchr(wname, '/')) {
        snprintf(err, errlen, "%s: \"weights\" missing or not a plain file name", mpath);
        goto done;
    }
    if (!json_is_object(in)) {
        snprintf(err, errlen, "%s: \"input\" object is missing", mpath);
        goto done;
    }
    if (want_int(in, "sample_rate", MQ_CRNN_SR, mpath, err, errlen) ||
        want_int(in, "n_fft", MQ_CRNN_NFFT, mpath, err, errlen) ||
        want_int(in, "hop", MQ_CRNN_HOP, mpath, err, errlen) ||
        want_int(in, "n_mels", MQ_CRNN_MELS, mpath, err, errlen) ||
        want_int(in, "frames", MQ_CRNN_FRAMES, mpath, err, errlen) ||
        want_int(in, "window_samples", MQ_CRNN_SAMPLES, mpath, err, errlen))
        goto done;
    const char *power = json_string_value(json_object_get(in, "power"));
    if (power && strcmp(power, "mel_power_squared") != 0) {
        snprintf(err, errlen, "%s: input.power \"%s\" is not supported", mpath, power);
        goto done;
    }
    json_t *td = json_object_get(in, "top_db");
    m->top_db = json_is_number(td) ? json_number_value(td) : 80.0;
    json_t *ed = json_object_get(j, "embedding_dim");
    if (ed && json_integer_value(ed) != MQ_CRNN_EMB) {
        snprintf(err, errlen, "%s: embedding_dim must be %d", mpath, MQ_CRNN_EMB);
        goto done;
    }
    if (load_tags(m, json_object_get(j, "tags"), mpath, err, errlen) != 0)
        goto done;
    set_name(m, json_string_value(json_object_get(j, "name")));
    char wpath[1100];
    mq_nn_path(wpath, sizeof wpath, m->dir, wname);
    s = mq_nn_store_open_hdf5(wpath, err, errlen);
    if (!s)
        goto done;
    m->crnn = mq_crnn_load(s, m->ntags, err, errlen);
    if (!m->crnn)
        goto done;
    const char *ver = json_string_value(json_object_get(j, "version"));
    snprintf(m->version, sizeof m->version, "%.32s-%08x", ver ? ver : "0",
             (unsigned)mq_nn_store_hash(s));
    m->arch = MQ_NN_CRNN;
    m->sample_rate = MQ_CRNN_SR;
    m->emb_dim = MQ_CRNN_EMB;
    m->win_len = m->win_hop = MQ_CRNN_SAMPLES;
    m->win_offset = 0;
    m->default_windows = 1;
    m->mel = mq_nn_melspec_new(MQ_CRNN_SR, MQ_CRNN_NFFT, MQ_CRNN_MELS, 0.0, MQ_CRNN_SR / 2.0);
    if (!m->mel) {
        snprintf(err, errlen, "cannot set up the STFT (FFTW plan)");
        goto done;
    }
    rc = 0;
done:
    mq_nn_store_close(s);
    json_decref(j);
    return rc;
}

mq_nn_model *mq_nn_model_load(const char *dir, char *err, size_t errlen)
{
    mq_nn_model *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    mq_nn_blas_single_thread();
    snprintf(m->dir, sizeof m->dir, "%s", dir);
    char mpath[1100], jpath[1100];
    mq_nn_path(mpath, sizeof mpath, dir, "manifest.json");
    mq_nn_path(jpath, sizeof jpath, dir, "model.json");
    struct stat st;
    int rc;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: model directory %s", dir,
                 errno == ENOENT ? "does not exist" : "is not a readable directory");
        rc = -1;
    } else if (file_exists(mpath))
        rc = load_musicnn(m, mpath, err, errlen);
    else if (file_exists(jpath))
        rc = load_crnn(m, jpath, err, errlen);
    else {
        snprintf(err, errlen, "%s: missing file: neither manifest.json nor model.json", dir);
        rc = -1;
    }
    if (rc != 0) {
        mq_nn_model_free(m);
        return NULL;
    }
    return m;
}

void mq_nn_runner_free(mq_nn_runner *r)
{
    if (!r)
        return;
    mq_nn_melspec_buf_free(r->mb);
    mq_musicnn_scratch_free(r->ms);
    mq_crnn_scratch_free(r->cs);
    free(r);
}

mq_nn_runner *mq_nn_runner_new(const mq_nn_model *m)
{
    mq_nn_runner *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->m = m;
    r->mb = mq_nn_melspec_buf_new(m->mel);
    if (m->arch == MQ_NN_MUSICNN)
        r->ms = mq_musicnn_scratch_new(m->musicnn);
    else
        r->cs = mq_crnn_scratch_new(m->crnn);
    if (!r->mb || (!r->ms && !r->cs)) {
        mq_nn_runner_free(r);
        return NULL;
    }
    return r;
}

long mq_nn_model_grid_windows(const mq_nn_model *m, long total)
{
    if (total <= 0)
        return 0;
    if (m->arch == MQ_NN_MUSICNN)
        return (1 + total / MQ_MUSICNN_HOP) / MQ_MUSICNN_T;
    return total / m->win_len;
}

void mq_nn_window_run(mq_nn_runner *r, float *buf, long start, long lo, long hi, long total,
                      float *probs, float *emb)
{
    const mq_nn_model *m = r->m;
    long len = m->win_len;
    if (lo < 0)
        lo = 0;
    if (hi > len)
        hi = len;
    if (m->arch == MQ_NN_CRNN) {
        for (long i = 0; i < lo; i++)
            buf[i] = 0.0f;
        for (long i = hi > lo ? hi : lo; i < len; i++)
            buf[i] = 0.0f;
        mq_nn_prof_start(&r->prof);
        const float *mg = mq_crnn_melgram(r->cs, m->mel, r->mb, buf, m->top_db);
        mq_nn_prof_mark(&r->prof, 0, "front end");
        mq_crnn_forward(m->crnn, r->cs, mg, probs, emb, &r->prof);
        return;
    }
    /* musicnn: mirror about the track's ends; the buffer holds [lo, hi). */
    if (hi > lo && (lo > 0 || hi < len)) {
        long n = total > 0 ? total : start + hi;
        for (long i = 0; i < len; i++) {
            if (i >= lo && i < hi)
                continue;
            long j = mq_nn_reflect_index(start + i, n) - start;
            buf[i] = j >= lo && j < hi ? buf[j] : 0.0f;
        }
    }
    int nframes = MQ_MUSICNN_T;
    if (total > 0) {
        long first = (start + MQ_MUSICNN_NFFT / 2) / MQ_MUSICNN_HOP;
        long avail = 1 + total / MQ_MUSICNN_HOP - first;
        if (avail < nframes)
            nframes = avail < 1 ? 1 : (int)avail;
    }
    mq_nn_prof_start(&r->prof);
    const float *patch = mq_musicnn_patch_logmel(m->musicnn, r->ms, m->mel, r->mb, buf, nframes);
    mq_nn_prof_mark(&r->prof, 0, "front end");
    mq_musicnn_out out = {.probs = probs, .penultimate = emb};
    mq_musicnn_forward(m->musicnn, r->ms, patch, &out, &r->prof);
}
