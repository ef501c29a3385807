/* model.c -- feedback statistics: transitions, patterns, taste (see model.h). */
#include "recommender/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "recommender/map.h"

#define CHUNK_BITS 16 /* row-id bitmap chunks of 65,536 ids */

typedef struct profile {
    rec_stat move[REC_NMOVES];
    rec_stat energy[REC_NENERGY];
    rec_stat tempo[REC_NTEMPO];
} profile;

typedef struct utag {
    uint16_t tag;
    rec_stat s;
} utag;

typedef struct user {
    profile p;
    utag *tags;
    uint32_t ntags, cap;
} user;

typedef struct succ {
    int64_t *to;
    uint32_t n, cap;
} succ;

/* A growable array of T. */
#define VEC(T)                                                                                     \
    struct {                                                                                       \
        T *v;                                                                                      \
        size_t n, cap;                                                                             \
    }

struct rec_model {
    profile global;
    rec_map *pairs;  /* (0 or user, from, to) -> stats index */
    rec_map *succs;  /* (0 or user, from, 0) -> succ_lists index */
    rec_map *tracks; /* (to, 0, 0) -> stats index */
    rec_map *users;  /* (user, 0, 0) -> users index */
    rec_map *chunks; /* (row id >> CHUNK_BITS, 0, 0) -> bitmaps index */
    VEC(rec_stat) stats;
    VEC(succ) succ_lists;
    VEC(user) users_v;
    VEC(uint8_t *) bitmaps;
    uint64_t events, transitions;
};

/* Makes room for element n of a vector of elem-byte elements at v with *cap allocated;
 * returns the (possibly moved) array, or NULL when out of memory (v is then unchanged). */
static void *grow(void *v, size_t *cap, size_t n, size_t elem) {
    if (n < *cap) return v;
    size_t nc = *cap ? *cap * 2 : 64;
    void *nv = realloc(v, nc * elem);
    if (nv) *cap = nc;
    return nv;
}

/* Appends one zeroed element to the vector vec, its index to *idx; sets rc to 0, or to -1
 * when out of memory. */
#define VEC_PUSH(vec, idx, rc)                                                                     \
    do {                                                                                           \
        void *nv_ = grow((vec).v, &(vec).cap, (vec).n, sizeof *(vec).v);                           \
        (rc) = -1;                                                                                 \
        if (!nv_) break;                                                                           \
        (vec).v = nv_;                                                                             \
        memset(&(vec).v[(vec).n], 0, sizeof *(vec).v);                                             \
        *(idx) = (uint32_t)(vec).n++;                                                              \
        (rc) = 0;                                                                                  \
    } while (0)

int rec_event_type_parse(const char *s) {
    static const char *names[REC_NEVENTS] = {"play", "skip", "like", "dislike",
                                             "transition_rating"};
    for (int i = 0; i < REC_NEVENTS; i++)
        if (s && !strcmp(s, names[i])) return i;
    return -1;
}

const char *rec_event_type_name(rec_event_type t) {
    static const char *names[REC_NEVENTS] = {"play", "skip", "like", "dislike",
                                             "transition_rating"};
    return (unsigned)t < REC_NEVENTS ? names[t] : "?";
}

double rec_event_value(const rec_event *e) {
    switch (e->type) {
    case REC_EV_PLAY: return 0.5;
    case REC_EV_LIKE: return 1.0;
    case REC_EV_DISLIKE: return -1.0;
    case REC_EV_SKIP: return (isfinite(e->position) && e->position >= 30) ? -0.5 : -1.0;
    case REC_EV_RATING:
        if (!isfinite(e->rating)) return 0;
        return fmax(-1, fmin(1, (e->rating - 3) / 2));
    default: return 0;
    }
}

int rec_energy_class(double from, double to) {
    if (!(from >= 0) || !(to >= 0)) return -1;
    double d = to - from;
    if (d < -0.15) return 0;
    if (d < -0.04) return 1;
    if (d <= 0.04) return 2;
    if (d <= 0.15) return 3;
    return 4;
}

int rec_tempo_class(double rel) { return rel < -0.02 ? 0 : rel > 0.02 ? 2 : 1; }

uint64_t rec_user_hash(const char *u) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *u; u++) h = (h ^ (unsigned char)*u) * 0x100000001b3ULL;
    return rec_mix64(h) | 1;
}

rec_model *rec_model_new(void) {
    rec_model *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->pairs = rec_map_new(1024);
    m->succs = rec_map_new(1024);
    m->tracks = rec_map_new(1024);
    m->users = rec_map_new(256);
    m->chunks = rec_map_new(16);
    if (!m->pairs || !m->succs || !m->tracks || !m->users || !m->chunks) {
        rec_model_del(m);
        return NULL;
    }
    return m;
}

void rec_model_del(rec_model *m) {
    if (!m) return;
    rec_map_del(m->pairs);
    rec_map_del(m->succs);
    rec_map_del(m->tracks);
    rec_map_del(m->users);
    rec_map_del(m->chunks);
    free(m->stats.v);
    for (size_t i = 0; i < m->succ_lists.n; i++) free(m->succ_lists.v[i].to);
    free(m->succ_lists.v);
    for (size_t i = 0; i < m->users_v.n; i++) free(m->users_v.v[i].tags);
    free(m->users_v.v);
    for (size_t i = 0; i < m->bitmaps.n; i++) free(m->bitmaps.v[i]);
    free(m->bitmaps.v);
    free(m);
}

/* Marks row id seen: 1 when newly marked, 0 when seen before, -1 when out of memory. */
static int mark_row(rec_model *m, int64_t row) {
    rec_key k = {(uint64_t)row >> CHUNK_BITS, 0, 0};
    uint32_t ci;
    if (!rec_map_get(m->chunks, k, &ci)) {
        uint8_t *bits = calloc(1, (1u << CHUNK_BITS) / 8);
        int rc = -1;
        if (bits) VEC_PUSH(m->bitmaps, &ci, rc);
        if (rc != 0) {
            free(bits);
            return -1;
        }
        m->bitmaps.v[ci] = bits;
        if (rec_map_put(m->chunks, k, ci) != 0) {
            m->bitmaps.n--;
            free(bits);
            return -1;
        }
    }
    uint64_t bit = (uint64_t)row & ((1u << CHUNK_BITS) - 1);
    uint8_t *b = &m->bitmaps.v[ci][bit / 8];
    if (*b & (1u << (bit % 8))) return 0;
    *b |= (uint8_t)(1u << (bit % 8));
    return 1;
}

/* The stats entry for k, created when absent; NULL when out of memory. *created set when
 * new. */
static rec_stat *stat_for(rec_model *m, rec_map *map, rec_key k, int *created) {
    uint32_t i;
    if (created) *created = 0;
    if (!rec_map_get(map, k, &i)) {
        int rc;
        VEC_PUSH(m->stats, &i, rc);
        if (rc != 0) return NULL;
        if (rec_map_put(map, k, i) != 0) {
            m->stats.n--;
            return NULL;
        }
        if (created) *created = 1;
    }
    return &m->stats.v[i];
}

static void add(rec_stat *s, double v) {
    s->sum += (float)v;
    s->n++;
}

static user *user_for(rec_model *m, uint64_t uh) {
    uint32_t i;
    rec_key k = {uh, 0, 0};
    if (!rec_map_get(m->users, k, &i)) {
        int rc;
        VEC_PUSH(m->users_v, &i, rc);
        if (rc != 0) return NULL;
        if (rec_map_put(m->users, k, i) != 0) {
            m->users_v.n--;
            return NULL;
        }
    }
    return &m->users_v.v[i];
}

static int succ_add(rec_model *m, uint64_t owner, int64_t from, int64_t to) {
    rec_key k = {owner, (uint64_t)from, 0};
    uint32_t i;
    if (!rec_map_get(m->succs, k, &i)) {
        int rc;
        VEC_PUSH(m->succ_lists, &i, rc);
        if (rc != 0) return -1;
        if (rec_map_put(m->succs, k, i) != 0) {
            m->succ_lists.n--;
            return -1;
        }
    }
    succ *s = &m->succ_lists.v[i];
    if (s->n == s->cap) {
        uint32_t nc = s->cap ? s->cap * 2 : 4;
        int64_t *nt = realloc(s->to, nc * sizeof *nt);
        if (!nt) return -1;
        s->to = nt;
        s->cap = nc;
    }
    s->to[s->n++] = to;
    return 0;
}

static void profile_add(profile *p, int move, int ec, int tc, double v) {
    add(&p->move[move], v);
    if (ec >= 0) add(&p->energy[ec], v);
    if (tc >= 0) add(&p->tempo[tc], v);
}

static int user_tag_add(user *u, uint16_t tag, double v) {
    for (uint32_t i = 0; i < u->ntags; i++)
        if (u->tags[i].tag == tag) {
            add(&u->tags[i].s, v);
            return 0;
        }
    if (u->ntags == u->cap) {
        uint32_t nc = u->cap ? u->cap * 2 : 8;
        utag *nt = realloc(u->tags, nc * sizeof *nt);
        if (!nt) return -1;
        u->tags = nt;
        u->cap = nc;
    }
    u->tags[u->ntags] = (utag){tag, {0, 0}};
    add(&u->tags[u->ntags++].s, v);
    return 0;
}

int rec_model_apply(rec_model *m, const rec_index *x, const rec_event *e) {
    /* An event naming no track teaches nothing yet; its row is not marked, so that it is
     * applied when its tracks are filled in (user_feedback_notify_update). */
    if (e->to <= 0) return 0;
    if (e->row_id > 0) {
        int r = mark_row(m, e->row_id);
        if (r <= 0) return r;
    }
    double v = rec_event_value(e);
    uint64_t uh = (e->user && *e->user) ? rec_user_hash(e->user) : 0;
    user *u = uh ? user_for(m, uh) : NULL;
    if (uh && !u) return -1;
    const rec_track *a = e->from > 0 ? rec_index_find(x, e->from) : NULL;
    const rec_track *b = e->to > 0 ? rec_index_find(x, e->to) : NULL;
    m->events++;
    if (e->from > 0 && e->to > 0) {
        int created;
        rec_stat *g =
            stat_for(m, m->pairs, (rec_key){0, (uint64_t)e->from, (uint64_t)e->to}, &created);
        if (!g) return -1;
        add(g, v);
        if (created) {
            m->transitions++;
            if (succ_add(m, 0, e->from, e->to) != 0) return -1;
        }
        if (uh) {
            rec_stat *s =
                stat_for(m, m->pairs, (rec_key){uh, (uint64_t)e->from, (uint64_t)e->to}, &created);
            if (!s) return -1;
            add(s, v);
            if (created && succ_add(m, uh, e->from, e->to) != 0) return -1;
        }
        if (a && b) {
            int move = rec_key_move(a->key, b->key);
            int ec = rec_energy_class(a->energy, b->energy);
            double rel, f;
            int tc =
                rec_tempo_relation(a->tempo, b->tempo, &rel, &f) == 0 ? rec_tempo_class(rel) : -1;
            profile_add(&m->global, move, ec, tc, v);
            if (u) profile_add(&u->p, move, ec, tc, v);
        }
    }
    if (e->to > 0) {
        rec_stat *t = stat_for(m, m->tracks, (rec_key){(uint64_t)e->to, 0, 0}, NULL);
        if (!t) return -1;
        add(t, v);
        if (u && b)
            for (int i = 0; i < REC_MAX_TAGS && b->tags[i]; i++)
                if (user_tag_add(u, b->tags[i], v) != 0) return -1;
    }
    return 1;
}

int rec_model_context(const rec_model *m, const char *user_id, int64_t from, size_t ntags,
                      rec_context *c) {
    memset(c, 0, sizeof *c);
    c->from = from;
    const user *u = NULL;
    if (user_id && *user_id) {
        c->user = rec_user_hash(user_id);
        uint32_t i;
        if (rec_map_get(m->users, (rec_key){c->user, 0, 0}, &i)) u = &m->users_v.v[i];
    }
    /* Patterns: the listener's own preference, plus half the crowd's. */
    const double a = REC_ALPHA_PATTERN;
    for (int k = 0; k < REC_NMOVES; k++)
        c->move[k] = 0.5 * rec_stat_smooth(m->global.move[k], a) +
                     (u ? rec_stat_smooth(u->p.move[k], a) : 0);
    for (int k = 0; k < REC_NENERGY; k++)
        c->energy[k] = 0.5 * rec_stat_smooth(m->global.energy[k], a) +
                       (u ? rec_stat_smooth(u->p.energy[k], a) : 0);
    for (int k = 0; k < REC_NTEMPO; k++)
        c->tempo[k] = 0.5 * rec_stat_smooth(m->global.tempo[k], a) +
                      (u ? rec_stat_smooth(u->p.tempo[k], a) : 0);
    if (u && u->ntags) {
        c->ntags = ntags;
        c->tag_affinity = calloc(ntags + 1, sizeof *c->tag_affinity);
        if (!c->tag_affinity) return -1;
        for (uint32_t i = 0; i < u->ntags; i++)
            if (u->tags[i].tag <= ntags)
                c->tag_affinity[u->tags[i].tag] = rec_stat_smooth(u->tags[i].s, REC_ALPHA_TASTE);
    }
    uint32_t si;
    if (rec_map_get(m->succs, (rec_key){0, (uint64_t)from, 0}, &si)) {
        c->succ_global = m->succ_lists.v[si].to;
        c->n_succ_global = m->succ_lists.v[si].n;
    }
    if (c->user && rec_map_get(m->succs, (rec_key){c->user, (uint64_t)from, 0}, &si)) {
        c->succ_user = m->succ_lists.v[si].to;
        c->n_succ_user = m->succ_lists.v[si].n;
    }
    return 0;
}

void rec_model_context_free(rec_context *c) {
    free(c->tag_affinity);
    c->tag_affinity = NULL;
}

void rec_model_pair(const rec_model *m, const rec_context *c, int64_t to, rec_stat *global,
                    rec_stat *usr) {
    uint32_t i;
    *global = (rec_stat){0, 0};
    *usr = (rec_stat){0, 0};
    if (!c->n_succ_global) return; /* no transitions from here at all */
    if (rec_map_get(m->pairs, (rec_key){0, (uint64_t)c->from, (uint64_t)to}, &i))
        *global = m->stats.v[i];
    if (c->n_succ_user &&
        rec_map_get(m->pairs, (rec_key){c->user, (uint64_t)c->from, (uint64_t)to}, &i))
        *usr = m->stats.v[i];
}

rec_stat rec_model_track(const rec_model *m, int64_t to) {
    uint32_t i;
    if (rec_map_get(m->tracks, (rec_key){(uint64_t)to, 0, 0}, &i)) return m->stats.v[i];
    return (rec_stat){0, 0};
}

void rec_model_stats_get(const rec_model *m, rec_model_stats *s) {
    s->events = m->events;
    s->users = m->users_v.n;
    s->transitions = m->transitions;
    s->bytes = sizeof *m + rec_map_bytes(m->pairs) + rec_map_bytes(m->succs) +
               rec_map_bytes(m->tracks) + rec_map_bytes(m->users) + rec_map_bytes(m->chunks) +
               m->stats.cap * sizeof *m->stats.v + m->succ_lists.cap * sizeof *m->succ_lists.v +
               m->users_v.cap * sizeof *m->users_v.v + m->bitmaps.n * ((1u << CHUNK_BITS) / 8);
    for (size_t i = 0; i < m->succ_lists.n; i++)
        s->bytes += m->succ_lists.v[i].cap * sizeof(int64_t);
    for (size_t i = 0; i < m->users_v.n; i++) s->bytes += m->users_v.v[i].cap * sizeof(utag);
}
