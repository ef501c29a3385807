/* view.c -- tracks and transitions as JSON, with reasons in words and numbers. */
#include "recommender/view.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "recommender/compat.h"

void rec_view_track(rec_jw *w, const rec_index *x, const rec_track *t) {
    char key[4];
    static const char *const fields[3] = {"title", "artist", "album"};
    rec_jw_key(w, "id");
    rec_jw_int(w, t->id);
    for (int f = 0; f < 3; f++) {
        const char *v = rec_index_text(x, t, (enum rec_text_field)f);
        rec_jw_key(w, fields[f]);
        rec_jw_str(w, *v ? v : NULL);
    }
    rec_jw_key(w, "bpm");
    if (t->tempo > 0)
        rec_jw_num(w, t->tempo, 2);
    else
        rec_jw_null(w);
    rec_jw_key(w, "camelot");
    rec_jw_str(w, t->key == REC_KEY_NONE ? NULL : rec_key_name(t->key, key));
    rec_jw_key(w, "energy");
    if (t->energy >= 0)
        rec_jw_num(w, t->energy, 3);
    else
        rec_jw_null(w);
    rec_jw_key(w, "tags");
    rec_jw_arr(w);
    for (int i = 0; i < REC_MAX_TAGS && t->tags[i]; i++) {
        const char *n = rec_index_tag_name(x, t->tags[i]);
        if (n) rec_jw_str(w, n);
    }
    rec_jw_end_arr(w);
}

/* Appends {"kind", "text", "value"} to the open reasons array. */
static void reason(rec_jw *w, const char *kind, const char *text, double value) {
    rec_jw_obj(w);
    rec_jw_key(w, "kind");
    rec_jw_str(w, kind);
    rec_jw_key(w, "text");
    rec_jw_str(w, text);
    rec_jw_key(w, "value");
    rec_jw_num(w, value, 3);
    rec_jw_end_obj(w);
}

static const char *energy_class_words(int ec) {
    static const char *w[REC_NENERGY] = {"energy down a lot", "energy down", "energy steady",
                                         "energy up", "energy up a lot"};
    return ec >= 0 && ec < REC_NENERGY ? w[ec] : "energy unknown";
}

static const char *tempo_class_words(int tc) {
    static const char *w[REC_NTEMPO] = {"slower", "same tempo", "faster"};
    return tc >= 0 && tc < REC_NTEMPO ? w[tc] : "tempo unknown";
}

static void tempo_words(const rec_rank_opts *o, const rec_track *a, const rec_track *b, char *buf,
                        size_t len, int *tc) {
    double rel, f;
    *tc = -1;
    if (rec_tempo_relation(a->tempo, b->tempo, &rel, &f) != 0) {
        snprintf(buf, len, "tempo unknown");
        return;
    }
    *tc = rec_tempo_class(rel);
    int n;
    if (f == 1)
        n = snprintf(buf, len, "%.0f \u2192 %.0f BPM, %+.1f%%", a->tempo, b->tempo, 100 * rel);
    else
        n = snprintf(buf, len, "%.0f \u2192 %.0f BPM, %s time (%.0f BPM, %+.1f%%)", a->tempo,
                     b->tempo, f == 2 ? "half" : "double", b->tempo * f, 100 * rel);
    if (n > 0 && (size_t)n < len && fabs(rel) > o->tempo_tol)
        snprintf(buf + n, len - (size_t)n, ", beyond the \u00b1%.0f%% tolerance",
                 100 * o->tempo_tol);
}

/* Writes the reasons, one per component that says something. */
static void reasons_for(rec_jw *rs, const rec_rank_opts *o, const rec_index *x, const rec_model *m,
                        const rec_context *c, const rec_track *a, const rec_track *b,
                        rec_energy_dir e, const rec_scored *s) {
    char buf[256];
    int tc;
    rec_move_describe(a->key, b->key, buf, sizeof buf);
    reason(rs, "key", buf, s->c[REC_C_HARMONIC]);
    tempo_words(o, a, b, buf, sizeof buf, &tc);
    reason(rs, "tempo", buf, s->c[REC_C_TEMPO]);
    int ec = rec_energy_class(a->energy, b->energy);
    if (ec >= 0) {
        static const char *dir[] = {"", ", up as asked", ", down as asked", ", level as asked"};
        snprintf(buf, sizeof buf, "energy %.2f \u2192 %.2f (%+.2f)%s", a->energy, b->energy,
                 b->energy - a->energy, dir[e]);
        reason(rs, "energy", buf, e == REC_ENERGY_ANY ? b->energy - a->energy : s->c[REC_C_ENERGY]);
    }
    if ((a->flags & b->flags & (REC_F_MFCC | REC_F_CHROMA))) {
        snprintf(buf, sizeof buf, "timbre similarity %.2f (MFCC and chroma)", s->c[REC_C_TIMBRE]);
        reason(rs, "timbre", buf, s->c[REC_C_TIMBRE]);
    }
    if (a->flags & b->flags & REC_F_EMB) {
        snprintf(buf, sizeof buf, "embedding similarity %.2f", s->c[REC_C_EMBEDDING]);
        reason(rs, "embedding", buf, s->c[REC_C_EMBEDDING]);
    }
    if (s->c[REC_C_TAGS] > 0) {
        int n = snprintf(buf, sizeof buf, "shared tags:");
        const char *sep = " ";
        for (int i = 0; i < REC_MAX_TAGS && a->tags[i]; i++)
            for (int j = 0; j < REC_MAX_TAGS && b->tags[j]; j++)
                if (a->tags[i] == b->tags[j] && n > 0 && (size_t)n < sizeof buf) {
                    n += snprintf(buf + n, sizeof buf - (size_t)n, "%s%s", sep,
                                  rec_index_tag_name(x, a->tags[i]));
                    sep = ", ";
                }
        reason(rs, "tags", buf, s->c[REC_C_TAGS]);
    }
    rec_stat g, u;
    rec_model_pair(m, c, b->id, &g, &u);
    if (g.n) {
        snprintf(buf, sizeof buf, "listeners on this transition: %u events, mean %+.2f", g.n,
                 g.sum / g.n);
        if (u.n) {
            size_t n = strlen(buf);
            snprintf(buf + n, sizeof buf - n, "; yours: %u events, mean %+.2f", u.n, u.sum / u.n);
        }
        reason(rs, "transition", buf, s->c[REC_C_TRANSITION]);
    }
    if (s->c[REC_C_PATTERN] != 0) {
        snprintf(buf, sizeof buf, "%s on moves like this (%s, %s, %s): %+.2f",
                 c->user ? "you and other listeners" : "listeners",
                 rec_move_name(rec_key_move(a->key, b->key)), energy_class_words(ec),
                 tempo_class_words(tc), s->c[REC_C_PATTERN]);
        reason(rs, "pattern", buf, s->c[REC_C_PATTERN]);
    }
    if (s->c[REC_C_TASTE] != 0) {
        rec_stat t = rec_model_track(m, b->id);
        const char *best = NULL;
        double bv = 0;
        for (int i = 0; c->tag_affinity && i < REC_MAX_TAGS && b->tags[i]; i++)
            if (b->tags[i] <= c->ntags && fabs(c->tag_affinity[b->tags[i]]) > fabs(bv)) {
                bv = c->tag_affinity[b->tags[i]];
                best = rec_index_tag_name(x, b->tags[i]);
            }
        if (best)
            snprintf(buf, sizeof buf, "your record with %s: %+.2f; as a pick: %u events", best, bv,
                     t.n);
        else
            snprintf(buf, sizeof buf, "as a pick: %u events, mean %+.2f", t.n,
                     t.n ? t.sum / t.n : 0.0);
        reason(rs, "taste", buf, s->c[REC_C_TASTE]);
    }
}

void rec_view_transition(rec_jw *w, const rec_rank_opts *o, const rec_index *x, const rec_model *m,
                         const rec_context *c, const rec_track *a, const rec_track *b,
                         rec_energy_dir e, const rec_scored *s) {
    rec_jw_key(w, "score");
    rec_jw_num(w, s->score, 4);
    rec_jw_key(w, "components");
    rec_jw_obj(w);
    for (int i = 0; i < REC_NCOMP; i++) {
        rec_jw_key(w, rec_comp_name((rec_comp)i));
        rec_jw_num(w, s->c[i], 3);
    }
    rec_jw_end_obj(w);
    rec_jw_key(w, "reasons");
    rec_jw_arr(w);
    reasons_for(w, o, x, m, c, a, b, e, s);
    rec_jw_end_arr(w);
}
