/* rows.c -- features JSON to COPY text rows (track_features, track_tags) and the SQL
 * that classifies a batch. */
#include "broker/rows.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"

typedef enum { T_REAL, T_INT, T_PITCH, T_TEXT, T_REALS } coltype;

typedef struct col {
    const char *name; /* the track_features column */
    coltype type;
    /* The JSON field: key a (then sub-key b, if any); when absent or null, the
     * alternative key c (then d). */
    const char *a, *b, *c, *d;
} col;

/* track_features' typed columns, in COPY order. */
static const col cols[] = {
    {"duration_s", T_REAL, "duration_s", NULL, NULL, NULL},
    {"sample_rate", T_INT, "sample_rate", NULL, NULL, NULL},
    {"channels", T_INT, "channels", NULL, NULL, NULL},
    {"format", T_TEXT, "format", NULL, NULL, NULL},
    {"tempo_bpm", T_REAL, "tempo_bpm", NULL, NULL, NULL},
    {"tempo_confidence", T_REAL, "tempo_confidence", NULL, NULL, NULL},
    {"onset_rate", T_REAL, "onset_rate", NULL, NULL, NULL},
    {"beats", T_REALS, "beats", NULL, NULL, NULL},
    {"key_tonic", T_PITCH, "key_tonic", NULL, NULL, NULL},
    {"key_mode", T_TEXT, "key_mode", NULL, NULL, NULL},
    {"key_name", T_TEXT, "key", NULL, NULL, NULL},
    {"camelot", T_TEXT, "camelot", NULL, NULL, NULL},
    {"key_strength", T_REAL, "key_strength", NULL, NULL, NULL},
    {"tuning_hz", T_REAL, "tuning_hz", NULL, NULL, NULL},
    {"loudness_lufs", T_REAL, "loudness_lufs", NULL, NULL, NULL},
    {"loudness_range_lu", T_REAL, "loudness_range_lu", NULL, NULL, NULL},
    {"true_peak_dbtp", T_REAL, "true_peak_dbtp", NULL, NULL, NULL},
    {"rms_db", T_REAL, "rms_db", NULL, NULL, NULL},
    {"centroid_mean", T_REAL, "spectral_centroid_hz", "mean", NULL, NULL},
    {"centroid_std", T_REAL, "spectral_centroid_hz", "std", NULL, NULL},
    {"bandwidth_mean", T_REAL, "spectral_bandwidth_hz", "mean", NULL, NULL},
    {"bandwidth_std", T_REAL, "spectral_bandwidth_hz", "std", NULL, NULL},
    {"rolloff_mean", T_REAL, "spectral_rolloff_hz", "mean", NULL, NULL},
    {"rolloff_std", T_REAL, "spectral_rolloff_hz", "std", NULL, NULL},
    {"flatness_mean", T_REAL, "spectral_flatness", "mean", NULL, NULL},
    {"flatness_std", T_REAL, "spectral_flatness", "std", NULL, NULL},
    {"flux_mean", T_REAL, "spectral_flux", "mean", NULL, NULL},
    {"flux_std", T_REAL, "spectral_flux", "std", NULL, NULL},
    {"zcr_mean", T_REAL, "zero_crossing_rate", "mean", NULL, NULL},
    {"zcr_std", T_REAL, "zero_crossing_rate", "std", NULL, NULL},
    {"contrast_mean", T_REALS, "spectral_contrast_db", "mean", NULL, NULL},
    {"contrast_std", T_REALS, "spectral_contrast_db", "std", NULL, NULL},
    {"mfcc_mean", T_REALS, "mfcc", "mean", NULL, NULL},
    {"mfcc_std", T_REALS, "mfcc", "std", NULL, NULL},
    {"mel_bands_db", T_REALS, "mel_bands_db", NULL, NULL, NULL},
    {"chroma", T_REALS, "chroma", NULL, NULL, NULL},
    {"danceability", T_REAL, "danceability", NULL, NULL, NULL},
    {"energy", T_REAL, "energy", NULL, NULL, NULL},
    {"embedding", T_REALS, "embedding", NULL, "deep", "embedding"},
    {"genre", T_TEXT, "genre", NULL, "deep", "genre"},
    {"mood", T_TEXT, "mood", NULL, "deep", "mood"},
    {"waveform_min", T_REALS, "waveform", "min", NULL, NULL},
    {"waveform_max", T_REALS, "waveform", "max", NULL, NULL},
};
#define NCOLS (sizeof cols / sizeof cols[0])

/* The columns of track_features that a result fills, in COPY order. */
static void feature_cols(mq_buf *out) {
    mq_buf_str(out, "track_id, analyzer_version");
    for (size_t i = 0; i < NCOLS; i++) mq_buf_printf(out, ", %s", cols[i].name);
    mq_buf_str(out, ", features, analysis_s");
}

void mq_rows_copy_sql(mq_buf *out) {
    mq_buf_str(out, "COPY track_features (");
    feature_cols(out);
    mq_buf_str(out, ") FROM STDIN");
}

void mq_rows_copy_tags_sql(mq_buf *out) {
    mq_buf_str(out, "COPY track_tags (track_id, analyzer_version, model, tag, probability) "
                    "FROM STDIN");
}

const char *mq_rows_check_sql(void) {
    /* Correlated scalar subqueries (never hashed, unlike EXISTS): one index probe per
     * entry, whatever the tables' sizes and statistics. */
    return "SELECT (SELECT true FROM tracks t WHERE t.id = k.track_id) IS NOT NULL, "
           "(SELECT true FROM track_features f WHERE f.track_id = k.track_id "
           "AND f.analyzer_version = k.version) IS NOT NULL OR row_number() OVER "
           "(PARTITION BY k.track_id, k.version ORDER BY k.ord) > 1 "
           "FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS k(track_id, version, ord) "
           "ORDER BY k.ord";
}

void mq_rows_array_text(mq_buf *b, const char *s) {
    mq_buf_add(b, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\') mq_buf_add(b, "\\", 1);
        mq_buf_add(b, p, 1);
    }
    mq_buf_add(b, "\"", 1);
}

/* Appends s/n escaped for COPY text format. */
static void copy_text(mq_buf *b, const char *s, size_t n) {
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        char e;
        switch (s[i]) {
        case '\\': e = '\\'; break;
        case '\n': e = 'n'; break;
        case '\r': e = 'r'; break;
        case '\t': e = 't'; break;
        default: continue;
        }
        mq_buf_add(b, s + start, i - start);
        char esc[2] = {'\\', e};
        mq_buf_add(b, esc, 2);
        start = i + 1;
    }
    mq_buf_add(b, s + start, n - start);
}

static void copy_null(mq_buf *b) { mq_buf_add(b, "\\N", 2); }

/* obj[a] or obj[a][b] (b NULL: just obj[a]); NULL when absent or null. */
static json_t *field(json_t *obj, const char *a, const char *b) {
    json_t *x = json_object_get(obj, a);
    if (b) x = json_is_object(x) ? json_object_get(x, b) : NULL;
    return x && !json_is_null(x) ? x : NULL;
}

/* A column's value: its field, else its alternative field. */
static json_t *col_value(json_t *root, const col *c) {
    json_t *x = field(root, c->a, c->b);
    return x || !c->c ? x : field(root, c->c, c->d);
}

/* v, or v[b] when b is given; NULL when absent or null. */
static json_t *sub(json_t *v, const char *b) {
    if (b) v = json_is_object(v) ? json_object_get(v, b) : NULL;
    return v && !json_is_null(v) ? v : NULL;
}

/* Every column's value. A small object (a no-op result, say) is walked key by key
 * rather than probed once per column. */
static void col_values(json_t *root, json_t **vals) {
    if (json_object_size(root) > 8) {
        for (size_t i = 0; i < NCOLS; i++) vals[i] = col_value(root, &cols[i]);
        return;
    }
    char primary[NCOLS] = {0};
    memset(vals, 0, NCOLS * sizeof *vals);
    const char *k;
    json_t *v;
    json_object_foreach(root, k, v) {
        for (size_t i = 0; i < NCOLS; i++) {
            if (cols[i].a[0] == k[0] && !strcmp(cols[i].a, k)) {
                json_t *x = sub(v, cols[i].b);
                if (x) vals[i] = x, primary[i] = 1;
            } else if (cols[i].c && !primary[i] && cols[i].c[0] == k[0] && !strcmp(cols[i].c, k)) {
                vals[i] = sub(v, cols[i].d);
            }
        }
    }
}

/* Writes a whole number (faster than printf). */
static void put_int64(mq_buf *b, long long v) {
    char t[24], *p = t + sizeof t;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0) *--p = '-';
    mq_buf_add(b, p, (size_t)(t + sizeof t - p));
}

/* A finite number that fits PostgreSQL's real, into *v. */
static int real_of(const json_t *j, double *v) {
    if (!json_is_number(j)) return 0;
    double d = json_number_value(j);
    if (!isfinite(d) || fabs(d) > 3.4e38) return 0;
    if (d != 0 && fabs(d) < 1.2e-38) d = 0; /* below real's smallest normal: underflow */
    *v = d;
    return 1;
}

/* Writes v (finite, within real's range) rounded to a real (float4), with 9
 * significant digits -- enough for that real to come back exactly -- and returns the
 * length (at most 24). Plain decimals in the usual
 * range are made with integer arithmetic, several times faster than printf's "%.9g"
 * (which the rest falls back to). */
static int fmt_real(char *out, double v) {
    v = (double)(float)v; /* round once, to the real it will be: then 9 digits are exact */
    static const double p10[] = {1e0, 1e1, 1e2, 1e3,  1e4,  1e5, 1e6,
                                 1e7, 1e8, 1e9, 1e10, 1e11, 1e12};
    double a = fabs(v);
    if (a == 0) {
        out[0] = '0';
        return 1;
    }
    if (!(a >= 1e-4 && a < 1e8)) return snprintf(out, 24, "%.9g", v);
    int e = (int)floor(log10(a)); /* a in [10^e, 10^(e+1)), e in -4..7 */
    if (e < -4) e = -4;
    if (e > 7) e = 7;
    uint64_t m = (uint64_t)llround(a * p10[8 - e]); /* 9 digits */
    if (m >= 1000000000u) {
        m = (m + 5) / 10;
        e++;
    } else if (m < 100000000u) {
        m *= 10; /* log10 rounded up at a power of ten */
        e--;
    }
    char d[9];
    for (int i = 8; i >= 0; i--, m /= 10) d[i] = (char)('0' + m % 10);
    int nd = 9;
    while (nd > 1 && d[nd - 1] == '0' && nd > e + 1) nd--; /* no trailing fraction zeros */
    int o = 0;
    if (v < 0) out[o++] = '-';
    if (e >= 0) {
        for (int i = 0; i <= e; i++) out[o++] = i < nd ? d[i] : '0';
        if (nd > e + 1) {
            out[o++] = '.';
            for (int i = e + 1; i < nd; i++) out[o++] = d[i];
        }
    } else {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = 0; i < -e - 1; i++) out[o++] = '0';
        for (int i = 0; i < nd; i++) out[o++] = d[i];
    }
    return o;
}

static void put_real(mq_buf *b, const json_t *j) {
    double v;
    char t[32];
    if (real_of(j, &v))
        mq_buf_add(b, t, (size_t)fmt_real(t, v));
    else
        copy_null(b);
}

static void put_int(mq_buf *b, const json_t *j) {
    double v;
    if (real_of(j, &v) && v == floor(v) && fabs(v) <= 2147483647.0)
        mq_buf_printf(b, "%.0f", v);
    else
        copy_null(b);
}

/* The pitch class (0 = C .. 11 = B) of a tonic name such as "Eb" or "F#", or -1. */
static int pitch_class(const char *s) {
    static const char letters[] = "CDEFGAB";
    static const int base[] = {0, 2, 4, 5, 7, 9, 11};
    const char *l = s[0] ? strchr(letters, s[0]) : NULL;
    if (!l) return -1;
    int pc = base[l - letters];
    if (s[1] == '#' && !s[2])
        pc++;
    else if (s[1] == 'b' && !s[2])
        pc--;
    else if (s[1])
        return -1;
    return (pc + 12) % 12;
}

static void put_pitch(mq_buf *b, const json_t *j) {
    int pc = -1;
    if (json_is_string(j))
        pc = pitch_class(json_string_value(j));
    else if (json_is_integer(j) && json_integer_value(j) >= 0 && json_integer_value(j) < 12)
        pc = (int)json_integer_value(j);
    if (pc >= 0)
        mq_buf_printf(b, "%d", pc);
    else
        copy_null(b);
}

/* Text without NUL (PostgreSQL cannot store it); jansson has checked the UTF-8. */
static void put_text(mq_buf *b, const json_t *j) {
    if (!json_is_string(j) || strlen(json_string_value(j)) != json_string_length(j)) {
        copy_null(b);
        return;
    }
    copy_text(b, json_string_value(j), json_string_length(j));
}

static void put_reals(mq_buf *b, const json_t *j) {
    if (!json_is_array(j)) {
        copy_null(b);
        return;
    }
    mq_buf_add(b, "{", 1);
    for (size_t i = 0; i < json_array_size(j); i++) {
        double v;
        if (i) mq_buf_add(b, ",", 1);
        char t[32];
        if (real_of(json_array_get(j, i), &v))
            mq_buf_add(b, t, (size_t)fmt_real(t, v));
        else
            mq_buf_add(b, "NULL", 4);
    }
    mq_buf_add(b, "}", 1);
}

static void put_str(mq_buf *b, const char *s) { copy_text(b, s, strlen(s)); }

/* One tag line. */
static void tag_line(mq_buf *tags, const mq_rows_job *job, const char *version, const char *model,
                     const char *tag, const json_t *p) {
    double v;
    if (!tag[0] || !real_of(p, &v)) return;
    mq_buf_printf(tags, "%lld\t", (long long)job->track_id);
    put_str(tags, version);
    mq_buf_add(tags, "\t", 1);
    put_str(tags, model);
    mq_buf_add(tags, "\t", 1);
    put_str(tags, tag);
    char t[32];
    mq_buf_add(tags, "\t", 1);
    mq_buf_add(tags, t, (size_t)fmt_real(t, v));
    mq_buf_add(tags, "\n", 1);
}

/* Tags from {TAG: p} or [[TAG, p], ...]. */
static void tags_of(mq_buf *tags, const mq_rows_job *job, const char *version, const char *model,
                    json_t *t) {
    if (json_is_object(t)) {
        const char *k;
        json_t *v;
        json_object_foreach(t, k, v) tag_line(tags, job, version, model, k, v);
    } else if (json_is_array(t)) {
        for (size_t i = 0; i < json_array_size(t); i++) {
            json_t *pair = json_array_get(t, i);
            json_t *name = json_array_get(pair, 0);
            if (!json_is_string(name) ||
                strlen(json_string_value(name)) != json_string_length(name))
                continue;
            int seen = 0; /* a tag named twice would break the table's key: keep the first */
            for (size_t k = 0; k < i && !seen; k++)
                seen = json_equal(json_array_get(json_array_get(t, k), 0), name);
            if (!seen)
                tag_line(tags, job, version, model, json_string_value(name),
                         json_array_get(pair, 1));
        }
    }
}

/* Every model's tags from {NAME: {"tags": {...}}, ...}; returns how many models had some. */
static int model_tags(mq_buf *tags, const mq_rows_job *job, const char *version, json_t *models) {
    int n = 0;
    const char *name;
    json_t *m;
    if (!json_is_object(models)) return 0;
    json_object_foreach(models, name, m) {
        json_t *t = json_is_object(m) ? json_object_get(m, "tags") : NULL;
        if (t && strlen(name) > 0) {
            tags_of(tags, job, version, name, t);
            n++;
        }
    }
    return n;
}

/* Tag rows: per model from "deep" (or "models"), else the top-level "tags" as model
 * "primary". */
static void deep_tags(mq_buf *tags, const mq_rows_job *job, const char *version, json_t *root) {
    if (model_tags(tags, job, version, json_object_get(root, "deep"))) return;
    if (model_tags(tags, job, version, field(root, "models", NULL))) return;
    json_t *t = field(root, "tags", NULL);
    if (!t) t = field(root, "deep", "tags");
    if (t) tags_of(tags, job, version, "primary", t);
}

int mq_rows_add(mq_buf *rows, mq_buf *tags, const mq_rows_job *job, const char *json, size_t len,
                double seconds, char *version_out, char *why, size_t whylen) {
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(root)) {
        snprintf(why, whylen, "%s", root ? "features_json is not a JSON object" : jerr.text);
        json_decref(root);
        return -1;
    }
    /* The row's version: the job's, unless the worker ran another analyser (its version
     * neither equals nor extends the job's, as "mixq-analysis/0.1.0+msd-musicnn@..."
     * extends "mixq-analysis/0.1.0"): then the worker's, which is the truth. */
    json_t *v = json_object_get(root, "analyzer_version");
    const char *ran = json_is_string(v) && json_string_length(v) > 0 &&
                              strlen(json_string_value(v)) == json_string_length(v)
                          ? json_string_value(v)
                          : NULL;
    const char *version = job->version[0] ? job->version : MQ_ANALYZER_VERSION;
    if (ran && strncmp(ran, version, strlen(version)) != 0) version = ran;
    snprintf(version_out, MQ_ROWS_VERSION_MAX, "%s", version);
    version = version_out; /* cut to the longest version a row may have */
    json_t *vals[NCOLS];
    col_values(root, vals);
    put_int64(rows, job->track_id);
    mq_buf_add(rows, "\t", 1);
    put_str(rows, version);
    for (size_t i = 0; i < NCOLS; i++) {
        mq_buf_add(rows, "\t", 1);
        json_t *x = vals[i];
        switch (cols[i].type) {
        case T_REAL: put_real(rows, x); break;
        case T_INT: put_int(rows, x); break;
        case T_PITCH: put_pitch(rows, x); break;
        case T_TEXT: put_text(rows, x); break;
        case T_REALS: put_reals(rows, x); break;
        }
    }
    mq_buf_add(rows, "\t", 1);
    copy_text(rows, json, len);
    mq_buf_add(rows, "\t", 1);
    if (isfinite(seconds) && seconds >= 0 && seconds < 3.4e38) {
        char t[32];
        mq_buf_add(rows, t, (size_t)fmt_real(t, seconds));
    } else {
        copy_null(rows);
    }
    mq_buf_add(rows, "\n", 1);
    deep_tags(tags, job, version, root);
    json_decref(root);
    return 0;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    size_t k;
    unsigned min;
    if (c < 0x80) return 1;
    if ((c & 0xe0) == 0xc0)
        k = 2, min = 0x80;
    else if ((c & 0xf0) == 0xe0)
        k = 3, min = 0x800;
    else if ((c & 0xf8) == 0xf0)
        k = 4, min = 0x10000;
    else
        return 0;
    if (k > n) return 0;
    unsigned cp = c & (0x7f >> k);
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return k;
}

size_t mq_rows_clean_into(char *out, const char *s, size_t max) {
    if (!s) s = "";
    size_t n = strlen(s), o = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_len(u + i, n - i);
        if (o + (k ? k : 1) > max) break;
        if (k == 1 && u[i] < 0x20 && u[i] != '\t' && u[i] != '\n')
            out[o++] = '?';
        else if (k)
            memcpy(out + o, s + i, k), o += k;
        else
            out[o++] = '?';
        i += k ? k : 1;
    }
    out[o] = 0;
    return o;
}

char *mq_rows_clean_text(const char *s, size_t max) {
    size_t n = s ? strlen(s) : 0;
    char *out = malloc((n < max ? n : max) + 1);
    if (out) mq_rows_clean_into(out, s, max);
    return out;
}
