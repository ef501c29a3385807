/* jobs.h -- which tracks need analysis, and submitting them.
 *
 * A track needs a job when it is present (not missing) and has neither features of the
 * wanted analyser version, nor a job ingest already submitted for that version, nor a
 * recorded failure for it; with `reanalyze`, every present track does. Candidates are
 * read from PostgreSQL in pages (bounded memory whatever the catalogue's size), submitted
 * to the broker, and recorded in ingest_submissions once the broker acknowledged them. */
#ifndef IG_JOBS_H
#define IG_JOBS_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest/catalog.h"
#include "ingest/submit.h"

typedef struct ig_jobs {
    PGconn *pg;
    ig_submitter *sub;   /* NULL: only count (dry run, --no-submit) */
    const char *version; /* analyser version (MQ_ANALYZER_VERSION) */
    int reanalyze;       /* every present track, features or not */
    int interactive;     /* priority of the jobs */
} ig_jobs;

/* Submits the jobs needed by tracks with a live path under scope. The number submitted
 * (or, without a submitter, needed) goes to *count. Returns 0 or -1 (err set). */
int ig_jobs_for_scope(const ig_jobs *j, ig_scope scope, size_t *count, char *err, size_t errlen);

/* The same for the n tracks ids. */
int ig_jobs_for_tracks(const ig_jobs *j, const int64_t *ids, size_t n, size_t *count, char *err,
                       size_t errlen);

#endif
