/* Unit tests of analysis/nn: model checks of the three shipped models, clear errors
 * for broken model directories, the CRNN's published top tags from the bensound
 * MP3s, and the streaming per-track API (coverage, edge cases, threads).
 *
 * The models are found in $MIXQ_MODELS, else ../shared/models (the repository's
 * sibling), else $MIXQ_SHARED/models; tests that need them skip when absent. */
#include <criterion/criterion.h>
#include <ftw.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/nn/check.h"
#include "analysis/nn/deep.h"

/* ---- helpers ---- */

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Path of model `name`, or skip the test with a one-line reason. */
static void model_dir(char *out, size_t len, const char *name)
{
    const char *env = getenv("MIXQ_MODELS"), *shared = getenv("MIXQ_SHARED");
    char cand[3][1024];
    int n = 0;
    if (env && *env)
        snprintf(cand[n++], sizeof cand[0], "%s", env);
    snprintf(cand[n++], sizeof cand[0], "../shared/models");
    if (shared && *shared)
        snprintf(cand[n++], sizeof cand[0], "%s/models", shared);
    for (int i = 0; i < n; i++) {
        snprintf(out, len, "%s/%s", cand[i], name);
        if (is_dir(out))
            return;
    }
    cr_skip_test("model %s not found (set MIXQ_MODELS to the models directory)", name);
}

static void tmpdir(char *buf, size_t len)
{
    const char *base = getenv("MIXQ_TMP");
    snprintf(buf, len, "%s/mixq-nn-XXXXXX", base && *base ? base : "/tmp");
    cr_assert_not_null(mkdtemp(buf), "mkdtemp");
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

/* Remove a temporary directory made by tmpdir and its contents. */
static void rmtree(const char *dir) { nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS); }

/* Copy src to dst, at most max bytes (-1: all). */
static void copy_file(const char *src, const char *dst, long max)
{
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    cr_assert(in && out, "copy %s -> %s", src, dst);
    char buf[65536];
    long done = 0;
    size_t n;
    while ((max < 0 || done < max) && (n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (max >= 0 && done + (long)n > max)
            n = (size_t)(max - done);
        cr_assert_eq(fwrite(buf, 1, n, out), n);
        done += (long)n;
    }
    fclose(in);
    fclose(out);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* Loading dir must fail with a message containing want (and the model check too). */
static void expect_load_error(const char *dir, const char *want)
{
    char err[1024] = "";
    const char *dirs[1] = {dir};
    mq_deep_models *m = mq_deep_models_load(dirs, 1, err, sizeof err);
    cr_assert_null(m, "loading %s should fail", dir);
    cr_assert(strstr(err, want) != NULL, "error \"%s\" should mention \"%s\"", err, want);
    FILE *devnull = fopen("/dev/null", "w");
    cr_assert_eq(mq_model_check(dir, devnull), 1);
    fclose(devnull);
}

static void check_passes(const char *name)
{
    char dir[1100];
    model_dir(dir, sizeof dir, name);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    cr_assert_not_null(out);
    int rc = mq_model_check(dir, out);
    fclose(out);
    cr_assert_eq(rc, 0, "model check of %s failed:\n%s", name, text);
    cr_assert(strstr(text, "PASS") != NULL);
    free(text);
}

/* Music-like deterministic test signal. */
static void synth(float *x, long n, int rate, unsigned seed)
{
    unsigned s = seed;
    for (long i = 0; i < n; i++) {
        double t = (double)i / rate;
        double v = 0.2 * sin(2 * M_PI * 220 * t) + 0.15 * sin(2 * M_PI * 330 * t) +
                   0.2 * sin(2 * M_PI * 55 * t);
        s = s * 1664525u + 1013904223u;
        v += ((double)(s >> 8) / 16777216.0 - 0.5) * 0.4 * exp(-25.0 * fmod(t, 0.5));
        x[i] = (float)v;
    }
}

static json_t *run_deep(mq_deep *d, const float *x, long n, int rate, double expected, int full,
                        long block)
{
    char err[512] = "";
    mq_deep_begin(d, rate, expected, full);
    for (long i = 0; i < n; i += block)
        mq_deep_feed(d, x + i, (size_t)(n - i < block ? n - i : block));
    json_t *j = mq_deep_finish(d, err, sizeof err);
    cr_assert_not_null(j, "mq_deep_finish: %s", err);
    return j;
}

static mq_deep_models *load_one(const char *name)
{
    char dir[1100], err[1024];
    model_dir(dir, sizeof dir, name);
    const char *dirs[1] = {dir};
    mq_deep_models *m = mq_deep_models_load(dirs, 1, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    return m;
}

static long windows_of(json_t *j, const char *model)
{
    return (long)json_integer_value(
        json_object_get(json_object_get(json_object_get(j, "models"), model), "windows"));
}

/* ---- model checks ---- */

Test(nn_check, msd_musicnn, .timeout = 300) { check_passes("msd-musicnn"); }
Test(nn_check, mtt_musicnn, .timeout = 300) { check_passes("mtt-musicnn"); }
Test(nn_check, msd_crnn, .timeout = 300) { check_passes("msd-crnn"); }

/* ---- broken model directories ---- */

Test(nn_load, missing_and_empty_directories)
{
    char t[512], sub[600];
    tmpdir(t, sizeof t);
    snprintf(sub, sizeof sub, "%s/nope", t);
    expect_load_error(sub, "does not exist");
    expect_load_error(t, "neither manifest.json nor model.json");
    rmtree(t);
}

/* A copy of msd-musicnn in a temp dir; weights truncated to wbytes (-1: whole). */
static void musicnn_copy(char *t, size_t len, long wbytes)
{
    char src[1100], a[1200], b[1200];
    model_dir(src, sizeof src, "msd-musicnn");
    tmpdir(t, len);
    snprintf(a, sizeof a, "%s/manifest.json", src);
    snprintf(b, sizeof b, "%s/manifest.json", t);
    copy_file(a, b, -1);
    snprintf(a, sizeof a, "%s/weights.bin", src);
    snprintf(b, sizeof b, "%s/weights.bin", t);
    copy_file(a, b, wbytes);
}

Test(nn_load, musicnn_truncated_weights)
{
    char t[512];
    musicnn_copy(t, sizeof t, 1000000);
    expect_load_error(t, "truncated");
    rmtree(t);
}

Test(nn_load, musicnn_missing_weights)
{
    char t[512], w[600];
    musicnn_copy(t, sizeof t, 0);
    snprintf(w, sizeof w, "%s/weights.bin", t);
    cr_assert_eq(remove(w), 0);
    expect_load_error(t, "missing file");
    rmtree(t);
}

Test(nn_load, musicnn_corrupt_values)
{
    char t[512], w[600];
    musicnn_copy(t, sizeof t, -1);
    snprintf(w, sizeof w, "%s/weights.bin", t);
    FILE *f = fopen(w, "r+b");
    cr_assert_not_null(f);
    const unsigned char nan[4] = {0x00, 0x00, 0xc0, 0x7f}; /* float NaN, little-endian */
    cr_assert_eq(fseek(f, 1663232 + 8, SEEK_SET), 0);   /* inside midend_1.conv.bias */
    cr_assert_eq(fwrite(nan, 1, 4, f), 4);
    fclose(f);
    expect_load_error(t, "'midend_1.conv.bias' holds NaN or infinite values");
    rmtree(t);
}

Test(nn_load, musicnn_bad_json)
{
    char t[512], src[1100], a[1200], b[1200];
    musicnn_copy(t, sizeof t, -1);
    model_dir(src, sizeof src, "msd-musicnn");
    snprintf(a, sizeof a, "%s/manifest.json", src);
    snprintf(b, sizeof b, "%s/manifest.json", t);
    copy_file(a, b, 5000); /* cut in the middle */
    expect_load_error(t, "bad JSON");
    write_text(b, "[1, 2, 3]");
    expect_load_error(t, "bad JSON");
    rmtree(t);
}

/* Rewrite the copy's manifest with edit() applied. */
static void edit_manifest(const char *t, void (*edit)(json_t *))
{
    char p[600];
    snprintf(p, sizeof p, "%s/manifest.json", t);
    json_error_t je;
    json_t *j = json_load_file(p, 0, &je);
    cr_assert_not_null(j, "%s", je.text);
    edit(j);
    cr_assert_eq(json_dump_file(j, p, JSON_INDENT(1)), 0);
    json_decref(j);
}

static json_t *tensor_entry(json_t *j, const char *name)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(j, "tensors"), i, e) if (strcmp(
        json_string_value(json_object_get(e, "name")), name) == 0) return e;
    cr_assert_fail("tensor %s not in manifest", name);
    return NULL;
}

static void halve_midend(json_t *j)
{
    json_t *e = tensor_entry(j, "midend_1.conv.kernel");
    json_array_set_new(json_object_get(e, "shape"), 3, json_integer(32));
    json_object_set_new(e, "nbytes", json_integer(7 * 561 * 32 * 4));
}
static void drop_tensor(json_t *j)
{
    json_t *ts = json_object_get(j, "tensors");
    for (size_t i = 0; i < json_array_size(ts); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(ts, i), "name")),
                   "backend.out.bias") == 0)
            json_array_remove(ts, i);
}
static void bad_nbytes(json_t *j)
{
    json_object_set_new(tensor_entry(j, "timbral_74.conv.bias"), "nbytes", json_integer(12));
}
static void beyond_end(json_t *j)
{
    json_object_set_new(tensor_entry(j, "backend.out.bias"), "offset", json_integer(3268600));
    json_object_del(j, "weights_bytes");
}
static void wrong_rate(json_t *j)
{
    json_object_set_new(json_object_get(j, "input"), "sample_rate", json_integer(22050));
}
static void one_tag_less(json_t *j) { json_array_remove(json_object_get(j, "tags"), 49); }

Test(nn_load, musicnn_shape_mismatch)
{
    char t[512];
    musicnn_copy(t, sizeof t, -1);
    edit_manifest(t, halve_midend);
    expect_load_error(t, "'midend_1.conv.kernel' has shape [7,561,1,32], expected [7,561,1,64]");
    rmtree(t);
}

Test(nn_load, musicnn_manifest_errors)
{
    static void (*const edit[5])(json_t *) = {drop_tensor, bad_nbytes, beyond_end, wrong_rate,
                                              one_tag_less};
    static const char *const want[5] = {
        "'backend.out.bias' is missing", "nbytes 12 does not match", "truncated file",
        "sample_rate is 22050", "'backend.out.kernel' has shape [200,50], expected [200,49]"};
    for (int i = 0; i < 5; i++) {
        char t[512];
        musicnn_copy(t, sizeof t, -1);
        edit_manifest(t, edit[i]);
        expect_load_error(t, want[i]);
        rmtree(t);
    }
}

Test(nn_load, handmade_tiny_files)
{
    char t[512], p[600];
    tmpdir(t, sizeof t);
    snprintf(p, sizeof p, "%s/manifest.json", t);
    write_text(p, "{\"format\": \"mixq-nn-weights\", \"architecture\": \"musicnn tiny\","
                  " \"weights_file\": \"w.bin\", \"tags\": [\"a\"], \"input\": {\"sample_rate\":"
                  " 16000, \"patch_frames\": 187, \"stft\": {\"n_fft\": 512, \"hop\": 256},"
                  " \"mel\": {\"n_mels\": 96, \"fmin_hz\": 0, \"fmax_hz\": 8000}},"
                  " \"tensors\": [{\"name\": \"bn_input.gamma\", \"shape\": [1], \"dtype\":"
                  " \"float32\", \"offset\": 0, \"nbytes\": 4}]}");
    snprintf(p, sizeof p, "%s/w.bin", t);
    write_text(p, "abcdefghij");
    expect_load_error(t, "'bn_input.beta' is missing");
    snprintf(p, sizeof p, "%s/manifest.json", t);
    write_text(p, "{\"format\": \"mixq-nn-weights\", \"architecture\": \"resnet\"}");
    expect_load_error(t, "unsupported architecture");
    rmtree(t);
}

/* A copy of msd-crnn with its HDF5 file truncated to h5bytes (-1: whole). */
static void crnn_copy(char *t, size_t len, long h5bytes)
{
    char src[1100], a[1200], b[1200];
    model_dir(src, sizeof src, "msd-crnn");
    tmpdir(t, len);
    snprintf(a, sizeof a, "%s/model.json", src);
    snprintf(b, sizeof b, "%s/model.json", t);
    copy_file(a, b, -1);
    snprintf(a, sizeof a, "%s/music_tagger_crnn_weights_theano.h5", src);
    snprintf(b, sizeof b, "%s/music_tagger_crnn_weights_theano.h5", t);
    copy_file(a, b, h5bytes);
}

Test(nn_load, crnn_truncated_and_corrupt_hdf5)
{
    char t[512], p[700];
    crnn_copy(t, sizeof t, 800000);
    expect_load_error(t, "music_tagger_crnn_weights_theano.h5: cannot open the HDF5 file "
                         "(truncated or corrupt");
    rmtree(t);
    crnn_copy(t, sizeof t, 100);
    expect_load_error(t, "HDF5");
    snprintf(p, sizeof p, "%s/music_tagger_crnn_weights_theano.h5", t);
    write_text(p, "this is not an HDF5 file at all, just some text\n");
    expect_load_error(t, "not an HDF5 file");
    cr_assert_eq(remove(p), 0);
    expect_load_error(t, "missing file");
    rmtree(t);
}

Test(nn_load, crnn_model_json_mismatch)
{
    char t[512], p[600];
    crnn_copy(t, sizeof t, -1);
    snprintf(p, sizeof p, "%s/model.json", t);
    json_error_t je;
    json_t *j = json_load_file(p, 0, &je);
    cr_assert_not_null(j);
    json_array_remove(json_object_get(j, "tags"), 0);
    json_dump_file(j, p, 0);
    expect_load_error(t, "'output/output_W' has shape [32,50], expected [32,49]");
    json_object_set_new(json_object_get(j, "input"), "n_mels", json_integer(128));
    json_dump_file(j, p, 0);
    expect_load_error(t, "input.n_mels is 128");
    json_decref(j);
    write_text(p, "{\"name\": \"x\", \"architecture\": \"crnn-keras1\", ");
    expect_load_error(t, "bad JSON");
    rmtree(t);
}

/* ---- the CRNN on real music ---- */

Test(nn_crnn, bensound_mp3_top_tags, .timeout = 300)
{
    static const char *const name[3] = {"bensound-cute", "bensound-actionable",
                                        "bensound-dubstep"};
    static const char *const want[3] = {"jazz", "jazz", "Hip-Hop"};
    char dir[1100], path[1300];
    model_dir(dir, sizeof dir, "msd-crnn");
    mq_deep_models *m = load_one("msd-crnn");
    mq_deep *d = mq_deep_new(m);
    cr_assert_not_null(d);
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/testvectors/%s.mp3", dir, name[i]);
        SF_INFO info = {0};
        SNDFILE *f = sf_open(path, SFM_READ, &info);
        cr_assert_not_null(f, "%s: %s", path, sf_strerror(NULL));
        /* As the analyser does: expected duration from the header, then blocks. */
        mq_deep_begin(d, info.samplerate, (double)info.frames / info.samplerate, 0);
        float *buf = malloc(4096 * (size_t)info.channels * sizeof *buf);
        float *mono = malloc(4096 * sizeof *mono);
        cr_assert(buf && mono);
        sf_count_t got;
        while ((got = sf_readf_float(f, buf, 4096)) > 0) {
            for (sf_count_t k = 0; k < got; k++) {
                double s = 0;
                for (int c = 0; c < info.channels; c++)
                    s += buf[k * info.channels + c];
                mono[k] = (float)(s / info.channels);
            }
            mq_deep_feed(d, mono, (size_t)got);
        }
        sf_close(f);
        free(buf);
        free(mono);
        char err[512];
        json_t *j = mq_deep_finish(d, err, sizeof err);
        cr_assert_not_null(j, "%s: %s", name[i], err);
        const char *top = json_string_value(json_array_get(json_array_get(json_object_get(j, "tags"), 0), 0));
        cr_assert_str_eq(top, want[i], "%s: top tag %s, expected %s", name[i], top, want[i]);
        json_decref(j);
    }
    mq_deep_free(d);
    mq_deep_models_free(m);
}

/* ---- the streaming API ---- */

Test(nn_deep, output_fields_and_block_size_invariance, .timeout = 300)
{
    mq_deep_models *m = load_one("msd-musicnn");
    mq_deep *d = mq_deep_new(m);
    cr_assert_not_null(d);
    const int rate = 22050;
    long n = 12L * rate;
    float *x = malloc((size_t)n * sizeof *x);
    cr_assert_not_null(x);
    synth(x, n, rate, 3);
    json_t *a = run_deep(d, x, n, rate, (double)n / rate, 0, 1013);
    json_t *b = run_deep(d, x, n, rate, (double)n / rate, 0, n);
    json_t *c = run_deep(d, x, n, rate, (double)n / rate, 1, 4096);
    cr_assert(json_equal(a, b), "results depend on the block size");
    cr_assert(json_equal(a, c), "a 12 s track: default coverage is every patch");
    cr_assert_eq(windows_of(a, "msd-musicnn"), 4);
    /* fields */
    json_t *mo = json_object_get(json_object_get(a, "models"), "msd-musicnn");
    cr_assert(json_is_string(json_object_get(mo, "version")));
    cr_assert_eq(json_object_size(json_object_get(mo, "tags")), 50);
    cr_assert_eq(json_array_size(json_object_get(mo, "top")), 5);
    cr_assert_eq(json_array_size(json_object_get(mo, "embedding")), 200);
    cr_assert_eq(json_array_size(json_object_get(a, "tags")), 5);
    cr_assert_eq(json_array_size(json_object_get(a, "embedding")), 200);
    cr_assert(json_is_string(json_object_get(a, "genre")));
    cr_assert(json_is_string(json_object_get(a, "mood")));
    cr_assert_eq(mq_deep_tag_group(json_string_value(json_object_get(a, "genre"))), 'g');
    cr_assert_eq(mq_deep_tag_group(json_string_value(json_object_get(a, "mood"))), 'm');
    const char *v = json_string_value(json_array_get(json_object_get(a, "versions"), 0));
    cr_assert(v && strncmp(v, "msd-musicnn@", 12) == 0);
    json_t *top = json_object_get(mo, "top");
    for (size_t i = 1; i < 5; i++)
        cr_assert_geq(json_real_value(json_array_get(json_array_get(top, i - 1), 1)),
                      json_real_value(json_array_get(json_array_get(top, i), 1)));
    json_decref(a);
    json_decref(b);
    json_decref(c);
    mq_deep_free(d);
    mq_deep_models_free(m);
    free(x);
}

Test(nn_deep, coverage_plans, .timeout = 300)
{
    mq_deep_models *m = load_one("msd-musicnn");
    mq_deep *d = mq_deep_new(m);
    cr_assert_not_null(d);
    const int rate = 16000;
    long n = 70L * rate; /* 23 patches */
    float *x = malloc((size_t)n * sizeof *x);
    cr_assert_not_null(x);
    synth(x, n, rate, 5);
    json_t *def = run_deep(d, x, n, rate, 70.0, 0, 4096);
    cr_assert_eq(windows_of(def, "msd-musicnn"), 10);
    json_t *full = run_deep(d, x, n, rate, 70.0, 1, 4096);
    cr_assert_eq(windows_of(full, "msd-musicnn"), 23);
    json_t *unknown = run_deep(d, x, n, rate, 0.0, 0, 4096);
    long w = windows_of(unknown, "msd-musicnn");
    cr_assert(w >= 10 && w <= 20, "unknown duration kept %ld patches", w);
    /* expected far longer than the audio: falls back to the audio there is */
    json_t *longer = run_deep(d, x, 5L * rate, rate, 600.0, 0, 4096);
    cr_assert_eq(windows_of(longer, "msd-musicnn"), 1);
    json_decref(def);
    json_decref(full);
    json_decref(unknown);
    json_decref(longer);
    mq_deep_free(d);
    mq_deep_models_free(m);
    free(x);
}

Test(nn_deep, short_silent_and_bad_input, .timeout = 300)
{
    mq_deep_models *m = load_one("msd-musicnn");
    mq_deep *d = mq_deep_new(m);
    cr_assert_not_null(d);
    char err[512];
    float x[44100];
    memset(x, 0, sizeof x);
    /* 1 s of silence at 44.1 kHz: one repeated patch, finite values */
    json_t *j = run_deep(d, x, 44100, 44100, 1.0, 0, 1000);
    cr_assert_eq(windows_of(j, "msd-musicnn"), 1);
    char *s = json_dumps(j, 0);
    cr_assert(s && !strstr(s, "null"), "silence gives finite output");
    free(s);
    json_decref(j);
    /* NaN and Inf samples are treated as silence */
    for (int i = 0; i < 44100; i++)
        x[i] = i % 3 ? NAN : INFINITY;
    j = run_deep(d, x, 44100, 44100, 1.0, 1, 4096);
    s = json_dumps(j, 0);
    cr_assert(s && !strstr(s, "null") && !strstr(s, "nan"));
    free(s);
    json_decref(j);
    /* a few samples only */
    j = run_deep(d, x, 3, 8000, 0.0, 0, 4096);
    cr_assert_eq(windows_of(j, "msd-musicnn"), 1);
    json_decref(j);
    /* errors */
    mq_deep_begin(d, 44100, 10.0, 0);
    cr_assert_null(mq_deep_finish(d, err, sizeof err));
    cr_assert_str_eq(err, "no audio");
    mq_deep_begin(d, 7, 10.0, 0);
    mq_deep_feed(d, x, 100);
    cr_assert_null(mq_deep_finish(d, err, sizeof err));
    cr_assert(strstr(err, "sample rate") != NULL);
    mq_deep_free(d);
    mq_deep_models_free(m);
}

typedef struct job {
    const mq_deep_models *m;
    const float *x;
    long n;
    json_t *out;
} job;

static void *worker(void *arg)
{
    job *jb = arg;
    mq_deep *d = mq_deep_new(jb->m);
    char err[256];
    if (!d)
        return NULL;
    mq_deep_begin(d, 32000, (double)jb->n / 32000, 0);
    mq_deep_feed(d, jb->x, (size_t)jb->n);
    jb->out = mq_deep_finish(d, err, sizeof err);
    mq_deep_free(d);
    return NULL;
}

Test(nn_deep, threads_share_models, .timeout = 300)
{
    char d1[1100], d2[1100], err[1024];
    model_dir(d1, sizeof d1, "msd-musicnn");
    model_dir(d2, sizeof d2, "mtt-musicnn");
    const char *dirs[2] = {d1, d2};
    mq_deep_models *m = mq_deep_models_load(dirs, 2, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    long n = 7L * 32000;
    float *x = malloc((size_t)n * sizeof *x);
    cr_assert_not_null(x);
    synth(x, n, 32000, 9);
    job jobs[3] = {{m, x, n, NULL}, {m, x, n, NULL}, {m, x, n, NULL}};
    worker(&jobs[0]);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, worker, &jobs[i + 1]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 3; i++)
        cr_assert_not_null(jobs[i].out);
    cr_assert(json_equal(jobs[0].out, jobs[1].out) && json_equal(jobs[0].out, jobs[2].out));
    cr_assert_eq(json_object_size(json_object_get(jobs[0].out, "models")), 2);
    cr_assert_eq(json_array_size(json_object_get(jobs[0].out, "versions")), 2);
    for (int i = 0; i < 3; i++)
        json_decref(jobs[i].out);
    mq_deep_models_free(m);
    free(x);
}
