/* Unit tests of analysis/analyzer.c on synthetic signals with known answers. */
#include <criterion/criterion.h>

#include "analysis/analyzer.h"
#include "audio_util.h"

static char dir[512];
static mq_analyzer *an;
static mq_features *feat;

static void setup(void) {
    tmpdir_make(dir, sizeof dir);
    mq_analysis_global_init();
    mq_analyzer_opts o = {.max_duration_s = 60};
    an = mq_analyzer_new(&o);
    feat = malloc(sizeof *feat);
    cr_assert(an && feat);
}
static void teardown(void) {
    mq_analyzer_del(an);
    free(feat);
}
TestSuite(analyzer, .init = setup, .fini = teardown);

static mq_errcode analyse(const char *name, int format, int rate, int ch, double secs,
                          signal_fn fn, void *ud, mq_error *err) {
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    write_audio(p, format, rate, ch, secs, fn, ud);
    return mq_analyzer_run(an, p, feat, err);
}

Test(analyzer, sine_levels_and_spectrum) {
    double f = 440;
    mq_error err;
    cr_assert_eq(analyse("sine.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 44100, 2, 10, sig_sine, &f, &err),
                 MQ_OK, "%s", err.message);
    cr_assert_float_eq(feat->duration_s, 10.0, 1e-9);
    cr_assert_float_eq(feat->loud.rms_db, -9.03, 0.05, "RMS of a 0.5 sine is -9.03 dBFS");
    cr_assert_float_eq(feat->loud.true_peak_dbtp, -6.02, 0.1);
    cr_assert_float_eq(feat->spectral.centroid_mean, 440, 40);
    cr_assert(isnan(feat->tempo.bpm) || feat->tempo.confidence < 0.5, "a steady tone has no clear pulse");
    cr_assert_eq(feat->waveform_n, MQ_WAVEFORM_POINTS);
    cr_assert_float_eq(feat->waveform_max[500], 0.5, 0.01);
    cr_assert_float_eq(feat->key.chroma[9], 1.0, 1e-9, "A is the strongest pitch class");
}

/* Noise bursts on every beat at *(double *)ud BPM, accented on the first of four. */
static void sig_clicks(float *x, long n, int rate, void *ud) {
    double bpm = *(double *)ud, period = 60.0 / bpm * rate;
    unsigned s = 12345;
    for (long i = 0; i < n; i++) {
        double ph = fmod((double)i, period);
        long beat = (long)(i / period);
        double env = ph < 0.03 * rate ? exp(-ph / (0.005 * rate)) : 0;
        s = s * 1103515245u + 12345u;
        double noise = ((s >> 8) & 0xFFFF) / 32768.0 - 1.0;
        x[i] = (float)(env * noise * (beat % 4 == 0 ? 0.8 : 0.5));
    }
}

Test(analyzer, click_track_tempo_and_beats) {
    double bpm = 120;
    mq_error err;
    cr_assert_eq(analyse("clicks.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100, 1, 20, sig_clicks, &bpm, &err),
                 MQ_OK, "%s", err.message);
    cr_assert_float_eq(feat->tempo.bpm, 120, 2.5, "tempo %.2f", feat->tempo.bpm);
    cr_assert_geq(feat->tempo.nbeats, 35);
    int on_grid = 0;
    for (size_t i = 0; i < feat->tempo.nbeats; i++) {
        double t = feat->tempo.beats[i], d = fmod(t + 0.25, 0.5) - 0.25;
        on_grid += fabs(d) < 0.05;
    }
    cr_assert_geq(on_grid, (int)(0.9 * feat->tempo.nbeats), "%d of %zu beats on the grid", on_grid,
                  feat->tempo.nbeats);
}

Test(analyzer, silence_has_no_tempo_key_or_loudness) {
    mq_error err;
    cr_assert_eq(analyse("silence.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 22050, 1, 8, NULL, NULL, &err), MQ_OK);
    cr_assert(isnan(feat->tempo.bpm));
    cr_assert_eq(feat->key.tonic, -1);
    cr_assert(isnan(feat->loud.integrated_lufs) && isnan(feat->loud.rms_db));
    cr_assert_eq(feat->energy, 0);
}

Test(analyzer, too_long_and_too_little) {
    mq_error err;
    mq_analyzer_opts o = {.max_duration_s = 2};
    mq_analyzer *small = mq_analyzer_new(&o);
    char p[600];
    snprintf(p, sizeof p, "%s/three.wav", dir);
    double f = 220;
    write_audio(p, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, 3, sig_sine, &f);
    cr_assert_eq(mq_analyzer_run(small, p, feat, &err), MQ_ERR_TOO_LONG);
    mq_analyzer_del(small);
    /* One sample: a result, with nothing that needs time. */
    cr_assert_eq(analyse("one.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, 1.0 / 8000, sig_sine, &f, &err), MQ_OK,
                 "%s", err.message);
    cr_assert(isnan(feat->tempo.bpm));
    cr_assert_eq(feat->tempo.nbeats, 0);
}

Test(analyzer, one_analyzer_serves_many_files) {
    mq_error err;
    double f = 330, bpm = 100;
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(analyse("a.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 2, 6, sig_sine, &f, &err), MQ_OK);
        cr_assert_eq(feat->sample_rate, 48000);
        cr_assert_eq(analyse("b.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 22050, 1, 12, sig_clicks, &bpm, &err), MQ_OK,
                     "%s", err.message);
        cr_assert_str_eq(feat->format, "ogg/vorbis");
        cr_assert_float_eq(feat->tempo.bpm, 100, 3);
    }
}
