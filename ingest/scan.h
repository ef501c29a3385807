/* scan.h -- bringing the catalogue in line with a directory tree.
 *
 * For each root: load the catalogued paths under it (pathidx.h), walk the tree (tree.h),
 * skip files whose size and modification time are unchanged, probe the others (probe.h),
 * write them in batches (catalog.h), mark the catalogued paths that were not found as
 * missing, and submit the jobs the tracks under the root need (jobs.h). Paths under a
 * directory that could not be read, and files that could not be read, are left as they
 * were rather than marked missing. A root that cannot be read at all is an error and
 * changes nothing. With dry_run nothing is written or submitted: each planned change is
 * printed as a JSON line instead. */
#ifndef IG_SCAN_H
#define IG_SCAN_H

#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>

#include "ingest/jobs.h"

typedef struct ig_scan_opts {
    int dry_run;     /* report, change nothing */
    size_t batch;    /* files per catalogue transaction */
    FILE *plan;      /* where dry-run lines go (stdout) */
    double settle_s; /* new or changed files modified less than this long ago are left
                        for the next scan (still being written); 0: none */
    /* Called with each file left for later (NULL: none), e.g. by watch to follow it. */
    void (*busy)(const char *path, void *ud);
    void *busy_ud;
    volatile int *stop; /* when set (by a signal), the scan stops early (NULL: never) */
} ig_scan_opts;

typedef struct ig_scan_stats {
    uint64_t files;      /* regular files found (any type) */
    uint64_t unchanged;  /* audio files skipped: same size and time as catalogued */
    uint64_t probed;     /* files read and hashed */
    uint64_t new_tracks; /* contents new to the catalogue */
    uint64_t new_paths;  /* paths new to the catalogue (of new or known contents) */
    uint64_t changed;    /* catalogued paths whose content changed */
    uint64_t not_audio;  /* read, but not audio */
    uint64_t ignored;    /* skipped by extension without reading */
    uint64_t unreadable; /* entries that could not be read (logged) */
    uint64_t busy;       /* files still being written (changed while read) */
    uint64_t missing;    /* paths newly marked missing */
    uint64_t revived;    /* missing paths found again */
    uint64_t jobs;       /* jobs submitted (or, in a dry run, needed) */
    uint64_t bytes;      /* bytes hashed */
} ig_scan_stats;

/* Scans the tree at root (an absolute path without a trailing slash, or "/"), updating
 * the catalogue and submitting jobs through j (j->sub NULL: none submitted). Adds to *st.
 * Returns 0, or -1 with a message in err (root unreadable, database or broker failure). */
int ig_scan_root(PGconn *pg, const ig_jobs *j, const char *root, const ig_scan_opts *o,
                 ig_scan_stats *st, char *err, size_t errlen);

/* Brings one file (a watch event) into the catalogue: looks it up, probes it when it is
 * new or changed, writes it. Sets *track_id to its track (0 when it is not audio, could
 * not be read, or was unchanged and known). Returns 0, 1 when the file is still being
 * written (try again later), or -1 with err set (database failure). */
int ig_scan_file(PGconn *pg, const char *path, const ig_scan_opts *o, ig_scan_stats *st,
                 int64_t *track_id, char *err, size_t errlen);

/* Makes root absolute and canonical (symbolic links in it resolved, no trailing slash).
 * malloc'd; NULL with err set when it does not exist. */
char *ig_scan_abs_root(const char *root, char *err, size_t errlen);

/* Writes st as one JSON object line to f, with the elapsed seconds and a name ("scan").
 * The job count is named "jobs" when they were submitted, else "jobs_needed". */
void ig_scan_stats_print(FILE *f, const char *what, const ig_scan_stats *st, int submitted,
                         double seconds);

#endif
