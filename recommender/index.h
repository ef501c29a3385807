/* index.h -- the in-memory index of the catalogue's features, for ranking and search.
 *
 * Each analysed track is one compact record (struct rec_track, 104 bytes) in a slot array,
 * found by id through a hash map. Records are also filed in cells by tempo bucket
 * (1/4 BPM wide, 30..300 BPM, plus "unknown") and Camelot key (24 keys plus "unknown"), so
 * that the candidates for a transition are found by visiting only the cells of compatible
 * tempi and keys, nearest tempo first, instead of scanning the catalogue.
 *
 * Titles, artists and albums live in one text arena; tag names in a small vocabulary
 * (tags are stored as 16-bit ids). Not thread-safe: the store (store.h) holds the lock. */
#ifndef REC_INDEX_H
#define REC_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "recommender/vec.h"

#define REC_MAX_TAGS 4       /* tags kept per track, most probable first */
#define REC_TAG_MIN_PROB 0.3 /* tags below this probability are not kept */
#define REC_BUCKETS_PER_BPM 4
/* Bucket 0 is "unknown"; bucket b >= 1 holds [30 + (b - 1) / 4, 30 + b / 4) BPM (the first
 * and last also hold what lies below 30 and above 300 BPM). */
#define REC_TEMPO_BUCKETS (270 * REC_BUCKETS_PER_BPM + 2)

enum rec_track_flags { REC_F_LIVE = 1, REC_F_MFCC = 2, REC_F_CHROMA = 4, REC_F_EMB = 8 };
enum rec_text_field { REC_TITLE, REC_ARTIST, REC_ALBUM };

/* One track as the ranker sees it. */
typedef struct rec_track {
    int64_t id;
    float tempo;                 /* BPM, 0 when unknown */
    float energy;                /* 0..1, -1 when unknown */
    float loudness;              /* LUFS, NaN when unknown */
    uint32_t text;               /* offset of "title\0artist\0album\0" in the text arena */
    uint32_t pos;                /* position in its cell's slot list */
    uint16_t cell;               /* tempo bucket * REC_NKEYS + key */
    uint8_t key;                 /* Camelot index (compat.h), REC_KEY_NONE when unknown */
    uint8_t flags;               /* rec_track_flags */
    uint16_t tags[REC_MAX_TAGS]; /* tag id + 1, 0 = no more tags */
    float pick_sum;              /* feedback on this track as a pick (model.h), mirrored */
    uint32_t pick_n;             /* here so that ranking reads it with the record */
    int8_t mfcc[REC_MFCC_DIM];
    uint8_t chroma[REC_CHROMA_DIM];
    int8_t emb[REC_EMB_DIM];
} rec_track;

/* A track as loaded from PostgreSQL; every pointer may be NULL. Copied by rec_index_put. */
typedef struct rec_track_in {
    int64_t id;
    const char *title, *artist, *album;
    double tempo;      /* NaN when unknown */
    int key;           /* Camelot index or REC_KEY_NONE */
    double energy;     /* NaN when unknown */
    double loudness;   /* NaN when unknown */
    const float *mfcc; /* mfcc_mean (13 values: coefficient 0 first) */
    size_t n_mfcc;
    const float *chroma;
    size_t n_chroma;
    const float *embedding;
    size_t n_embedding;
    const char *tags[REC_MAX_TAGS]; /* most probable first, already filtered */
    int n_tags;
} rec_track_in;

/* Memory held, by part, in bytes. */
typedef struct rec_index_mem {
    size_t records, idmap, cells, text, tags;
} rec_index_mem;

typedef struct rec_index rec_index;

/* Called for each candidate of a scan; return non-zero to stop the scan. */
typedef int (*rec_scan_fn)(uint32_t slot, const rec_track *t, void *ud);

/* A new, empty index. NULL when out of memory. */
rec_index *rec_index_new(void);
/* Frees x. Accepts NULL. */
void rec_index_del(rec_index *x);

/* Adds or replaces the track t->id. *text_changed (if given) is set when its title,
 * artist or album are new or changed; its slot goes to *slot (if given). 0, or -1 when
 * out of memory (the index is then unchanged). */
int rec_index_put(rec_index *x, const rec_track_in *t, int *text_changed, uint32_t *slot);
/* Removes track id; 1 when it was there. */
int rec_index_remove(rec_index *x, int64_t id);

/* The track with this id, or NULL. The pointer is valid until the index next changes. */
const rec_track *rec_index_find(const rec_index *x, int64_t id);
/* The live track in slot, or NULL. */
const rec_track *rec_index_at(const rec_index *x, uint32_t slot);
/* The slot of a track record returned by find/at. */
uint32_t rec_index_slot(const rec_index *x, const rec_track *t);
/* Slots in use or free (an upper bound for slot numbers), and live tracks. */
uint32_t rec_index_slots(const rec_index *x);
size_t rec_index_count(const rec_index *x);

/* A text field of t ("" when absent). */
const char *rec_index_text(const rec_index *x, const rec_track *t, enum rec_text_field f);
/* The name of tag id (as stored in rec_track.tags, so 1-based), or NULL. */
const char *rec_index_tag_name(const rec_index *x, uint16_t tag);
/* Tags in the vocabulary (ids run 1..n). */
size_t rec_index_tag_count(const rec_index *x);

/* Visits the tracks whose tempo is within tol (relative) of tempo, of half or of double it,
 * and whose key is compatible with key (compat.h), nearest tempo first, until at least cap
 * have been visited or fn returns non-zero. An unknown tempo (<= 0) or key widens the
 * scan to every tempo or key. Returns the number visited. */
size_t rec_index_scan(const rec_index *x, double tempo, int key, double tol, size_t cap,
                      rec_scan_fn fn, void *ud);

/* Sets the feedback statistics of track id as a pick (no-op when absent). */
void rec_index_set_pick(rec_index *x, int64_t id, float sum, uint32_t n);

/* Renumbers the slots so that each cell's tracks lie next to each other in memory (a scan
 * then reads records in order, not at random). Slots change, so anything keyed by slot
 * (the search postings) must be rebuilt. 0, or -1 when out of memory (x unchanged). */
int rec_index_compact(rec_index *x);

/* Memory held, by part. */
void rec_index_memory(const rec_index *x, rec_index_mem *m);

#endif
