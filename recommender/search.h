/* search.h -- typo-tolerant search of artist, title and album by trigrams.
 *
 * Text is folded to lower case, with ASCII punctuation as spaces; each word gives the
 * trigrams of "  word " (as PostgreSQL's pg_trgm does). A hashed trigram table holds
 * posting lists of index slots. A query's trigrams count hits per slot; the best-counted
 * slots are then verified against their current text, and scored by the share of the
 * query's trigrams the text holds (so "dafy punk" finds "Daft Punk": 8 of 10 trigrams).
 *
 * Postings are only added: when a track's text changes its new trigrams are added and the
 * old postings become stale, which verification ignores. Not thread-safe (the store
 * locks). */
#ifndef REC_SEARCH_H
#define REC_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "recommender/index.h"

#define REC_SEARCH_MAX_QUERY 200 /* bytes */

typedef struct rec_search rec_search;

typedef struct rec_hit {
    uint32_t slot;
    double score; /* 0..1: share of the query's trigrams found */
} rec_hit;

/* A new, empty search index. NULL when out of memory. */
rec_search *rec_search_new(void);
/* Frees s. Accepts NULL. */
void rec_search_del(rec_search *s);
/* Adds the postings of track t (in slot) of index x. 0, or -1 when out of memory. */
int rec_search_add(rec_search *s, const rec_index *x, uint32_t slot);
/* Finds up to max hits for query (any bytes) in x, best first, with score >= min_score.
 * Returns how many, or -1 when out of memory. */
int rec_search_find(const rec_search *s, const rec_index *x, const char *query, double min_score,
                    rec_hit *hits, int max);
/* Bytes of memory held. */
size_t rec_search_bytes(const rec_search *s);

#endif
