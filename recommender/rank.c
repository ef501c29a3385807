/* rank.c -- the weighted score of a transition and top-k ranking (see rank.h). */
#include "recommender/rank.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recommender/compat.h"
#include "recommender/vec.h"

static const char *const comp_names[REC_NCOMP] = {
    "harmonic", "tempo", "energy", "timbre", "embedding", "tags", "transition", "pattern", "taste",
};

void rec_rank_opts_default(rec_rank_opts *o) {
    static const double w[REC_NCOMP] = {
        [REC_C_HARMONIC] = 1.0,   [REC_C_TEMPO] = 1.0,     [REC_C_ENERGY] = 1.0,
        [REC_C_TIMBRE] = 0.5,     [REC_C_EMBEDDING] = 1.0, [REC_C_TAGS] = 0.5,
        [REC_C_TRANSITION] = 1.5, [REC_C_PATTERN] = 1.5,   [REC_C_TASTE] = 1.5,
    };
    memcpy(o->weights.w, w, sizeof w);
    o->tempo_tol = 0.06;
    o->max_candidates = 1000;
}

const char *rec_comp_name(rec_comp c) { return (unsigned)c < REC_NCOMP ? comp_names[c] : "?"; }

int rec_weights_parse(const char *spec, rec_weights *w, char *err, size_t errlen) {
    rec_weights out = *w;
    const char *p = spec;
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[64];
        if (len == 0 || len >= sizeof item) {
            snprintf(err, errlen, "weights: expected NAME=VALUE items separated by commas");
            return -1;
        }
        memcpy(item, p, len);
        item[len] = 0;
        char *eq = strchr(item, '=');
        if (!eq) {
            snprintf(err, errlen, "weights: '%s' is not NAME=VALUE", item);
            return -1;
        }
        *eq = 0;
        int c = -1;
        for (int i = 0; i < REC_NCOMP; i++)
            if (!strcmp(item, comp_names[i])) c = i;
        if (c < 0) {
            snprintf(err, errlen,
                     "weights: unknown component '%s' (harmonic, tempo, energy, timbre, "
                     "embedding, tags, transition, pattern, taste)",
                     item);
            return -1;
        }
        char *vend;
        double v = strtod(eq + 1, &vend);
        if (vend == eq + 1 || *vend || !isfinite(v) || v < -100 || v > 100) {
            snprintf(err, errlen, "weights: %s wants a number from -100 to 100, not '%s'", item,
                     eq + 1);
            return -1;
        }
        out.w[c] = v;
        p = end ? end + 1 : NULL;
    }
    *w = out;
    return 0;
}

int rec_energy_parse(const char *s, rec_energy_dir *d) {
    if (!s || !*s)
        *d = REC_ENERGY_ANY;
    else if (!strcmp(s, "up"))
        *d = REC_ENERGY_UP;
    else if (!strcmp(s, "down"))
        *d = REC_ENERGY_DOWN;
    else if (!strcmp(s, "keep"))
        *d = REC_ENERGY_KEEP;
    else
        return -1;
    return 0;
}

static double clamp1(double v) { return v < -1 ? -1 : v > 1 ? 1 : v; }

/* How well an energy change d follows direction e, in [-1, 1]. */
static double energy_fit(rec_energy_dir e, double d) {
    switch (e) {
    case REC_ENERGY_UP: return d <= 0.1 ? clamp1(d / 0.1) : clamp1(1 - (d - 0.1) / 0.3);
    case REC_ENERGY_DOWN: return -d <= 0.1 ? clamp1(-d / 0.1) : clamp1(1 - (-d - 0.1) / 0.3);
    case REC_ENERGY_KEEP: return clamp1(1 - fabs(d) / 0.1);
    default: return 0;
    }
}

static double tag_jaccard(const rec_track *a, const rec_track *b) {
    int na = 0, nb = 0, common = 0;
    while (na < REC_MAX_TAGS && a->tags[na]) na++;
    while (nb < REC_MAX_TAGS && b->tags[nb]) nb++;
    if (!na || !nb) return 0;
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++) common += a->tags[i] == b->tags[j];
    return (double)common / (na + nb - common);
}

/* The tempo relation of b to a, computed once per candidate. */
typedef struct tempo_rel {
    int known; /* both tempi known */
    double rel, factor;
} tempo_rel;

static tempo_rel relate(const rec_track *a, const rec_track *b) {
    tempo_rel t = {0, 0, 1};
    t.known = rec_tempo_relation(a->tempo, b->tempo, &t.rel, &t.factor) == 0;
    return t;
}

/* Scores a -> b whose tempo relation is tr (see rec_rank_pair); when known_new is set, b
 * is known never to have followed a, so the transition statistics are not looked up. */
static double score(const rec_rank_opts *o, const rec_model *m, const rec_context *c,
                    const rec_track *a, const rec_track *b, rec_energy_dir e, float comp[REC_NCOMP],
                    int known_new, const tempo_rel *tr) {
    rec_move move = rec_key_move(a->key, b->key);
    comp[REC_C_HARMONIC] = (float)rec_move_fit(move);

    double rel = tr->rel, factor = tr->factor;
    int tc = -1;
    if (tr->known) {
        double t = fabs(rel) > o->tempo_tol ? -1 : (1 - fabs(rel) / o->tempo_tol);
        if (factor != 1 && t > 0) t *= 0.8;
        comp[REC_C_TEMPO] = (float)t;
        tc = rec_tempo_class(rel);
    } else {
        comp[REC_C_TEMPO] = 0;
    }

    int ec = rec_energy_class(a->energy, b->energy);
    comp[REC_C_ENERGY] = ec >= 0 ? (float)energy_fit(e, b->energy - a->energy) : 0;

    double tim = 0;
    int nt = 0;
    if (a->flags & b->flags & REC_F_MFCC) {
        tim += rec_vec_cos_mfcc(a->mfcc, b->mfcc);
        nt++;
    }
    if (a->flags & b->flags & REC_F_CHROMA) {
        tim += rec_vec_cos_chroma(a->chroma, b->chroma);
        nt++;
    }
    comp[REC_C_TIMBRE] = nt ? (float)(tim / nt) : 0;
    comp[REC_C_EMBEDDING] =
        (a->flags & b->flags & REC_F_EMB) ? (float)rec_vec_cos_emb(a->emb, b->emb) : 0;
    comp[REC_C_TAGS] = (float)tag_jaccard(a, b);

    rec_stat g = {0, 0}, u = {0, 0};
    if (!known_new) rec_model_pair(m, c, b->id, &g, &u);
    comp[REC_C_TRANSITION] =
        (float)(rec_stat_smooth(g, REC_ALPHA_PAIR) + rec_stat_smooth(u, REC_ALPHA_PAIR));

    double pat = c->move[move];
    if (ec >= 0) pat += c->energy[ec];
    if (tc >= 0) pat += c->tempo[tc];
    comp[REC_C_PATTERN] = (float)pat;

    double taste = 0;
    if (c->tag_affinity) {
        int n = 0;
        double s = 0;
        for (int i = 0; i < REC_MAX_TAGS && b->tags[i]; i++, n++)
            if (b->tags[i] <= c->ntags) s += c->tag_affinity[b->tags[i]];
        if (n) taste = s / n;
    }
    taste += 0.5 * b->pick_sum / (b->pick_n + REC_ALPHA_TASTE);
    comp[REC_C_TASTE] = (float)taste;

    double sum = 0;
    for (int i = 0; i < REC_NCOMP; i++) sum += o->weights.w[i] * comp[i];
    return sum;
}

double rec_rank_pair(const rec_rank_opts *o, const rec_model *m, const rec_context *c,
                     const rec_track *a, const rec_track *b, rec_energy_dir e,
                     float comp[REC_NCOMP]) {
    tempo_rel tr = relate(a, b);
    return score(o, m, c, a, b, e, comp, 0, &tr);
}

/* --- top-k ------------------------------------------------------------------------- */

typedef struct heap {
    rec_scored *h;
    int n, cap;
} heap;

/* True when x ranks below y (lower score; on ties, the higher id ranks lower). */
static int worse(const rec_scored *x, const rec_scored *y, const rec_index *ix) {
    if (x->score != y->score) return x->score < y->score;
    return rec_index_at(ix, x->slot)->id > rec_index_at(ix, y->slot)->id;
}

static void sift_down(heap *hp, int i, const rec_index *x) {
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < hp->n && worse(&hp->h[l], &hp->h[m], x)) m = l;
        if (r < hp->n && worse(&hp->h[r], &hp->h[m], x)) m = r;
        if (m == i) return;
        rec_scored t = hp->h[i];
        hp->h[i] = hp->h[m];
        hp->h[m] = t;
        i = m;
    }
}

static void heap_offer(heap *hp, const rec_scored *s, const rec_index *x) {
    if (hp->n < hp->cap) {
        int i = hp->n++;
        hp->h[i] = *s;
        while (i > 0) {
            int p = (i - 1) / 2;
            if (!worse(&hp->h[i], &hp->h[p], x)) break;
            rec_scored t = hp->h[i];
            hp->h[i] = hp->h[p];
            hp->h[p] = t;
            i = p;
        }
    } else if (hp->cap > 0 && worse(&hp->h[0], s, x)) {
        hp->h[0] = *s;
        sift_down(hp, 0, x);
    }
}

typedef struct scan {
    const rec_rank_opts *o;
    const rec_index *x;
    const rec_model *m;
    const rec_context *c;
    const rec_track *a;
    const rec_query *q;
    heap hp;
    int64_t *excl; /* sorted */
    size_t nexcl;
    int64_t *succ; /* sorted, distinct: tracks that followed a before */
    uint8_t *succ_seen;
    size_t nsucc;
    int pass; /* 0 compatible; 1 key relaxed; 2 tempo relaxed; 3 both */
    size_t scored;
} scan;

static int id_cmp(const void *p, const void *q) {
    int64_t a = *(const int64_t *)p, b = *(const int64_t *)q;
    return a < b ? -1 : a > b;
}

static int has_id(const int64_t *v, size_t n, int64_t id) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo] == id ? (int)lo + 1 : 0;
}

/* Whether b's tempo (related to a's in tr) is within the tolerance of a's (or a has
 * none), and whether its key is one the rules admit after a's (or a has none). */
static void rules(const scan *s, const rec_track *b, const tempo_rel *tr, int *tempo_ok,
                  int *key_ok) {
    if (s->a->tempo <= 0)
        *tempo_ok = 1;
    else
        *tempo_ok = tr->known && fabs(tr->rel) <= s->o->tempo_tol;
    *key_ok = s->a->key == REC_KEY_NONE || rec_key_move(s->a->key, b->key) <= REC_MOVE_RELATIVE;
}

static void consider(scan *s, uint32_t slot, const rec_track *b, int known_new,
                     const tempo_rel *tr) {
    rec_scored r;
    r.slot = slot;
    r.score = score(s->o, s->m, s->c, s->a, b, s->q->energy, r.c, known_new, tr);
    s->scored++;
    heap_offer(&s->hp, &r, s->x);
}

static int visit(uint32_t slot, const rec_track *b, void *ud) {
    scan *s = ud;
    if (b == s->a) return 0;
    tempo_rel tr = relate(s->a, b);
    int tempo_ok, key_ok;
    rules(s, b, &tr, &tempo_ok, &key_ok);
    /* Pass 0 takes what both rules admit; 1 relaxes the key, 2 the tempo, 3 both. Cells
     * overlap the tolerance at their edges, so each pass checks exactly. */
    if (tempo_ok != (s->pass < 2) || key_ok != (s->pass % 2 == 0)) return 0;
    if (s->nexcl && has_id(s->excl, s->nexcl, b->id)) return 0;
    int k = s->nsucc ? has_id(s->succ, s->nsucc, b->id) : 0;
    if (k) {
        if (s->succ_seen[k - 1]) return 0;
        s->succ_seen[k - 1] = 1;
    }
    consider(s, slot, b, !k, &tr);
    return 0;
}

static int scored_cmp_desc(const void *p, const void *q, void *ix) {
    const rec_scored *a = p, *b = q;
    return worse(a, b, ix) ? 1 : worse(b, a, ix) ? -1 : 0;
}

int rec_rank_next(const rec_rank_opts *o, const rec_index *x, const rec_model *m,
                  const rec_context *c, const rec_query *q, rec_scored *out, size_t *scored) {
    *scored = 0;
    const rec_track *a = rec_index_find(x, q->from);
    if (!a) return -2;
    if (q->limit <= 0) return 0;
    scan s = {.o = o, .x = x, .m = m, .c = c, .a = a, .q = q};
    s.hp.h = out;
    s.hp.cap = q->limit;
    int rc = -1;
    if (q->n_exclude) {
        s.excl = malloc(q->n_exclude * sizeof *s.excl);
        if (!s.excl) goto out;
        memcpy(s.excl, q->exclude, q->n_exclude * sizeof *s.excl);
        qsort(s.excl, q->n_exclude, sizeof *s.excl, id_cmp);
        s.nexcl = q->n_exclude;
    }
    size_t ns = c->n_succ_global + c->n_succ_user;
    if (ns) {
        s.succ = malloc(ns * sizeof *s.succ);
        s.succ_seen = calloc(ns, 1);
        if (!s.succ || !s.succ_seen) goto out;
        if (c->n_succ_global) memcpy(s.succ, c->succ_global, c->n_succ_global * sizeof *s.succ);
        if (c->n_succ_user)
            memcpy(s.succ + c->n_succ_global, c->succ_user, c->n_succ_user * sizeof *s.succ);
        qsort(s.succ, ns, sizeof *s.succ, id_cmp);
        for (size_t i = 0; i < ns; i++)
            if (s.nsucc == 0 || s.succ[s.nsucc - 1] != s.succ[i]) s.succ[s.nsucc++] = s.succ[i];
    }
    rec_index_scan(x, a->tempo, a->key, o->tempo_tol, o->max_candidates, visit, &s);
    /* Tracks listeners went to from here before are candidates whatever their key. */
    for (size_t i = 0; i < s.nsucc; i++) {
        if (s.succ_seen[i]) continue;
        const rec_track *b = rec_index_find(x, s.succ[i]);
        if (!b || b == a || (s.nexcl && has_id(s.excl, s.nexcl, b->id))) continue;
        s.succ_seen[i] = 1;
        tempo_rel tr = relate(a, b);
        consider(&s, rec_index_slot(x, b), b, 0, &tr);
    }
    /* Too few: relax the key rule, then the tempo rule. */
    if (s.hp.n < q->limit) {
        s.pass = 1;
        rec_index_scan(x, a->tempo, REC_KEY_NONE, o->tempo_tol, o->max_candidates, visit, &s);
    }
    if (s.hp.n < q->limit && a->tempo > 0) {
        s.pass = 2;
        rec_index_scan(x, 0, a->key, o->tempo_tol, o->max_candidates, visit, &s);
    }
    if (s.hp.n < q->limit && a->tempo > 0 && a->key != REC_KEY_NONE) {
        s.pass = 3;
        rec_index_scan(x, 0, REC_KEY_NONE, o->tempo_tol, o->max_candidates, visit, &s);
    }
    qsort_r(out, (size_t)s.hp.n, sizeof *out, scored_cmp_desc, (void *)x);
    *scored = s.scored;
    rc = s.hp.n;
out:
    free(s.excl);
    free(s.succ);
    free(s.succ_seen);
    return rc;
}
