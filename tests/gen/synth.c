/* synth.c -- drum synthesis, wavetable voices and the voice pool (see synth.h). */
#include "synth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_BITS 11
#define TABLE_SIZE (1 << TABLE_BITS)
#define FRAC_BITS (32 - TABLE_BITS)
#define MAX_VOICES 256
#define SILENT 1e-4f

typedef struct voice {
    int active;
    synth_inst inst;
    long long start;     /* absolute sample of the onset */
    long long length;    /* samples until release (pitched instruments) */
    long long age;       /* samples rendered since the onset */
    const float *table;
    uint32_t phase, inc;
    float gain_l, gain_r;
    /* pitched envelope */
    int stage;           /* 0 attack, 1 decay/sustain, 2 release */
    float env, att_inc, dec_coef, sus, rel_coef;
    /* drums */
    double freq, freq_end, penv, pcoef; /* kick pitch sweep */
    float aenv, acoef;   /* main amplitude envelope */
    float tenv, tcoef;   /* snare tone / kick click envelope */
    float hp_a, hx1, hy1, hx2, hy2;     /* two one-pole high-pass filters */
    uint32_t noise;
} voice;

struct synth {
    synth_params p;
    int rate;
    float tables[WAVE_COUNT][TABLE_SIZE + 1];
    voice voices[MAX_VOICES];
};

static const char *const wave_names[WAVE_COUNT] = {"sine", "soft", "pad", "keys",
                                                   "saw",  "square", "guitar"};

const char *synth_wave_name(synth_wave w) {
    return (w >= 0 && w < WAVE_COUNT) ? wave_names[w] : "?";
}

/* Harmonic amplitudes of each wavetable (index 0 = fundamental). */
static void wave_harmonics(synth_wave w, double h[16]) {
    memset(h, 0, 16 * sizeof h[0]);
    switch (w) {
    case WAVE_SINE:
        h[0] = 1;
        break;
    case WAVE_SOFT:
        h[0] = 1, h[1] = 0.22, h[2] = 0.08;
        break;
    case WAVE_PAD:
        h[0] = 1, h[1] = 0.5, h[2] = 0.33, h[3] = 0.2, h[4] = 0.12, h[5] = 0.08;
        break;
    case WAVE_KEYS:
        h[0] = 1, h[1] = 0.35, h[2] = 0.12, h[3] = 0.08, h[5] = 0.03;
        break;
    case WAVE_SAW:
        for (int k = 0; k < 12; k++)
            h[k] = 1.0 / (k + 1);
        break;
    case WAVE_SQUARE:
        for (int k = 0; k < 9; k += 2)
            h[k] = 1.0 / (k + 1);
        h[1] = 0.15;
        break;
    case WAVE_GUITAR:
        for (int k = 0; k < 10; k++)
            h[k] = pow(k + 1, -0.8);
        break;
    default:
        h[0] = 1;
        break;
    }
}

static void build_tables(synth *s) {
    for (int w = 0; w < WAVE_COUNT; w++) {
        double h[16];
        wave_harmonics((synth_wave)w, h);
        float *t = s->tables[w];
        float peak = 0;
        for (int i = 0; i < TABLE_SIZE; i++) {
            double x = 2.0 * M_PI * i / TABLE_SIZE, v = 0;
            for (int k = 0; k < 16; k++)
                if (h[k] != 0)
                    v += h[k] * sin((k + 1) * x);
            t[i] = (float)v;
            if (fabsf(t[i]) > peak)
                peak = fabsf(t[i]);
        }
        for (int i = 0; i < TABLE_SIZE; i++)
            t[i] /= peak;
        t[TABLE_SIZE] = t[0];
    }
}

void synth_params_default(synth_params *p) {
    memset(p, 0, sizeof *p);
    p->kick_f0 = 150, p->kick_f1 = 50, p->kick_sweep = 0.03, p->kick_decay = 0.22;
    p->snare_tone_hz = 190, p->snare_decay = 0.13;
    p->hat_decay = 0.035, p->open_hat_decay = 0.2;
    p->wave[SYNTH_BASS] = WAVE_SAW;
    p->wave[SYNTH_PAD] = WAVE_PAD;
    p->wave[SYNTH_COMP] = WAVE_KEYS;
    p->wave[SYNTH_LEAD] = WAVE_SQUARE;
    p->env[SYNTH_BASS] = (synth_env){0.004, 0.25, 0.55, 0.04};
    p->env[SYNTH_PAD] = (synth_env){0.06, 1.0, 0.8, 0.25};
    p->env[SYNTH_COMP] = (synth_env){0.004, 0.5, 0.25, 0.08};
    p->env[SYNTH_LEAD] = (synth_env){0.012, 0.4, 0.65, 0.08};
    const float level[SYNTH_INST_COUNT] = {1.0f, 0.5f, 0.3f, 0.2f, 0.5f, 0.13f, 0.17f, 0.24f};
    const float pan[SYNTH_INST_COUNT] = {0, 0.05f, 0.3f, 0.35f, 0, 0, -0.25f, 0.15f};
    memcpy(p->level, level, sizeof level);
    memcpy(p->pan, pan, sizeof pan);
}

synth *synth_new(const synth_params *p, int rate) {
    synth *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->p = *p;
    s->rate = rate;
    build_tables(s);
    return s;
}

void synth_del(synth *s) {
    free(s);
}

static float decay_coef(double tau, int rate) {
    if (tau <= 0)
        return 0.0f;
    return (float)exp(-1.0 / (tau * rate));
}

static uint32_t phase_inc(double hz, int rate) {
    double f = hz / rate;
    if (f > 0.49)
        f = 0.49;
    if (f < 0)
        f = 0;
    return (uint32_t)llround(f * 4294967296.0);
}

static float hp_coef(double fc, int rate) {
    double rc = 1.0 / (2.0 * M_PI * fc), dt = 1.0 / rate;
    return (float)(rc / (rc + dt));
}

void synth_add(synth *s, const synth_note *n) {
    voice *v = NULL;
    for (int i = 0; i < MAX_VOICES && !v; i++)
        if (!s->voices[i].active)
            v = &s->voices[i];
    if (!v) { /* steal the voice that started first */
        v = &s->voices[0];
        for (int i = 1; i < MAX_VOICES; i++)
            if (s->voices[i].start < v->start)
                v = &s->voices[i];
    }
    const synth_params *p = &s->p;
    int rate = s->rate;
    memset(v, 0, sizeof *v);
    v->active = 1;
    v->inst = n->inst;
    v->start = n->start;
    v->length = n->length > 0 ? n->length : 1;
    double amp = n->vel * p->level[n->inst];
    double theta = (p->pan[n->inst] + 1.0) * M_PI / 4.0;
    v->gain_l = (float)(amp * cos(theta));
    v->gain_r = (float)(amp * sin(theta));
    v->noise = (n->seed ^ 0x9e3779b9u) ? (n->seed ^ 0x9e3779b9u) : 1u;
    v->table = s->tables[WAVE_SINE];

    switch (n->inst) {
    case SYNTH_KICK:
        v->freq = p->kick_f0 - p->kick_f1;
        v->freq_end = p->kick_f1;
        v->penv = 1.0;
        v->pcoef = exp(-1.0 / (p->kick_sweep * rate));
        v->aenv = 1.0f, v->acoef = decay_coef(p->kick_decay, rate);
        v->tenv = 0.5f, v->tcoef = decay_coef(0.004, rate); /* beater click */
        v->hp_a = hp_coef(1000.0, rate);
        break;
    case SYNTH_SNARE:
        v->inc = phase_inc(p->snare_tone_hz, rate);
        v->aenv = 1.0f, v->acoef = decay_coef(p->snare_decay, rate);
        v->tenv = 0.6f, v->tcoef = decay_coef(0.05, rate);
        v->hp_a = hp_coef(1200.0, rate);
        break;
    case SYNTH_HAT:
    case SYNTH_OPEN_HAT: {
        double fc = 7000.0 < 0.35 * rate ? 7000.0 : 0.35 * rate;
        v->aenv = 1.0f;
        v->acoef = decay_coef(n->inst == SYNTH_HAT ? p->hat_decay : p->open_hat_decay, rate);
        v->hp_a = hp_coef(fc, rate);
        break;
    }
    default: {
        const synth_env *e = &p->env[n->inst];
        v->table = s->tables[p->wave[n->inst]];
        v->inc = phase_inc(440.0 * pow(2.0, (n->midi - 69.0) / 12.0), rate);
        v->stage = 0;
        v->env = 0.0f;
        v->att_inc = e->attack > 0 ? (float)(1.0 / (e->attack * rate)) : 1.0f;
        v->dec_coef = decay_coef(e->decay, rate);
        v->sus = (float)e->sustain;
        v->rel_coef = decay_coef(e->release, rate);
        break;
    }
    }
}

static inline float table_read(const float *t, uint32_t phase) {
    uint32_t i = phase >> FRAC_BITS;
    float frac = (float)(phase & ((1u << FRAC_BITS) - 1)) * (1.0f / (float)(1u << FRAC_BITS));
    return t[i] + (t[i + 1] - t[i]) * frac;
}

static inline float noise_next(uint32_t *x) {
    uint32_t v = *x;
    v ^= v << 13;
    v ^= v >> 17;
    v ^= v << 5;
    *x = v;
    return (float)(int32_t)v * (1.0f / 2147483648.0f);
}

/* One sample of a voice; sets *done when the voice has finished. */
static inline float voice_sample(synth *s, voice *v, int *done) {
    float out = 0.0f;
    switch (v->inst) {
    case SYNTH_KICK: {
        double hz = v->freq_end + v->freq * v->penv;
        v->penv *= v->pcoef;
        v->phase += phase_inc(hz, s->rate);
        float click = noise_next(&v->noise);
        float hp = v->hp_a * (v->hy1 + click - v->hx1);
        v->hx1 = click, v->hy1 = hp;
        out = table_read(s->tables[WAVE_SINE], v->phase) * v->aenv + hp * v->tenv;
        v->aenv *= v->acoef;
        v->tenv *= v->tcoef;
        *done = v->aenv < SILENT;
        break;
    }
    case SYNTH_SNARE: {
        float x = noise_next(&v->noise);
        float hp = v->hp_a * (v->hy1 + x - v->hx1);
        v->hx1 = x, v->hy1 = hp;
        v->phase += v->inc;
        out = 0.6f * hp * v->aenv + table_read(s->tables[WAVE_SINE], v->phase) * v->tenv;
        v->aenv *= v->acoef;
        v->tenv *= v->tcoef;
        *done = v->aenv < SILENT && v->tenv < SILENT;
        break;
    }
    case SYNTH_HAT:
    case SYNTH_OPEN_HAT: {
        float x = noise_next(&v->noise);
        float h1 = v->hp_a * (v->hy1 + x - v->hx1);
        v->hx1 = x, v->hy1 = h1;
        float h2 = v->hp_a * (v->hy2 + h1 - v->hx2);
        v->hx2 = h1, v->hy2 = h2;
        out = h2 * v->aenv;
        v->aenv *= v->acoef;
        *done = v->aenv < SILENT;
        break;
    }
    default:
        if (v->age >= v->length)
            v->stage = 2;
        if (v->stage == 0) {
            v->env += v->att_inc;
            if (v->env >= 1.0f)
                v->env = 1.0f, v->stage = 1;
        } else if (v->stage == 1) {
            v->env = v->sus + (v->env - v->sus) * v->dec_coef;
        } else {
            v->env *= v->rel_coef;
            *done = v->env < SILENT;
        }
        out = table_read(v->table, v->phase) * v->env;
        v->phase += v->inc;
        break;
    }
    v->age++;
    return out;
}

void synth_render(synth *s, long long pos, float *lr, int frames) {
    memset(lr, 0, (size_t)frames * 2 * sizeof *lr);
    for (int k = 0; k < MAX_VOICES; k++) {
        voice *v = &s->voices[k];
        if (!v->active || v->start >= pos + frames)
            continue;
        int i = v->start > pos ? (int)(v->start - pos) : 0;
        for (; i < frames; i++) {
            int done = 0;
            float x = voice_sample(s, v, &done);
            lr[2 * i] += x * v->gain_l;
            lr[2 * i + 1] += x * v->gain_r;
            if (done) {
                v->active = 0;
                break;
            }
        }
    }
}
