/* track.c -- seeded choices that turn options into a gen_track (see track.h). */
#include "track.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rng.h"

static const char *const major_progressions[4] = {"I V vi IV", "I IV V I", "I IV ii V",
                                                  "I ii V I"};
static const char *const minor_progressions[4] = {"i iv i V", "i VII VI V", "i VI VII i",
                                                  "i iv VII V"};
static const char *const format_names[GEN_FORMAT_COUNT] = {"wav", "flac", "ogg", "mp3"};

const char *track_format_name(gen_format f) {
    return (f >= 0 && f < GEN_FORMAT_COUNT) ? format_names[f] : "?";
}

int track_format_parse(const char *s) {
    for (int i = 0; i < GEN_FORMAT_COUNT; i++)
        if (!strcasecmp(s, format_names[i]))
            return i;
    if (!strcasecmp(s, "oga") || !strcasecmp(s, "vorbis"))
        return GEN_OGG;
    return -1;
}

int track_format_from_path(const char *path) {
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return -1;
    return track_format_parse(dot + 1);
}

void track_options_default(gen_options *o) {
    memset(o, 0, sizeof *o);
    o->format = -1;
    o->swing = -1;
    o->drums = -1;
    o->melody = -1;
}

static double round_to(double x, double step) {
    return round(x / step) * step;
}

/* Split a progression like "I V vi IV" into four chords. */
static int parse_progression(music_key key, const char *prog, music_chord out[4]) {
    char buf[64];
    snprintf(buf, sizeof buf, "%s", prog);
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, " ", &save); tok && n < 4; tok = strtok_r(NULL, " ", &save))
        if (music_chord_parse(key, tok, &out[n++]) != 0)
            return -1;
    return n == 4 ? 0 : -1;
}

/* Bit rates offered for CBR MP3 at a sample rate, and libsndfile's mapping range. */
static void mp3_rates(int rate, const int **list, int *lo, int *hi) {
    static const int mpeg1[4] = {128, 160, 192, 256};
    static const int mpeg2[4] = {64, 96, 128, 160};
    static const int mpeg25[4] = {32, 40, 48, 64};
    if (rate >= 32000)
        *list = mpeg1, *lo = 32, *hi = 320;
    else if (rate >= 16000)
        *list = mpeg2, *lo = 8, *hi = 160;
    else
        *list = mpeg25, *lo = 8, *hi = 64;
}

static void choose_sound(gen_track *t, gen_rng *r) {
    synth_params *p = &t->sound;
    synth_params_default(p);
    p->kick_f0 = rng_range(r, 140, 220);
    p->kick_f1 = rng_range(r, 45, 60);
    p->kick_sweep = rng_range(r, 0.02, 0.045);
    p->kick_decay = rng_range(r, 0.15, 0.32);
    p->snare_tone_hz = rng_range(r, 170, 230);
    p->snare_decay = rng_range(r, 0.07, 0.14);
    p->hat_decay = rng_range(r, 0.025, 0.05);
    p->open_hat_decay = rng_range(r, 0.1, 0.2);
    static const synth_wave bass_waves[3] = {WAVE_SAW, WAVE_SOFT, WAVE_SQUARE};
    static const synth_wave lead_waves[4] = {WAVE_SQUARE, WAVE_SOFT, WAVE_KEYS, WAVE_SAW};
    static const synth_wave pad_waves[2] = {WAVE_PAD, WAVE_SOFT};
    p->wave[SYNTH_BASS] = bass_waves[rng_int(r, 3)];
    p->wave[SYNTH_LEAD] = lead_waves[rng_int(r, 4)];
    p->wave[SYNTH_PAD] = pad_waves[rng_int(r, 2)];
    p->wave[SYNTH_COMP] = t->style->comp_wave;
    if (p->wave[SYNTH_COMP] == WAVE_GUITAR)
        p->env[SYNTH_COMP] = (synth_env){0.003, 0.3, 0.45, 0.05};
    else if (p->wave[SYNTH_COMP] == WAVE_SAW)
        p->env[SYNTH_COMP] = (synth_env){0.003, 0.12, 0.2, 0.05};
    for (int i = 0; i < SYNTH_INST_COUNT; i++)
        p->level[i] *= (float)rng_range(r, 0.85, 1.15);
}

int track_init(gen_track *t, const gen_options *o, char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    gen_rng r;
    rng_init(&r, rng_derive(o->seed, 0x7472616b, 0)); /* "trak" */

    /* Draw every seeded value first, in a fixed order. */
    int style_pick = rng_int(&r, style_count());
    double tempo_u = rng_uniform(&r), range_u = rng_uniform(&r);
    int key_pick = rng_int(&r, 24);
    double swing_u = rng_uniform(&r);
    int grid_pick = rng_int(&r, 2);
    double melody_u = rng_uniform(&r), pad_u = rng_uniform(&r);
    int prog_pick = rng_int(&r, 4);
    t->drum_variant = rng_int(&r, 2);
    t->part_variant = rng_int(&r, 2);
    double intro_u = rng_uniform(&r);
    double lead_u = rng_uniform(&r);
    double peak_u = rng_uniform(&r);
    int q_pick = rng_int(&r, 4);
    double vbr_u = rng_uniform(&r);
    int br_pick = rng_int(&r, 4);
    int vbr_q = 2 + rng_int(&r, 3);

    t->seed = o->seed;

    /* Style, meter, tempo. */
    if (o->meter != 0 && o->meter != 3 && o->meter != 4) {
        snprintf(err, errlen, "--meter must be 3 or 4");
        return -1;
    }
    if (o->tempo > 0 && (o->tempo < 30 || o->tempo > 300)) {
        snprintf(err, errlen, "--tempo must be between 30 and 300 BPM");
        return -1;
    }
    if (o->style) {
        t->style = style_find(o->style);
        if (!t->style) {
            snprintf(err, errlen, "unknown style '%s'", o->style);
            return -1;
        }
    } else if (o->tempo > 0 || o->meter) {
        t->style = style_for_tempo(o->tempo > 0 ? o->tempo : 0, o->meter ? o->meter : 4);
    } else {
        t->style = style_at(style_pick);
    }
    if (o->meter && o->meter != t->style->meter) {
        snprintf(err, errlen, "style %s is in %d/4, not %d/4", t->style->name,
                 t->style->meter, o->meter);
        return -1;
    }
    t->meter = t->style->meter;
    if (o->tempo > 0) {
        t->tempo_bpm = o->tempo;
    } else {
        double lo = t->style->tempo_lo, hi = t->style->tempo_hi;
        if (t->style->tempo_hi2 > 0 && range_u >= 0.5)
            lo = t->style->tempo_lo2, hi = t->style->tempo_hi2;
        t->tempo_bpm = round_to(lo + (hi - lo) * tempo_u, 0.1);
    }

    /* Key and harmony. */
    t->key = o->has_key ? o->key : music_key_from_index(key_pick);
    t->progression = t->key.mode == MUSIC_MINOR ? minor_progressions[prog_pick]
                                                : major_progressions[prog_pick];
    if (parse_progression(t->key, t->progression, t->chords) != 0) {
        snprintf(err, errlen, "internal error: bad progression '%s'", t->progression);
        return -1;
    }

    /* Feel and arrangement. */
    t->swing_grid = t->style->swing_grid ? t->style->swing_grid : (grid_pick ? 16 : 8);
    if (o->swing >= 0) {
        if (o->swing > 0.3) {
            snprintf(err, errlen, "--swing must be between 0 and 0.3");
            return -1;
        }
        t->swing = o->swing;
    } else {
        t->swing = round_to(t->style->swing_lo +
                                (t->style->swing_hi - t->style->swing_lo) * swing_u,
                            0.001);
    }
    t->drums = o->drums >= 0 ? o->drums : 1;
    t->melody = o->melody >= 0 ? o->melody : melody_u < t->style->melody_p;
    t->pad = pad_u < t->style->pad_p || t->style->comp[0][0] == '\0';
    t->intro_bars = intro_u < 0.5 ? 0 : intro_u < 0.8 ? 1 : 2;
    t->first_beat_s = round_to(0.15 + 1.05 * lead_u, 0.001);

    /* File. */
    t->rate = o->rate ? o->rate : 44100;
    t->channels = o->channels ? o->channels : 2;
    if (t->rate < 8000 || t->rate > 192000) {
        snprintf(err, errlen, "--rate must be between 8000 and 192000 Hz");
        return -1;
    }
    if (t->channels < 1 || t->channels > 8) {
        snprintf(err, errlen, "--channels must be between 1 and 8");
        return -1;
    }
    double seconds = o->seconds > 0 ? o->seconds : 30.0;
    if (seconds < 0.5 || seconds > 86400) {
        snprintf(err, errlen, "--seconds must be between 0.5 and 86400");
        return -1;
    }
    t->frames = llround(seconds * t->rate);
    t->duration_s = (double)t->frames / t->rate;
    t->format = o->format >= 0 ? (gen_format)o->format : GEN_WAV;
    int lossy = t->format == GEN_OGG || t->format == GEN_MP3;
    if (o->has_peak) {
        if (o->peak_dbfs < -60 || o->peak_dbfs > -0.1) {
            snprintf(err, errlen, "--peak must be between -60 and -0.1 dBFS");
            return -1;
        }
        t->peak_dbfs = o->peak_dbfs;
    } else {
        /* Lossy codecs overshoot a little on decoding: keep 1 dB of headroom. */
        t->peak_dbfs = round_to(-9.0 + (lossy ? 8.0 : 8.5) * peak_u, 0.1);
    }
    switch (t->format) {
    case GEN_WAV:
        snprintf(t->codec, sizeof t->codec, "PCM 16-bit");
        break;
    case GEN_FLAC:
        snprintf(t->codec, sizeof t->codec, "FLAC 16-bit");
        break;
    case GEN_OGG: {
        int q = 3 + q_pick;
        t->codec_level = 1.0 - q / 10.0;
        snprintf(t->codec, sizeof t->codec, "Vorbis q%d", q);
        break;
    }
    default: {
        if (vbr_u < 0.25) {
            t->codec_vbr = 1;
            t->codec_level = vbr_q / 10.0;
            snprintf(t->codec, sizeof t->codec, "MP3 VBR V%d", vbr_q);
        } else {
            const int *list;
            int lo, hi;
            mp3_rates(t->rate, &list, &lo, &hi);
            int kbps = list[br_pick];
            /* libsndfile sets bitrate = hi - level * (hi - lo) and LAME rounds it to the
             * nearest valid MP3 bit rate. */
            t->codec_level = (hi - kbps) / (double)(hi - lo);
            snprintf(t->codec, sizeof t->codec, "MP3 CBR %dk", kbps);
        }
        break;
    }
    }

    choose_sound(t, &r);
    return 0;
}
