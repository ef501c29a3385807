/* search.c -- trigram postings and verified scoring (see search.h). */
#include "recommender/search.h"

#include <stdlib.h>
#include <string.h>

#include "recommender/map.h"

#define NBUCKETS (1u << 18)
#define MAX_TRIGRAMS 1024 /* per text; longer texts are indexed up to here */
#define VERIFY 256        /* best-counted slots verified per query */

typedef struct plist {
    uint32_t *s;
    uint32_t n, cap;
} plist;

struct rec_search {
    plist b[NBUCKETS];
    size_t postings;
};

rec_search *rec_search_new(void) { return calloc(1, sizeof(rec_search)); }

void rec_search_del(rec_search *s) {
    if (!s) return;
    for (size_t i = 0; i < NBUCKETS; i++) free(s->b[i].s);
    free(s);
}

/* Folds the n bytes of in to lower case with ASCII punctuation as single spaces. */
static size_t fold(const char *in, size_t n, char *out) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
        int word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
        if (!word) {
            if (k > 0 && out[k - 1] != ' ') out[k++] = ' ';
        } else {
            out[k++] = (char)c;
        }
    }
    while (k > 0 && out[k - 1] == ' ') k--;
    return k;
}

static int u32_cmp(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The distinct trigrams (3 bytes packed in 24 bits) of folded text t, sorted. */
static size_t trigrams(const char *t, size_t n, uint32_t *out, size_t max) {
    size_t k = 0, i = 0;
    while (i < n && k < max) {
        size_t j = i;
        while (j < n && t[j] != ' ') j++;
        /* The word t[i..j) padded as "  word ". */
        unsigned char prev2 = ' ', prev1 = ' ';
        for (size_t p = i; p <= j && k < max; p++) {
            unsigned char c = p < j ? (unsigned char)t[p] : ' ';
            out[k++] = (uint32_t)prev2 << 16 | (uint32_t)prev1 << 8 | c;
            prev2 = prev1;
            prev1 = c;
        }
        i = j + 1;
    }
    qsort(out, k, sizeof *out, u32_cmp);
    size_t u = 0;
    for (size_t p = 0; p < k; p++)
        if (u == 0 || out[u - 1] != out[p]) out[u++] = out[p];
    return u;
}

static uint32_t bucket_of(uint32_t tri) { return (uint32_t)rec_mix64(tri) & (NBUCKETS - 1); }

/* The folded "artist title album" of t into buf (at least 3 * 1024 bytes + 3); length. */
static size_t track_text(const rec_index *x, const rec_track *t, char *buf, size_t cap) {
    static const enum rec_text_field order[3] = {REC_ARTIST, REC_TITLE, REC_ALBUM};
    size_t k = 0;
    for (int f = 0; f < 3; f++) {
        const char *s = rec_index_text(x, t, order[f]);
        size_t n = strlen(s);
        if (n > 1024) n = 1024;
        if (k + n + 1 >= cap) break;
        if (k) buf[k++] = ' ';
        k += fold(s, n, buf + k);
    }
    return k;
}

#define TEXT_CAP (3 * 1024 + 8)

int rec_search_add(rec_search *s, const rec_index *x, uint32_t slot) {
    const rec_track *t = rec_index_at(x, slot);
    if (!t) return 0;
    char buf[TEXT_CAP];
    uint32_t tri[MAX_TRIGRAMS];
    size_t n = trigrams(buf, track_text(x, t, buf, sizeof buf), tri, MAX_TRIGRAMS);
    for (size_t i = 0; i < n; i++) {
        plist *p = &s->b[bucket_of(tri[i])];
        if (p->n && p->s[p->n - 1] == slot) continue; /* two trigrams in one bucket */
        if (p->n == p->cap) {
            uint32_t nc = p->cap ? p->cap * 2 : 4;
            uint32_t *ns = realloc(p->s, nc * sizeof *ns);
            if (!ns) return -1;
            p->s = ns;
            p->cap = nc;
        }
        p->s[p->n++] = slot;
        s->postings++;
    }
    return 0;
}

static int hit_cmp(const void *a, const void *b) {
    const rec_hit *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* Candidates by hit count, highest first (ties by slot). */
typedef struct counted {
    uint32_t slot, count;
} counted;

static int counted_cmp(const void *a, const void *b) {
    const counted *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return x->slot < y->slot ? -1 : x->slot > y->slot;
}

int rec_search_find(const rec_search *s, const rec_index *x, const char *query, double min_score,
                    rec_hit *hits, int max) {
    char q[REC_SEARCH_MAX_QUERY + 1];
    size_t qn = strlen(query);
    if (qn > REC_SEARCH_MAX_QUERY) qn = REC_SEARCH_MAX_QUERY;
    uint32_t qt[REC_SEARCH_MAX_QUERY * 2 + 8];
    size_t nq = trigrams(q, fold(query, qn, q), qt, sizeof qt / sizeof *qt);
    uint32_t nslots = rec_index_slots(x);
    if (nq == 0 || nslots == 0 || max <= 0) return 0;

    uint16_t *count = calloc(nslots, sizeof *count);
    uint32_t *touched = NULL;
    size_t nt = 0, tcap = 0;
    int rc = -1;
    counted *c = NULL;
    if (!count) return -1;
    uint32_t seen_bucket[REC_SEARCH_MAX_QUERY * 2 + 8];
    size_t nb = 0;
    for (size_t i = 0; i < nq; i++) {
        uint32_t b = bucket_of(qt[i]);
        int dup = 0;
        for (size_t j = 0; j < nb; j++) dup |= seen_bucket[j] == b;
        if (dup) continue;
        seen_bucket[nb++] = b;
        const plist *p = &s->b[b];
        for (uint32_t j = 0; j < p->n; j++) {
            uint32_t slot = p->s[j];
            if (slot >= nslots) continue;
            if (count[slot] == 0) {
                if (nt == tcap) {
                    size_t nc = tcap ? tcap * 2 : 1024;
                    uint32_t *ntouched = realloc(touched, nc * sizeof *ntouched);
                    if (!ntouched) goto out;
                    touched = ntouched;
                    tcap = nc;
                }
                touched[nt++] = slot;
            }
            if (count[slot] < UINT16_MAX) count[slot]++;
        }
    }
    /* Keep the VERIFY best-counted, then verify each against its current text. */
    c = malloc((nt ? nt : 1) * sizeof *c);
    if (!c) goto out;
    for (size_t i = 0; i < nt; i++) c[i] = (counted){touched[i], count[touched[i]]};
    size_t nv = nt;
    if (nv > VERIFY) {
        qsort(c, nt, sizeof *c, counted_cmp);
        nv = VERIFY;
    }
    int nh = 0;
    rec_hit *all = malloc((nv ? nv : 1) * sizeof *all);
    if (!all) goto out;
    for (size_t i = 0; i < nv; i++) {
        const rec_track *t = rec_index_at(x, c[i].slot);
        if (!t) continue;
        char buf[TEXT_CAP];
        uint32_t tt[MAX_TRIGRAMS];
        size_t n = trigrams(buf, track_text(x, t, buf, sizeof buf), tt, MAX_TRIGRAMS);
        /* Both sorted: count the common trigrams. */
        size_t a = 0, b = 0, common = 0;
        while (a < nq && b < n) {
            if (qt[a] == tt[b]) {
                common++;
                a++;
                b++;
            } else if (qt[a] < tt[b]) {
                a++;
            } else {
                b++;
            }
        }
        /* The share of the query found, and a little for texts not much longer than it. */
        double score = (double)common / (double)nq;
        double focus = n ? (double)common / (double)n : 0;
        double v = 0.9 * score + 0.1 * focus;
        if (score >= min_score) all[nh++] = (rec_hit){c[i].slot, v};
    }
    qsort(all, (size_t)nh, sizeof *all, hit_cmp);
    if (nh > max) nh = max;
    memcpy(hits, all, (size_t)nh * sizeof *hits);
    free(all);
    rc = nh;
out:
    free(c);
    free(touched);
    free(count);
    return rc;
}

size_t rec_search_bytes(const rec_search *s) {
    size_t b = sizeof *s;
    for (size_t i = 0; i < NBUCKETS; i++) b += (size_t)s->b[i].cap * sizeof(uint32_t);
    return b;
}
