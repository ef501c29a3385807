/* map.h -- open-addressing hash maps for the recommender's in-memory state.
 *
 * rec_idmap maps a track id (int64) to a 32-bit slot; rec_map maps a key of three 64-bit
 * words (for example user, from-track, to-track) to a 32-bit value, usually an index into
 * an array the caller owns. Both use linear probing with backward-shift deletion and grow
 * (doubling) at 3/4 load. Neither is thread-safe: the caller holds its own lock. */
#ifndef REC_MAP_H
#define REC_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct rec_idmap rec_idmap;
typedef struct rec_map rec_map;

typedef struct rec_key {
    uint64_t a, b, c;
} rec_key;

/* A new id map with room for about hint entries. NULL when out of memory. */
rec_idmap *rec_idmap_new(size_t hint);
/* Frees m. Accepts NULL. */
void rec_idmap_del(rec_idmap *m);
/* 1 and the value in *v when id is present, else 0. */
int rec_idmap_get(const rec_idmap *m, int64_t id, uint32_t *v);
/* Sets id to v. 0, or -1 when out of memory (m unchanged). id must not be INT64_MIN. */
int rec_idmap_put(rec_idmap *m, int64_t id, uint32_t v);
/* Removes id; 1 when it was present. */
int rec_idmap_remove(rec_idmap *m, int64_t id);
/* Entries, and bytes of memory held. */
size_t rec_idmap_count(const rec_idmap *m);
size_t rec_idmap_bytes(const rec_idmap *m);

/* A new map with room for about hint entries. NULL when out of memory. */
rec_map *rec_map_new(size_t hint);
/* Frees m. Accepts NULL. */
void rec_map_del(rec_map *m);
/* 1 and the value in *v when k is present, else 0. */
int rec_map_get(const rec_map *m, rec_key k, uint32_t *v);
/* Sets k to v. 0, or -1 when out of memory (m unchanged). */
int rec_map_put(rec_map *m, rec_key k, uint32_t v);
/* Removes k; 1 when it was present. */
int rec_map_remove(rec_map *m, rec_key k);
/* Entries, and bytes of memory held. */
size_t rec_map_count(const rec_map *m);
size_t rec_map_bytes(const rec_map *m);

/* The 64-bit mixing function both maps hash with (splitmix64's finaliser). */
static inline uint64_t rec_mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

#endif
