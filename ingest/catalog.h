/* catalog.h -- the local catalogue in PostgreSQL: tracks (one per distinct content) and
 * track_paths (every path a content is found at), as scan and watch maintain them.
 *
 * Writes are batched: one statement per table per batch, inside one transaction, with
 * the batch's columns sent as array parameters (sqlarr.h). Paths are bytea, byte-exact;
 * a path's file:// URI (common/fetch.h) goes to tracks.uri. Nothing is ever deleted:
 * vanished paths are marked missing, and a track is missing when all its paths are. */
#ifndef IG_CATALOG_H
#define IG_CATALOG_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "common/hash.h"
#include "ingest/pathidx.h"
#include "ingest/tags.h"

/* One file to record: a new path, or a known path whose size or time changed. */
typedef struct ig_filerec {
    const char *path; /* absolute, its exact bytes, NUL-terminated */
    size_t len;
    mq_hash128 hash;
    int64_t size;
    int64_t mtime_ns;
    const char *format;   /* as sniffed */
    const ig_tags *tags;  /* may be NULL */
    int64_t old_track_id; /* the track the path belonged to before (0: a new path) */
    /* Set by ig_cat_write: */
    int64_t track_id;
    int new_track; /* the content was not in the catalogue before */
} ig_filerec;

/* The range of paths a root covers: the root itself and everything below it. */
typedef struct ig_scope {
    const char *root; /* absolute, without a trailing slash (except "/") */
    size_t len;
} ig_scope;

/* Loads every track_paths row under scope into idx. Returns 0 or -1 (err set). */
int ig_cat_load_index(PGconn *c, ig_scope scope, ig_pathidx *idx, char *err, size_t errlen);

/* Looks one path up. Returns 1 and fills *e (path not set) when found, 0 when not, -1 on
 * error. */
int ig_cat_lookup(PGconn *c, const char *path, size_t len, ig_pathent *e, char *err, size_t errlen);

/* Records n files in one transaction: upserts their tracks (by content hash) and paths,
 * and updates the tracks that lost a path. Sets each record's track_id and new_track.
 * Returns 0 or -1 (err set; nothing written). */
int ig_cat_write(PGconn *c, ig_filerec *recs, size_t n, char *err, size_t errlen);

/* Marks n paths missing (or present again, with missing = 0) and updates their tracks.
 * Returns 0 or -1. */
int ig_cat_set_missing(PGconn *c, const char *const *paths, const size_t *lens, size_t n,
                       int missing, char *err, size_t errlen);

/* Marks every path at or below dir missing (a deleted or moved-away directory).
 * The number of paths marked goes to *count. Returns 0 or -1. */
int ig_cat_missing_under(PGconn *c, ig_scope dir, long *count, char *err, size_t errlen);

/* Renames path from to path to (a file, or with is_dir every path below a directory),
 * keeping track ids: a rename is not new content. The number of paths renamed goes to
 * *count. Returns 0 or -1. */
int ig_cat_rename(PGconn *c, const char *from, size_t from_len, const char *to, size_t to_len,
                  int is_dir, long *count, char *err, size_t errlen);

/* Sets found[i] for each of n hashes already in the catalogue (for --dry-run).
 * Returns 0 or -1. */
int ig_cat_known_hashes(PGconn *c, const mq_hash128 *hashes, size_t n, unsigned char *found,
                        char *err, size_t errlen);

#endif
