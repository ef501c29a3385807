/* render.c -- two-pass streaming render into libsndfile (see render.h). */
#include "render.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>

#include "oggfix.h"
#include "rng.h"
#include "score.h"
#include "synth.h"

#define BLOCK 4096
#define FADE_S 0.01 /* fade-out at the very end, against a click */

typedef struct render_bufs {
    synth *syn;
    float *lr;      /* BLOCK stereo frames */
    float *out;     /* BLOCK frames of `channels` samples */
    gen_event *ev;  /* SCORE_MAX_EVENTS */
} render_bufs;

static void bufs_free(render_bufs *b) {
    synth_del(b->syn);
    free(b->lr);
    free(b->out);
    free(b->ev);
}

static int bufs_alloc(render_bufs *b, const gen_track *t) {
    b->syn = synth_new(&t->sound, t->rate);
    b->lr = malloc(sizeof(float) * BLOCK * 2);
    b->out = malloc(sizeof(float) * BLOCK * (size_t)t->channels);
    b->ev = malloc(sizeof(gen_event) * SCORE_MAX_EVENTS);
    if (!b->syn || !b->lr || !b->out || !b->ev) {
        bufs_free(b);
        return -1;
    }
    return 0;
}

/* Queue every bar that starts before sample `until`. */
static void schedule(const gen_track *t, render_bufs *b, long long *next_bar, long long until) {
    double end = score_music_end(t);
    for (;;) {
        double bt = score_bar_time(t, *next_bar);
        if (bt >= end || llround(bt * t->rate) >= until)
            return;
        int n = score_bar(t, *next_bar, b->ev, SCORE_MAX_EVENTS);
        for (int i = 0; i < n; i++) {
            const gen_event *e = &b->ev[i];
            synth_note note = {.start = llround(e->time_s * t->rate),
                               .length = llround(e->dur_s * t->rate),
                               .inst = e->inst,
                               .midi = e->midi,
                               .vel = e->vel,
                               .seed = e->seed};
            synth_add(b->syn, &note);
        }
        (*next_bar)++;
    }
}

/* One pass over the whole track. With out == NULL only measure the peak. */
static int render_pass(const gen_track *t, SNDFILE *out, float gain, float *peak, char *err,
                       size_t errlen) {
    render_bufs b = {0};
    if (bufs_alloc(&b, t) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    long long fade = llround(FADE_S * t->rate), next_bar = 0;
    float pk = 0.0f;
    int ch = t->channels;
    for (long long pos = 0; pos < t->frames; pos += BLOCK) {
        int n = t->frames - pos < BLOCK ? (int)(t->frames - pos) : BLOCK;
        schedule(t, &b, &next_bar, pos + n);
        synth_render(b.syn, pos, b.lr, n);
        for (int i = 0; i < n; i++) {
            float g = gain;
            long long left = t->frames - (pos + i);
            if (left < fade)
                g *= (float)left / (float)fade;
            float l = b.lr[2 * i] * g, r = b.lr[2 * i + 1] * g;
            if (ch == 1) {
                float m = 0.5f * (l + r);
                b.out[i] = m;
                if (fabsf(m) > pk)
                    pk = fabsf(m);
            } else {
                for (int c = 0; c < ch; c++)
                    b.out[(size_t)i * ch + c] = (c & 1) ? r : l;
                if (fabsf(l) > pk)
                    pk = fabsf(l);
                if (fabsf(r) > pk)
                    pk = fabsf(r);
            }
        }
        if (out && sf_writef_float(out, b.out, n) != n) {
            snprintf(err, errlen, "write failed: %s", sf_strerror(out));
            bufs_free(&b);
            return -1;
        }
    }
    bufs_free(&b);
    *peak = pk;
    return 0;
}

static int sf_format_of(gen_format f) {
    switch (f) {
    case GEN_WAV: return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    case GEN_FLAC: return SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    case GEN_OGG: return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
    default: return SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
    }
}

static int mp3_rate_ok(int rate) {
    static const int rates[] = {8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
        if (rates[i] == rate)
            return 1;
    return 0;
}

static SNDFILE *open_output(const gen_track *t, const char *path, char *err, size_t errlen) {
    SF_INFO info = {.samplerate = t->rate, .channels = t->channels,
                    .format = sf_format_of(t->format)};
    if (!sf_format_check(&info)) {
        snprintf(err, errlen, "libsndfile (%s) cannot write %s at %d Hz with %d channel%s",
                 sf_version_string(), track_format_name(t->format), t->rate, t->channels,
                 t->channels == 1 ? "" : "s");
        return NULL;
    }
    if (t->format == GEN_MP3 && !mp3_rate_ok(t->rate)) {
        /* Checked here: libsndfile 1.2.0 leaks its LAME encoder when sf_open fails. */
        snprintf(err, errlen,
                 "cannot write mp3 at %d Hz: MPEG audio supports 8000, 11025, 12000, 16000, "
                 "22050, 24000, 32000, 44100 and 48000 Hz",
                 t->rate);
        return NULL;
    }
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) {
        snprintf(err, errlen, "cannot write %s as %s at %d Hz, %d channels: %s", path,
                 track_format_name(t->format), t->rate, t->channels, sf_strerror(NULL));
        remove(path);
        return NULL;
    }
    int ok = 1;
    if (t->format == GEN_OGG || t->format == GEN_MP3) {
        double level = t->codec_level;
        ok = sf_command(f, SFC_SET_COMPRESSION_LEVEL, &level, sizeof level) == SF_TRUE;
    }
    if (ok && t->format == GEN_MP3) {
        int mode = t->codec_vbr ? SF_BITRATE_MODE_VARIABLE : SF_BITRATE_MODE_CONSTANT;
        ok = sf_command(f, SFC_SET_BITRATE_MODE, &mode, sizeof mode) == SF_TRUE;
    }
    if (!ok) {
        snprintf(err, errlen, "libsndfile refused the %s encoder settings (%s)",
                 track_format_name(t->format), t->codec);
        sf_close(f);
        remove(path);
        return NULL;
    }
    return f;
}

int render_track(const gen_track *t, const char *path, char *err, size_t errlen) {
    float raw_peak = 0.0f, peak = 0.0f;
    if (render_pass(t, NULL, 1.0f, &raw_peak, err, errlen) != 0)
        return -1;
    float gain = raw_peak > 0 ? (float)(pow(10.0, t->peak_dbfs / 20.0) / raw_peak) : 1.0f;
    SNDFILE *f = open_output(t, path, err, errlen);
    if (!f)
        return -1;
    int rc = render_pass(t, f, gain, &peak, err, errlen);
    if (sf_close(f) != 0 && rc == 0) {
        snprintf(err, errlen, "closing %s failed", path);
        rc = -1;
    }
    if (rc == 0 && t->format == GEN_OGG)
        rc = oggfix_serial(path, (uint32_t)rng_derive(t->seed, 0x6f6767, 0), err, errlen);
    if (rc != 0)
        remove(path);
    return rc;
}
