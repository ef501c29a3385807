/* Unit tests of broker/rows.c: the features JSON of a result as a track_features COPY
 * line (typed columns, arrays, NULLs, escaping), its tags, the row's version, and the
 * helpers (real formatting, pitch classes, text cleaning). The module's static
 * functions are tested by including it. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "broker/buf.c"
#include "broker/rows.c"

/* The tab-separated fields of one COPY line (modified in place); returns their count. */
static int split(char *line, char **f, int max) {
    int n = 0;
    size_t len = strlen(line);
    if (len && line[len - 1] == '\n') line[len - 1] = 0;
    char *t;
    while (n < max && (t = strsep(&line, "\t"))) f[n++] = t;
    return n;
}

/* The index of a column in the line: 0 track_id, 1 version, then cols[], then
 * features and analysis_s. */
static int col_index(const char *name) {
    for (size_t i = 0; i < NCOLS; i++)
        if (!strcmp(cols[i].name, name)) return (int)i + 2;
    cr_assert_fail("no column %s", name);
    return -1;
}

static const char full[] =
    "{\"path\":\"/m/a\\tb.wav\",\"duration_s\":61.5,\"sample_rate\":44100,\"channels\":2,"
    "\"format\":\"flac\",\"tempo_bpm\":124.02,\"tempo_confidence\":0.8,\"beats\":[0.5,1.0,null],"
    "\"onset_rate\":3.2,\"key\":\"Eb minor\",\"key_tonic\":\"Eb\",\"key_mode\":\"minor\","
    "\"camelot\":\"2A\",\"key_strength\":0.7,\"tuning_hz\":440.1,\"loudness_lufs\":-9.5,"
    "\"loudness_range_lu\":5,\"true_peak_dbtp\":-0.3,\"rms_db\":-12,"
    "\"spectral_centroid_hz\":{\"mean\":2100.5,\"std\":300},\"spectral_flux\":{\"mean\":0.1,"
    "\"std\":null},"
    "\"mfcc\":{\"mean\":[1,2,3],\"std\":[0.5]},\"chroma\":[1,0.5],\"danceability\":0.9,\"energy\":"
    "0.8,"
    "\"waveform\":{\"points\":2,\"min\":[-0.5,-0.25],\"max\":[0.5,0.25]},"
    "\"genre\":\"electronic\",\"mood\":\"happy\",\"embedding\":[0.1,0.2],"
    "\"tags\":[[\"electronic\",0.3],[\"pop\",0.2]],"
    "\"deep\":{\"m1\":{\"version\":\"x\",\"tags\":{\"rock\":0.1,\"jazz\":0.05}}},"
    "\"analyzer_version\":\"mixq-analysis/0.1.0+m1@abc\"}";

Test(broker_rows, maps_every_typed_column) {
    mq_buf rows = {0}, tags = {0};
    char version[MQ_ROWS_VERSION_MAX], why[128];
    mq_rows_job job = {42, "mixq-analysis/0.1.0"};
    cr_assert_eq(
        mq_rows_add(&rows, &tags, &job, full, strlen(full), 1.25, version, why, sizeof why), 0);
    /* The worker's version extends the job's: the row is stored under the job's. */
    cr_assert_str_eq(version, "mixq-analysis/0.1.0");
    char *f[80];
    int n = split(rows.data, f, 80);
    cr_assert_eq(n, (int)NCOLS + 4, "fields: %d", n);
    cr_assert_str_eq(f[0], "42");
    cr_assert_str_eq(f[1], "mixq-analysis/0.1.0");
    cr_assert_str_eq(f[col_index("duration_s")], "61.5");
    cr_assert_str_eq(f[col_index("sample_rate")], "44100");
    cr_assert_str_eq(f[col_index("format")], "flac");
    cr_assert_str_eq(f[col_index("tempo_bpm")], "124.019997"); /* as a real (float4) */
    cr_assert_str_eq(f[col_index("beats")], "{0.5,1,NULL}");
    cr_assert_str_eq(f[col_index("key_tonic")], "3");
    cr_assert_str_eq(f[col_index("key_name")], "Eb minor");
    cr_assert_str_eq(f[col_index("camelot")], "2A");
    cr_assert_str_eq(f[col_index("centroid_mean")], "2100.5");
    cr_assert_str_eq(f[col_index("centroid_std")], "300");
    cr_assert_str_eq(f[col_index("flux_std")], "\\N");
    cr_assert_str_eq(f[col_index("bandwidth_mean")], "\\N", "absent field: NULL");
    cr_assert_str_eq(f[col_index("mfcc_mean")], "{1,2,3}");
    cr_assert_str_eq(f[col_index("waveform_min")], "{-0.5,-0.25}");
    cr_assert_str_eq(f[col_index("embedding")], "{0.100000001,0.200000003}");
    cr_assert_str_eq(f[col_index("genre")], "electronic");
    /* The whole JSON, escaped for COPY (the tab in the path). */
    cr_assert(strstr(f[NCOLS + 2], "a\\\\tb.wav"), "%s", f[NCOLS + 2]);
    cr_assert_str_eq(f[NCOLS + 3], "1.25");
    /* Tags per model from "deep", not the top-level summary. */
    cr_assert(strstr(tags.data, "42\tmixq-analysis/0.1.0\tm1\trock\t0.100000001\n"), "%s",
              tags.data);
    cr_assert(strstr(tags.data, "\tm1\tjazz\t"));
    cr_assert_null(strstr(tags.data, "primary"));
    mq_buf_free(&rows);
    mq_buf_free(&tags);
}

Test(broker_rows, noop_result_and_version_rules) {
    mq_buf rows = {0}, tags = {0};
    char version[MQ_ROWS_VERSION_MAX], why[128];
    const char noop[] = "{\"analyzer_version\":\"mixq-analysis/0.1.0\",\"noop\":true}";
    mq_rows_job job = {7, "mixq-analysis/0.1.0"};
    cr_assert_eq(
        mq_rows_add(&rows, &tags, &job, noop, strlen(noop), 0.001, version, why, sizeof why), 0);
    char *f[80];
    cr_assert_eq(split(rows.data, f, 80), (int)NCOLS + 4);
    for (size_t i = 0; i < NCOLS; i++) cr_assert_str_eq(f[i + 2], "\\N", "column %s", cols[i].name);
    cr_assert_eq(tags.len, 0);
    /* Another analyser's version wins over the job's; no version at all: the job's. */
    mq_buf_reset(&rows);
    const char other[] = "{\"analyzer_version\":\"other/2\"}";
    mq_rows_add(&rows, &tags, &job, other, strlen(other), 0, version, why, sizeof why);
    cr_assert_str_eq(version, "other/2");
    mq_buf_reset(&rows);
    mq_rows_job nov = {7, ""};
    mq_rows_add(&rows, &tags, &nov, "{}", 2, 0, version, why, sizeof why);
    cr_assert_str_eq(version, MQ_ANALYZER_VERSION);
    mq_buf_free(&rows);
    mq_buf_free(&tags);
}

Test(broker_rows, refuses_what_is_not_an_object) {
    mq_buf rows = {0}, tags = {0};
    char version[MQ_ROWS_VERSION_MAX], why[128];
    mq_rows_job job = {1, "v"};
    /* ... nor a NUL in a string, which PostgreSQL's jsonb could not store. */
    const char *bad[] = {"[1,2]", "not json", "{\"a\":1,\"a\":2}",
                         "",      "{\"a\":",  "{\"format\":\"a\\u0000b\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_assert_eq(
            mq_rows_add(&rows, &tags, &job, bad[i], strlen(bad[i]), 0, version, why, sizeof why),
            -1, "%s", bad[i]);
        cr_assert_eq(rows.len, 0);
        cr_assert(why[0]);
    }
    mq_buf_free(&rows);
    mq_buf_free(&tags);
}

Test(broker_rows, values_out_of_range_become_null) {
    mq_buf rows = {0}, tags = {0};
    char version[MQ_ROWS_VERSION_MAX], why[128];
    const char j[] =
        "{\"duration_s\":1e300,\"sample_rate\":1e12,\"channels\":2.5,\"key_tonic\":\"H\","
        "\"format\":7,\"chroma\":[1e300,\"x\",[1]],\"tempo_bpm\":1e-300}";
    mq_rows_job job = {1, "v"};
    cr_assert_eq(mq_rows_add(&rows, &tags, &job, j, strlen(j), NAN, version, why, sizeof why), 0);
    char *f[80];
    split(rows.data, f, 80);
    cr_assert_str_eq(f[col_index("duration_s")], "\\N");
    cr_assert_str_eq(f[col_index("sample_rate")], "\\N");
    cr_assert_str_eq(f[col_index("channels")], "\\N");
    cr_assert_str_eq(f[col_index("key_tonic")], "\\N");
    cr_assert_str_eq(f[col_index("format")], "\\N", "not a string");
    cr_assert_str_eq(f[col_index("chroma")], "{NULL,NULL,NULL}");
    cr_assert_str_eq(f[col_index("tempo_bpm")], "0", "underflow");
    cr_assert_str_eq(f[NCOLS + 3], "\\N", "NaN seconds");
    mq_buf_free(&rows);
    mq_buf_free(&tags);
}

Test(broker_rows, top_level_tags_when_no_models) {
    mq_buf rows = {0}, tags = {0};
    char version[MQ_ROWS_VERSION_MAX], why[128];
    const char j[] = "{\"tags\":[[\"pop\",0.5],[\"pop\",0.4],[\"a\\tb\",0.25],[3,1],[\"x\"]]}";
    mq_rows_job job = {9, "v"};
    cr_assert_eq(mq_rows_add(&rows, &tags, &job, j, strlen(j), 0, version, why, sizeof why), 0);
    cr_assert_str_eq(tags.data, "9\tv\tprimary\tpop\t0.5\n9\tv\tprimary\ta\\tb\t0.25\n",
                     "a repeated tag is kept once; malformed pairs are skipped");
    mq_buf_free(&rows);
    mq_buf_free(&tags);
}

Test(broker_rows, reals_round_trip_through_float4) {
    unsigned seed = 7;
    for (int i = 0; i < 200000; i++) {
        double e = (rand_r(&seed) / (double)RAND_MAX) * 16 - 8;
        double v = pow(10, e) * (rand_r(&seed) % 2 ? 1 : -1);
        char t[32];
        int k = fmt_real(t, v);
        t[k] = 0;
        cr_assert_eq((float)strtod(t, NULL), (float)v, "%.17g written as %s", v, t);
    }
    char t[32];
    t[fmt_real(t, 0)] = 0;
    cr_assert_str_eq(t, "0");
    t[fmt_real(t, 1000)] = 0;
    cr_assert_str_eq(t, "1000");
    t[fmt_real(t, -0.25)] = 0;
    cr_assert_str_eq(t, "-0.25");
    t[fmt_real(t, 0.0001)] = 0;
    cr_assert_str_eq(t, "9.99999975e-05"); /* the float nearest 0.0001, exactly */
}

Test(broker_rows, pitch_classes) {
    cr_assert_eq(pitch_class("C"), 0);
    cr_assert_eq(pitch_class("C#"), 1);
    cr_assert_eq(pitch_class("Db"), 1);
    cr_assert_eq(pitch_class("Cb"), 11);
    cr_assert_eq(pitch_class("B"), 11);
    cr_assert_eq(pitch_class("F#"), 6);
    cr_assert_eq(pitch_class("Bb"), 10);
    cr_assert_eq(pitch_class("H"), -1);
    cr_assert_eq(pitch_class("C##"), -1);
    cr_assert_eq(pitch_class(""), -1);
}

Test(broker_rows, clean_text_and_array_literals) {
    char *c = mq_rows_clean_text("ok \xff\xfe caf\xc3\xa9\x01\ttab", 100);
    cr_assert_str_eq(c, "ok ?? caf\xc3\xa9?\ttab");
    free(c);
    c = mq_rows_clean_text("caf\xc3\xa9", 4); /* never cut a character in half */
    cr_assert_str_eq(c, "caf");
    free(c);
    mq_buf b = {0};
    mq_rows_array_text(&b, "a\"b\\c");
    cr_assert_str_eq(b.data, "\"a\\\"b\\\\c\"");
    mq_buf_free(&b);
}

Test(broker_rows, copy_statements_name_every_column) {
    mq_buf b = {0};
    mq_rows_copy_sql(&b);
    for (size_t i = 0; i < NCOLS; i++) cr_assert(strstr(b.data, cols[i].name), "%s", cols[i].name);
    cr_assert(strncmp(b.data, "COPY track_features (track_id, analyzer_version, ", 49) == 0);
    mq_buf_free(&b);
}
