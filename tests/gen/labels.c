/* labels.c -- build the JSON labels of a track or a catalogue (see labels.h). */
#include "labels.h"

#include <math.h>
#include <stdio.h>

#include "score.h"

static double us(double s) {
    return round(s * 1e6) / 1e6;
}

/* json_object_set_new that remembers a failure. */
static void put(json_t *o, const char *k, json_t *v, int *bad) {
    if (!v || json_object_set_new(o, k, v) != 0)
        *bad = 1;
}

static json_t *beat_arrays(const gen_track *t, json_t **downbeats) {
    json_t *beats = json_array();
    *downbeats = json_array();
    if (!beats || !*downbeats)
        goto fail;
    long long n = score_beat_count(t);
    for (long long i = 0; i < n; i++) {
        double bt = us(score_beat_time(t, i));
        if (json_array_append_new(beats, json_real(bt)) != 0)
            goto fail;
        if (i % t->meter == 0 && json_array_append_new(*downbeats, json_real(bt)) != 0)
            goto fail;
    }
    return beats;
fail:
    json_decref(beats);
    json_decref(*downbeats);
    *downbeats = NULL;
    return NULL;
}

static json_t *arrangement(const gen_track *t, int *bad) {
    json_t *a = json_object(), *synths = json_object();
    if (!a || !synths) {
        json_decref(a);
        json_decref(synths);
        *bad = 1;
        return NULL;
    }
    const synth_params *p = &t->sound;
    put(synths, "bass", json_string(synth_wave_name(p->wave[SYNTH_BASS])), bad);
    put(synths, "comp", json_string(synth_wave_name(p->wave[SYNTH_COMP])), bad);
    put(synths, "lead", json_string(synth_wave_name(p->wave[SYNTH_LEAD])), bad);
    put(synths, "pad", json_string(synth_wave_name(p->wave[SYNTH_PAD])), bad);
    put(synths, "kit", json_string("synth"), bad);
    put(a, "progression", json_string(t->progression), bad);
    put(a, "synths", synths, bad);
    put(a, "drums", json_boolean(t->drums), bad);
    put(a, "pad", json_boolean(t->pad), bad);
    put(a, "melody", json_boolean(t->melody), bad);
    put(a, "intro_bars", json_integer(t->intro_bars), bad);
    put(a, "breakdown_bars", json_null(), bad);
    put(a, "swing", json_real(t->swing), bad);
    put(a, "swing_grid", json_integer(t->swing_grid), bad);
    put(a, "pattern_variants", json_pack("[ii]", t->drum_variant, t->part_variant), bad);
    put(a, "peak_dbfs", json_real(t->peak_dbfs), bad);
    return a;
}

json_t *labels_track(const gen_track *t, const char *file) {
    json_t *o = json_object();
    if (!o)
        return NULL;
    int bad = 0;
    char key[16], cam[8], sig[8];
    music_key_name(t->key, key, sizeof key);
    music_camelot(t->key, cam, sizeof cam);
    snprintf(sig, sizeof sig, "%d/4", t->meter);
    json_t *downbeats = NULL;
    json_t *beats = beat_arrays(t, &downbeats);
    if (!beats)
        bad = 1;

    put(o, "file", json_string(file), &bad);
    put(o, "tempo_bpm", json_real(t->tempo_bpm), &bad);
    put(o, "key", json_string(key), &bad);
    put(o, "key_tonic", json_string(music_tonic_name(t->key)), &bad);
    put(o, "key_mode", json_string(music_mode_name(t->key.mode)), &bad);
    put(o, "key_pc", json_integer(t->key.pc), &bad);
    put(o, "camelot", json_string(cam), &bad);
    put(o, "time_signature", json_string(sig), &bad);
    put(o, "meter", json_integer(t->meter), &bad);
    put(o, "duration_s", json_real(us(t->duration_s)), &bad);
    put(o, "first_beat_s", json_real(us(t->first_beat_s)), &bad);
    put(o, "style", json_string(t->style->name), &bad);
    put(o, "edge_case", json_null(), &bad);
    put(o, "seed", json_integer((json_int_t)t->seed), &bad);
    put(o, "beats", beats, &bad);
    put(o, "downbeats", downbeats, &bad);
    put(o, "key_segments",
        json_pack("[{s:f,s:f,s:s,s:s}]", "start", 0.0, "end", us(t->duration_s), "key", key,
                  "camelot", cam),
        &bad);
    put(o, "arrangement", arrangement(t, &bad), &bad);
    put(o, "format", json_string(track_format_name(t->format)), &bad);
    put(o, "codec", json_string(t->codec), &bad);
    put(o, "sample_rate", json_integer(t->rate), &bad);
    put(o, "channels", json_integer(t->channels), &bad);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *labels_catalogue(unsigned long long seed, int count) {
    return json_pack(
        "{s:s,s:I,s:i,s:{s:s,s:s,s:s,s:s},s:[]}", "generator",
        "mixq-gen (tests/gen: synthesised drums, bass, chords, melody; libsndfile encoders)",
        "seed", (json_int_t)seed, "count", count, "conventions", "beats",
        "seconds from the first sample; quarter-note beats; first beat after a silent lead-in",
        "tempo_bpm", "60 / beat period (constant tempo)", "key",
        "the only key of the track (no modulation)", "swing",
        "off-beat subdivisions (swing_grid 8ths or 16ths) delayed by swing x one "
        "subdivision; beats never move",
        "tracks");
}
