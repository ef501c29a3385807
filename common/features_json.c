/* features_json.c -- builds the JSON object of one analysed file. */
#include "common/features_json.h"

#include <math.h>

#include "common/jsonout.h"

static json_t *stat_obj(double mean, double std, int digits) {
    json_t *o = json_object();
    json_object_set_new(o, "mean", mq_json_round(mean, digits));
    json_object_set_new(o, "std", mq_json_round(std, digits));
    return o;
}

static json_t *array_of(const double *v, int n, int digits) {
    json_t *a = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(a, mq_json_round(v[i], digits));
    return a;
}

json_t *mq_features_to_json(const char *path, const mq_features *f) {
    json_t *o = json_object();
    if (!o) return NULL;
    mq_json_set_path(o, path);
    json_object_set_new(o, "duration_s", mq_json_round(f->duration_s, 3));
    json_object_set_new(o, "sample_rate", json_integer(f->sample_rate));
    json_object_set_new(o, "channels", json_integer(f->channels));
    json_object_set_new(o, "format", json_string(f->format));

    json_object_set_new(o, "tempo_bpm", mq_json_round(f->tempo.bpm, 2));
    json_object_set_new(o, "tempo_confidence", mq_json_round(f->tempo.confidence, 3));
    json_t *beats = json_array();
    for (size_t i = 0; i < f->tempo.nbeats; i++)
        json_array_append_new(beats, mq_json_round(f->tempo.beats[i], 3));
    json_object_set_new(o, "beats", beats);
    json_object_set_new(o, "onset_rate", mq_json_round(f->tempo.onset_rate, 3));

    const mq_key_result *k = &f->key;
    if (k->tonic >= 0) {
        char camelot[4];
        const char *tonic = mq_key_tonic_name(k->tonic, k->minor);
        const char *mode = k->minor ? "minor" : "major";
        mq_key_camelot(k->tonic, k->minor, camelot);
        json_object_set_new(o, "key", json_sprintf("%s %s", tonic, mode));
        json_object_set_new(o, "key_tonic", json_string(tonic));
        json_object_set_new(o, "key_mode", json_string(mode));
        json_object_set_new(o, "camelot", json_string(camelot));
    } else {
        json_object_set_new(o, "key", json_null());
        json_object_set_new(o, "key_tonic", json_null());
        json_object_set_new(o, "key_mode", json_null());
        json_object_set_new(o, "camelot", json_null());
    }
    json_object_set_new(o, "key_strength", mq_json_round(k->strength, 3));
    json_object_set_new(o, "tuning_hz", mq_json_round(k->tuning_hz, 2));

    json_object_set_new(o, "loudness_lufs", mq_json_round(f->loud.integrated_lufs, 2));
    json_object_set_new(o, "loudness_range_lu", mq_json_round(f->loud.range_lu, 2));
    json_object_set_new(o, "true_peak_dbtp", mq_json_round(f->loud.true_peak_dbtp, 2));
    json_object_set_new(o, "rms_db", mq_json_round(f->loud.rms_db, 2));

    const mq_spectral_result *s = &f->spectral;
    json_object_set_new(o, "spectral_centroid_hz", stat_obj(s->centroid_mean, s->centroid_std, 1));
    json_object_set_new(o, "spectral_bandwidth_hz",
                        stat_obj(s->bandwidth_mean, s->bandwidth_std, 1));
    json_object_set_new(o, "spectral_rolloff_hz", stat_obj(s->rolloff_mean, s->rolloff_std, 1));
    json_object_set_new(o, "spectral_flatness", stat_obj(s->flatness_mean, s->flatness_std, 5));
    json_object_set_new(o, "spectral_flux", stat_obj(s->flux_mean, s->flux_std, 5));
    json_t *con = json_object();
    json_object_set_new(con, "mean", array_of(s->contrast_mean, MQ_CONTRAST_BANDS, 3));
    json_object_set_new(con, "std", array_of(s->contrast_std, MQ_CONTRAST_BANDS, 3));
    json_object_set_new(o, "spectral_contrast_db", con);
    json_object_set_new(o, "zero_crossing_rate", stat_obj(s->zcr_mean, s->zcr_std, 5));

    const mq_timbre_result *t = &f->timbre;
    json_t *mf = json_object();
    json_object_set_new(mf, "mean", array_of(t->mfcc_mean, MQ_MFCC, 3));
    json_object_set_new(mf, "std", array_of(t->mfcc_std, MQ_MFCC, 3));
    json_object_set_new(o, "mfcc", mf);
    json_object_set_new(o, "mel_bands_db", array_of(t->mel_db_mean, MQ_MEL_BANDS, 2));
    json_object_set_new(o, "chroma", array_of(k->chroma, 12, 4));

    json_object_set_new(o, "danceability", mq_json_round(f->danceability, 3));
    json_object_set_new(o, "energy", mq_json_round(f->energy, 3));

    json_t *w = json_object(), *wmin = json_array(), *wmax = json_array();
    for (size_t i = 0; i < f->waveform_n; i++) {
        json_array_append_new(wmin, mq_json_round(f->waveform_min[i], 4));
        json_array_append_new(wmax, mq_json_round(f->waveform_max[i], 4));
    }
    json_object_set_new(w, "points", json_integer((json_int_t)f->waveform_n));
    json_object_set_new(w, "min", wmin);
    json_object_set_new(w, "max", wmax);
    json_object_set_new(o, "waveform", w);

    /* Deep features: the first model's summary at top level, every model under "deep". */
    static const char *const top[] = {"tags", "genre", "mood", "embedding"};
    for (size_t i = 0; i < sizeof top / sizeof *top; i++) {
        json_t *v = f->deep ? json_object_get(f->deep, top[i]) : NULL;
        json_object_set(o, top[i], v ? v : json_null());
    }
    json_t *models = f->deep ? json_object_get(f->deep, "models") : NULL;
    json_object_set(o, "deep", models ? models : json_null());
    if (f->deep_error[0]) json_object_set_new(o, "deep_error", json_string(f->deep_error));

    if (f->invalid_samples)
        json_object_set_new(o, "invalid_samples", json_integer((json_int_t)f->invalid_samples));
    json_object_set_new(o, "analyzer_version",
                        json_string(f->version ? f->version : MQ_ANALYZER_VERSION));
    json_t *tm = json_object();
    json_object_set_new(tm, "decode_s", mq_json_round(f->decode_s, 4));
    json_object_set_new(tm, "analysis_s", mq_json_round(f->analysis_s, 4));
    json_object_set_new(o, "timings", tm);
    return o;
}

json_t *mq_error_to_json(const char *path, const mq_error *err) {
    json_t *o = json_object();
    if (!o) return NULL;
    mq_json_set_path(o, path);
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(mq_errcode_name(err->code)));
    json_object_set_new(e, "message", json_string(err->message));
    json_object_set_new(o, "error", e);
    json_object_set_new(o, "analyzer_version", json_string(MQ_ANALYZER_VERSION));
    return o;
}
