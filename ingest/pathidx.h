/* pathidx.h -- an in-memory index of catalogued paths, for fast rescans.
 *
 * Holds, for every track_paths row under the roots being scanned, the size and time last
 * seen and the track it belongs to, keyed by the path's exact bytes. A rescan looks each
 * file up here instead of asking PostgreSQL, and afterwards the entries never marked
 * seen are the files that vanished. Paths live in a few large blocks, not one allocation
 * each. */
#ifndef IG_PATHIDX_H
#define IG_PATHIDX_H

#include <stddef.h>
#include <stdint.h>

typedef struct ig_pathent {
    const char *path; /* NUL-terminated; owned by the index */
    size_t len;
    int64_t size;
    int64_t mtime_ns;
    int64_t track_id;
    unsigned char missing; /* marked missing in the catalogue */
    unsigned char seen;    /* found by the current walk */
} ig_pathent;

typedef struct ig_pathidx ig_pathidx;

/* A new, empty index. NULL when out of memory. */
ig_pathidx *ig_pathidx_new(void);

/* The entry for the len bytes at path, added (zeroed but for the path) if absent.
 * NULL when out of memory. Entry pointers stay valid until the next add. */
ig_pathent *ig_pathidx_add(ig_pathidx *x, const char *path, size_t len);

/* The entry for path, or NULL. */
ig_pathent *ig_pathidx_get(const ig_pathidx *x, const char *path, size_t len);

/* Number of entries; entry i (0 <= i < count) in insertion order. */
size_t ig_pathidx_count(const ig_pathidx *x);
ig_pathent *ig_pathidx_at(ig_pathidx *x, size_t i);

/* Frees the index. Accepts NULL. */
void ig_pathidx_del(ig_pathidx *x);

#endif
