/* rows.h -- results as rows: the features JSON of a worker mapped to track_features'
 * typed columns (and its tags to track_tags), in PostgreSQL's COPY text format.
 *
 * A batch is written straight into track_features and track_tags with COPY, after one
 * query (mq_rows_check_sql) has told which rows are new: rows whose (track_id,
 * analyzer_version) is already stored, or repeated in the batch, are left out, which
 * makes writes idempotent (like INSERT ... ON CONFLICT DO NOTHING, at COPY speed); rows
 * whose track is not in `tracks` are recorded as failures instead (see sink.c). The
 * mapping of JSON fields to columns is one table in rows.c; docs/protocol.md ("What the
 * broker stores") describes it. */
#ifndef MQ_BROKER_ROWS_H
#define MQ_BROKER_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "broker/buf.h"

#define MQ_ROWS_VERSION_MAX 257

/* The job a result belongs to. */
typedef struct mq_rows_job {
    int64_t track_id;
    const char *version; /* asked for; used when the JSON has no analyzer_version */
} mq_rows_job;

/* Appends the COPY statement that loads track_features. */
void mq_rows_copy_sql(mq_buf *out);

/* Appends the COPY statement that loads track_tags. */
void mq_rows_copy_tags_sql(mq_buf *out);

/* The query that classifies a batch: parameters $1 bigint[] track ids and $2 text[]
 * versions, in batch order; one row per entry, in order, with two booleans: the track
 * is known (in `tracks`), and the row must be skipped (already stored, or an earlier
 * entry of the batch has the same key). */
const char *mq_rows_check_sql(void);

/* Appends the COPY line of one result to rows (and its tag lines to tags); the version
 * the row is stored under is written to version (MQ_ROWS_VERSION_MAX bytes). json/len is
 * the worker's features JSON; seconds its wall time. Returns 0, or -1 with a reason in
 * why when json is not a JSON object (nothing is appended then). */
int mq_rows_add(mq_buf *rows, mq_buf *tags, const mq_rows_job *job, const char *json, size_t len,
                double seconds, char *version, char *why, size_t whylen);

/* Appends s to b as an element of a PostgreSQL array literal ("..." with \ and "
 * escaped). */
void mq_rows_array_text(mq_buf *b, const char *s);

/* Writes to out a copy of s (at most max bytes, cut at a character boundary) with
 * every byte that is not part of valid UTF-8, and every control character but tab and
 * newline, replaced by '?', and a terminator; out must hold min(strlen(s), max) + 1
 * bytes. Returns the length written. */
size_t mq_rows_clean_into(char *out, const char *s, size_t max);

/* The same, in a new string (the caller frees it); NULL when out of memory. */
char *mq_rows_clean_text(const char *s, size_t max);

#endif
