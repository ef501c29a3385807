/* index.c -- slot array, id map, tempo x key cells, text arena, tag vocabulary. */
#include "recommender/index.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "recommender/compat.h"
#include "recommender/map.h"

#define NCELLS (REC_TEMPO_BUCKETS * REC_NKEYS)
#define MAX_TAG_VOCAB 65535

typedef struct cell {
    uint32_t *s;
    uint32_t n, cap;
} cell;

struct rec_index {
    rec_track *t; /* slots */
    uint32_t nslots, cap;
    uint32_t *free_slots; /* a stack of free slots */
    uint32_t nfree, free_cap;
    size_t live;
    rec_idmap *ids;
    cell cells[NCELLS];
    char *text; /* the arena; offset 0 holds "\0\0\0" (no text) */
    size_t text_len, text_cap;
    char **tag_names; /* tag id - 1 -> name */
    size_t ntags, tag_cap;
    rec_map *tag_ids; /* hash of name -> id */
};

rec_index *rec_index_new(void) {
    rec_index *x = calloc(1, sizeof *x);
    if (!x) return NULL;
    x->ids = rec_idmap_new(1024);
    x->tag_ids = rec_map_new(64);
    x->text_cap = 4096;
    x->text = malloc(x->text_cap);
    if (!x->ids || !x->tag_ids || !x->text) {
        rec_index_del(x);
        return NULL;
    }
    memset(x->text, 0, 3);
    x->text_len = 3;
    return x;
}

void rec_index_del(rec_index *x) {
    if (!x) return;
    free(x->t);
    free(x->free_slots);
    rec_idmap_del(x->ids);
    for (size_t i = 0; i < NCELLS; i++) free(x->cells[i].s);
    free(x->text);
    for (size_t i = 0; i < x->ntags; i++) free(x->tag_names[i]);
    free(x->tag_names);
    rec_map_del(x->tag_ids);
    free(x);
}

static int tempo_bucket(double bpm) {
    if (!(bpm > 0) || !isfinite(bpm)) return 0;
    double b = floor((bpm - 30) * REC_BUCKETS_PER_BPM) + 1;
    if (b < 1) b = 1;
    if (b > REC_TEMPO_BUCKETS - 1) b = REC_TEMPO_BUCKETS - 1;
    return (int)b;
}

static uint64_t name_hash(const char *s) {
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, then mixed */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return rec_mix64(h);
}

/* The id (1-based) of tag name, added to the vocabulary when new; 0 when out of memory
 * or the vocabulary is full. */
static uint16_t tag_id(rec_index *x, const char *name) {
    rec_key k = {name_hash(name), 0, 0};
    uint32_t v;
    if (rec_map_get(x->tag_ids, k, &v)) return (uint16_t)v;
    if (x->ntags >= MAX_TAG_VOCAB) return 0;
    if (x->ntags == x->tag_cap) {
        size_t nc = x->tag_cap ? x->tag_cap * 2 : 64;
        char **nn = realloc(x->tag_names, nc * sizeof *nn);
        if (!nn) return 0;
        x->tag_names = nn;
        x->tag_cap = nc;
    }
    char *copy = strdup(name);
    if (!copy) return 0;
    uint16_t id = (uint16_t)(x->ntags + 1);
    if (rec_map_put(x->tag_ids, k, id) != 0) {
        free(copy);
        return 0;
    }
    x->tag_names[x->ntags++] = copy;
    return id;
}

/* Appends "title\0artist\0album\0" to the arena; its offset, or UINT32_MAX when out of
 * memory. */
static uint32_t text_add(rec_index *x, const char *f[3]) {
    size_t need = 0;
    for (int i = 0; i < 3; i++) need += strlen(f[i]) + 1;
    if (x->text_len + need > UINT32_MAX) return UINT32_MAX;
    if (x->text_len + need > x->text_cap) {
        size_t nc = x->text_cap;
        while (x->text_len + need > nc) nc *= 2;
        char *nt = realloc(x->text, nc);
        if (!nt) return UINT32_MAX;
        x->text = nt;
        x->text_cap = nc;
    }
    uint32_t off = (uint32_t)x->text_len;
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(f[i]) + 1;
        memcpy(x->text + x->text_len, f[i], n);
        x->text_len += n;
    }
    return off;
}

static int text_same(const rec_index *x, uint32_t off, const char *f[3]) {
    const char *p = x->text + off;
    for (int i = 0; i < 3; i++) {
        if (strcmp(p, f[i]) != 0) return 0;
        p += strlen(p) + 1;
    }
    return 1;
}

static int cell_add(cell *c, uint32_t slot, uint32_t *pos) {
    if (c->n == c->cap) {
        uint32_t nc = c->cap ? c->cap * 2 : 8;
        uint32_t *ns = realloc(c->s, nc * sizeof *ns);
        if (!ns) return -1;
        c->s = ns;
        c->cap = nc;
    }
    *pos = c->n;
    c->s[c->n++] = slot;
    return 0;
}

static void cell_remove(rec_index *x, const rec_track *t) {
    cell *c = &x->cells[t->cell];
    uint32_t last = c->s[--c->n];
    if (t->pos < c->n) {
        c->s[t->pos] = last;
        x->t[last].pos = t->pos;
    }
}

/* Fills the fixed-size part of r from t. */
static void fill_record(rec_index *x, rec_track *r, const rec_track_in *t) {
    r->id = t->id;
    r->tempo = (t->tempo > 0 && isfinite(t->tempo)) ? (float)t->tempo : 0;
    r->energy = isfinite(t->energy) ? (float)fmin(fmax(t->energy, 0), 1) : -1;
    r->loudness = isfinite(t->loudness) ? (float)t->loudness : NAN;
    r->key = (uint8_t)((t->key >= 0 && t->key < REC_KEY_NONE) ? t->key : REC_KEY_NONE);
    r->flags = REC_F_LIVE;
    if (t->mfcc && t->n_mfcc > REC_MFCC_DIM && rec_vec_q8(t->mfcc + 1, REC_MFCC_DIM, r->mfcc) == 0)
        r->flags |= REC_F_MFCC;
    if (t->chroma && t->n_chroma == REC_CHROMA_DIM &&
        rec_vec_u8(t->chroma, REC_CHROMA_DIM, r->chroma) == 0)
        r->flags |= REC_F_CHROMA;
    if (t->embedding && t->n_embedding > 0 &&
        rec_vec_project(t->embedding, t->n_embedding, r->emb) == 0)
        r->flags |= REC_F_EMB;
    memset(r->tags, 0, sizeof r->tags);
    int k = 0;
    for (int i = 0; i < t->n_tags && i < REC_MAX_TAGS; i++) {
        if (!t->tags[i] || !*t->tags[i]) continue;
        uint16_t id = tag_id(x, t->tags[i]);
        if (id) r->tags[k++] = id;
    }
}

int rec_index_put(rec_index *x, const rec_track_in *t, int *text_changed, uint32_t *slot_out) {
    const char *f[3] = {t->title ? t->title : "", t->artist ? t->artist : "",
                        t->album ? t->album : ""};
    uint32_t slot;
    int exists = rec_idmap_get(x->ids, t->id, &slot);
    int changed = !exists || !text_same(x, x->t[slot].text, f);
    uint32_t text = exists ? x->t[slot].text : 0;
    if (changed && !(f[0][0] == 0 && f[1][0] == 0 && f[2][0] == 0)) {
        text = text_add(x, f);
        if (text == UINT32_MAX) return -1;
    } else if (changed) {
        text = 0;
    }
    if (!exists) {
        if (x->nfree) {
            slot = x->free_slots[x->nfree - 1];
        } else {
            if (x->nslots == x->cap) {
                uint32_t nc = x->cap ? x->cap + x->cap / 2 : 1024;
                rec_track *nt = realloc(x->t, (size_t)nc * sizeof *nt);
                if (!nt) return -1;
                x->t = nt;
                x->cap = nc;
            }
            slot = x->nslots;
        }
        if (rec_idmap_put(x->ids, t->id, slot) != 0) return -1;
    }
    rec_track r;
    memset(&r, 0, sizeof r);
    fill_record(x, &r, t);
    r.text = text;
    if (exists) {
        r.pick_sum = x->t[slot].pick_sum;
        r.pick_n = x->t[slot].pick_n;
    }
    uint16_t ncell = (uint16_t)(tempo_bucket(r.tempo) * REC_NKEYS + r.key);
    if (!exists || x->t[slot].cell != ncell) {
        uint32_t pos;
        if (cell_add(&x->cells[ncell], slot, &pos) != 0) {
            if (!exists) rec_idmap_remove(x->ids, t->id);
            return -1;
        }
        if (exists) cell_remove(x, &x->t[slot]);
        r.pos = pos;
    } else {
        r.pos = x->t[slot].pos;
    }
    r.cell = ncell;
    x->t[slot] = r;
    if (!exists) {
        if (x->nfree)
            x->nfree--;
        else
            x->nslots++;
        x->live++;
    }
    if (text_changed) *text_changed = changed;
    if (slot_out) *slot_out = slot;
    return 0;
}

int rec_index_remove(rec_index *x, int64_t id) {
    uint32_t slot;
    if (!rec_idmap_get(x->ids, id, &slot)) return 0;
    if (x->nfree == x->free_cap) {
        uint32_t nc = x->free_cap ? x->free_cap * 2 : 64;
        uint32_t *nf = realloc(x->free_slots, nc * sizeof *nf);
        if (!nf) return 0; /* keep the track rather than lose track of the slot */
        x->free_slots = nf;
        x->free_cap = nc;
    }
    cell_remove(x, &x->t[slot]);
    x->t[slot].flags = 0;
    rec_idmap_remove(x->ids, id);
    x->free_slots[x->nfree++] = slot;
    x->live--;
    return 1;
}

const rec_track *rec_index_find(const rec_index *x, int64_t id) {
    uint32_t slot;
    return rec_idmap_get(x->ids, id, &slot) ? &x->t[slot] : NULL;
}

const rec_track *rec_index_at(const rec_index *x, uint32_t slot) {
    return slot < x->nslots && (x->t[slot].flags & REC_F_LIVE) ? &x->t[slot] : NULL;
}

uint32_t rec_index_slot(const rec_index *x, const rec_track *t) { return (uint32_t)(t - x->t); }

uint32_t rec_index_slots(const rec_index *x) { return x->nslots; }

size_t rec_index_count(const rec_index *x) { return x->live; }

const char *rec_index_text(const rec_index *x, const rec_track *t, enum rec_text_field f) {
    const char *p = x->text + t->text;
    for (int i = 0; i < (int)f; i++) p += strlen(p) + 1;
    return p;
}

const char *rec_index_tag_name(const rec_index *x, uint16_t tag) {
    return tag >= 1 && tag <= x->ntags ? x->tag_names[tag - 1] : NULL;
}

size_t rec_index_tag_count(const rec_index *x) { return x->ntags; }

typedef struct ring {
    int bucket;
    double dist;
} ring;

static int ring_cmp(const void *a, const void *b) {
    const ring *x = a, *y = b;
    return x->dist < y->dist ? -1 : x->dist > y->dist ? 1 : x->bucket - y->bucket;
}

size_t rec_index_scan(const rec_index *x, double tempo, int key, double tol, size_t cap,
                      rec_scan_fn fn, void *ud) {
    ring rings[REC_TEMPO_BUCKETS];
    int nr = 0;
    if (tempo > 0 && isfinite(tempo)) {
        static const double factors[3] = {1.0, 0.5, 2.0};
        uint8_t taken[REC_TEMPO_BUCKETS] = {0}; /* windows can meet only where clamped */
        for (int f = 0; f < 3; f++) {
            double t = tempo * factors[f], lo = t * (1 - tol), hi = t * (1 + tol);
            if (hi < 30 || lo >= 300) continue;
            for (int b = tempo_bucket(lo); b <= tempo_bucket(hi); b++) {
                if (taken[b]) continue;
                taken[b] = 1;
                double centre = 30 + (b - 0.5) / REC_BUCKETS_PER_BPM;
                rings[nr].bucket = b;
                rings[nr].dist = fabs(centre - t) / t + (f ? 1e-9 : 0);
                nr++;
            }
        }
        qsort(rings, (size_t)nr, sizeof *rings, ring_cmp);
    } else {
        for (int b = 0; b < REC_TEMPO_BUCKETS; b++) rings[nr++] = (ring){b, 0};
    }
    int keys[REC_NKEYS], nk = rec_key_compatible(key, keys);
    if (nk == 0)
        for (int k = 0; k < REC_NKEYS; k++) keys[nk++] = k;
    size_t visited = 0;
    for (int i = 0; i < nr; i++) {
        for (int k = 0; k < nk; k++) {
            const cell *c = &x->cells[rings[i].bucket * REC_NKEYS + keys[k]];
            for (uint32_t j = 0; j < c->n; j++) {
                uint32_t s = c->s[j];
                visited++;
                if (fn(s, &x->t[s], ud)) return visited;
            }
        }
        if (visited >= cap) break;
    }
    return visited;
}

void rec_index_set_pick(rec_index *x, int64_t id, float sum, uint32_t n) {
    uint32_t slot;
    if (!rec_idmap_get(x->ids, id, &slot)) return;
    x->t[slot].pick_sum = sum;
    x->t[slot].pick_n = n;
}

int rec_index_compact(rec_index *x) {
    uint32_t cap = x->live ? (uint32_t)x->live : 1;
    rec_track *nt = malloc((size_t)cap * sizeof *nt);
    if (!nt) return -1;
    uint32_t k = 0;
    for (size_t c = 0; c < NCELLS; c++) {
        cell *cl = &x->cells[c];
        for (uint32_t j = 0; j < cl->n; j++, k++) {
            nt[k] = x->t[cl->s[j]];
            nt[k].pos = j;
            cl->s[j] = k;
            rec_idmap_put(x->ids, nt[k].id, k); /* replaces a value: never allocates */
        }
    }
    free(x->t);
    x->t = nt;
    x->nslots = x->cap = k;
    x->nfree = 0;
    return 0;
}

void rec_index_memory(const rec_index *x, rec_index_mem *m) {
    m->records = (size_t)x->cap * sizeof *x->t + (size_t)x->free_cap * sizeof(uint32_t);
    m->idmap = rec_idmap_bytes(x->ids);
    m->cells = sizeof x->cells;
    for (size_t i = 0; i < NCELLS; i++) m->cells += (size_t)x->cells[i].cap * sizeof(uint32_t);
    m->text = x->text_cap;
    m->tags = rec_map_bytes(x->tag_ids) + x->tag_cap * sizeof(char *);
    for (size_t i = 0; i < x->ntags; i++) m->tags += strlen(x->tag_names[i]) + 1;
}
