/* link.h -- matching Spotify tracks (and exported listening events) to local tracks.
 *
 * A Spotify track is linked to a present local track with the same ISRC; failing that, to
 * the local track whose normalised artist and title (text.h) are the same and whose
 * duration is within 3 s (the closest when several are): match_method 'isrc' or
 * 'artist_title_duration'. A track known only from an export has no duration: it is
 * linked by artist and title when exactly one local track has them ('artist_title'). Listening
 * events follow their Spotify track's link; events of the basic history (artist and title only) are
 * linked when exactly one local track has that artist and title. Linked tracks lacking features get
 * analysis jobs (jobs.h). Existing links are kept unless relink is asked. */
#ifndef IG_LINK_H
#define IG_LINK_H

#include <libpq-fe.h>
#include <stdio.h>

#include "ingest/jobs.h"

#define IG_LINK_MAX_DURATION_DIFF_S 3.0

typedef struct ig_link_stats {
    unsigned long by_isrc, by_name, unmatched, events_linked, jobs;
} ig_link_stats;

/* Links what is not linked yet (everything with relink). j may have no submitter (jobs
 * then only counted). Returns 0 or -1 (err set). */
int ig_link_run(PGconn *c, const ig_jobs *j, int relink, ig_link_stats *st, char *err,
                size_t errlen);

/* Writes the report: one JSON line per Spotify track (matched or not, how, to which local
 * track; only unmatched ones with unmatched_only), then a summary line. Returns 0 or -1. */
int ig_link_report(PGconn *c, FILE *out, int unmatched_only, char *err, size_t errlen);

#endif
