/* scan.c -- walk, compare, probe, batch, mark missing, submit (see scan.h). */
#include "ingest/scan.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "common/jsonout.h"
#include "common/log.h"
#include "ingest/catalog.h"
#include "ingest/ilog.h"
#include "ingest/pathidx.h"
#include "ingest/probe.h"
#include "ingest/text.h"
#include "ingest/tree.h"

#define MISSING_BATCH 1000

typedef struct scan {
    PGconn *pg;
    const ig_scan_opts *o;
    ig_scan_stats *st;
    ig_pathidx *idx;     /* catalogued paths under the root */
    ig_pathidx *skipped; /* paths the walk could not read (a set) */
    ig_pathidx *planned; /* dry run: contents planned as new (a set of hashes) */
    ig_filerec *recs;    /* the pending batch */
    ig_tags *tags;       /* recs[i].tags points at tags[i] */
    size_t n;
    char *err;
    size_t errlen;
} scan;

static int64_t st_mtime_ns(const struct stat *st) {
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* Frees the pending batch's copies. */
static void batch_clear(scan *s) {
    for (size_t i = 0; i < s->n; i++) {
        free((char *)s->recs[i].path);
        ig_tags_free(&s->tags[i]);
    }
    s->n = 0;
}

/* One dry-run line: {"action": ..., "path": ...}. */
static void plan_line(scan *s, const char *action, const char *path, const char *note) {
    if (!s->o->plan) return;
    json_t *o = json_object();
    if (!o) return;
    json_object_set_new(o, "action", json_string(action));
    mq_json_set_path(o, path);
    if (note) json_object_set_new(o, "note", json_string(note));
    mq_json_write_line(o, s->o->plan);
    json_decref(o);
}

/* Dry run: says what writing the batch would do. */
static int plan_batch(scan *s) {
    mq_hash128 *h = malloc((s->n ? s->n : 1) * sizeof *h);
    unsigned char *known = malloc(s->n ? s->n : 1);
    if (!h || !known) {
        free(h), free(known);
        snprintf(s->err, s->errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < s->n; i++) h[i] = s->recs[i].hash;
    int rc = ig_cat_known_hashes(s->pg, h, s->n, known, s->err, s->errlen);
    for (size_t i = 0; rc == 0 && i < s->n; i++) {
        const ig_filerec *f = &s->recs[i];
        int planned = ig_pathidx_get(s->planned, (const char *)f->hash.b, MQ_HASH_LEN) != NULL;
        int fresh = !known[i] && !planned;
        if (fresh) {
            if (!ig_pathidx_add(s->planned, (const char *)f->hash.b, MQ_HASH_LEN)) {
                snprintf(s->err, s->errlen, "out of memory");
                rc = -1;
                break;
            }
            s->st->new_tracks++;
            s->st->jobs++; /* a new track lacks features */
        }
        if (f->old_track_id)
            s->st->changed++;
        else
            s->st->new_paths++;
        plan_line(s, f->old_track_id ? "update_path" : "add_path", f->path,
                  fresh ? "new track" : "content already catalogued");
    }
    free(h), free(known);
    return rc;
}

/* Writes the pending batch (or, in a dry run, reports it). Returns 0 or -1. */
static int batch_flush(scan *s) {
    if (s->n == 0) return 0;
    int rc;
    if (s->o->dry_run) {
        rc = plan_batch(s);
    } else {
        rc = ig_cat_write(s->pg, s->recs, s->n, s->err, s->errlen);
        for (size_t i = 0; rc == 0 && i < s->n; i++) {
            const ig_filerec *f = &s->recs[i];
            int first = 1; /* count a new content once, not once per path */
            for (size_t k = 0; k < i && first; k++)
                first = memcmp(s->recs[k].hash.b, f->hash.b, MQ_HASH_LEN) != 0;
            if (f->new_track && first) s->st->new_tracks++;
            if (f->old_track_id)
                s->st->changed++;
            else
                s->st->new_paths++;
            ig_log_path(MQ_LOG_DEBUG, f->old_track_id ? "path updated" : "path added", f->path,
                        "format", f->format, f->new_track && first ? "new_track" : NULL, "true");
        }
    }
    batch_clear(s);
    return rc;
}

/* Probes a new or changed file and queues it for the batch. known is its catalogue
 * entry (NULL for a new path). Returns 0 (queued or skipped), 1 when still being written,
 * 2 when it is not audio, or -1 on a fatal error. */
static int take_file(scan *s, const char *path, size_t len, ig_ext_class ext,
                     const ig_pathent *known) {
    ig_probe p;
    char why[256];
    ig_probe_status ps = ig_probe_file(path, ext, !s->o->dry_run, &p, why, sizeof why);
    s->st->probed++;
    switch (ps) {
    case IG_PROBE_OK: break;
    case IG_PROBE_NOT_AUDIO:
        s->st->not_audio++;
        /* Only worth a line when the name promised audio. */
        ig_log_path(ext == IG_EXT_AUDIO ? MQ_LOG_INFO : MQ_LOG_DEBUG, "skipped: not audio", path,
                    "why", why, NULL, NULL);
        return 2;
    case IG_PROBE_UNREADABLE:
        s->st->unreadable++;
        ig_log_path(MQ_LOG_WARN, "skipped: unreadable", path, "why", why, NULL, NULL);
        return 0;
    case IG_PROBE_CHANGED:
        s->st->busy++;
        ig_log_path(MQ_LOG_INFO, "skipped: still being written", path, NULL, NULL, NULL, NULL);
        if (s->o->busy) s->o->busy(path, s->o->busy_ud);
        return 1;
    case IG_PROBE_NO_MEMORY: snprintf(s->err, s->errlen, "out of memory"); return -1;
    }
    s->st->bytes += p.size;
    char *copy = malloc(len + 1);
    if (!copy) {
        ig_tags_free(&p.tags);
        snprintf(s->err, s->errlen, "out of memory");
        return -1;
    }
    memcpy(copy, path, len + 1);
    ig_filerec *f = &s->recs[s->n];
    memset(f, 0, sizeof *f);
    s->tags[s->n] = p.tags;
    f->path = copy;
    f->len = len;
    f->hash = p.hash;
    f->size = (int64_t)p.size;
    f->mtime_ns = p.mtime_ns;
    f->format = p.format;
    f->tags = &s->tags[s->n];
    f->old_track_id = known ? known->track_id : 0;
    s->n++;
    return s->n >= s->o->batch ? (batch_flush(s) == 0 ? 0 : -1) : 0;
}

/* The walk's file callback. */
static int on_file(const char *path, size_t len, const char *name, const struct stat *st,
                   void *ud) {
    scan *s = ud;
    if (s->o->stop && *s->o->stop) {
        snprintf(s->err, s->errlen, "interrupted");
        return -3;
    }
    s->st->files++;
    ig_pathent *e = ig_pathidx_get(s->idx, path, len);
    if (e) {
        e->seen = 1;
        if (e->size == (int64_t)st->st_size && e->mtime_ns == st_mtime_ns(st)) {
            s->st->unchanged++;
            if (e->missing) e->seen = 2; /* found again: revive */
            return 0;
        }
    }
    ig_ext_class ext = ig_sniff_ext(name);
    if (ext == IG_EXT_OTHER && !e) {
        s->st->ignored++;
        return 0;
    }
    if (s->o->settle_s > 0) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        int64_t age = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec - st_mtime_ns(st);
        if (age < (int64_t)(s->o->settle_s * 1e9)) {
            s->st->busy++;
            ig_log_path(MQ_LOG_INFO, "skipped: modified just now (still being written?)", path,
                        NULL, NULL, NULL, NULL);
            if (s->o->busy) s->o->busy(path, s->o->busy_ud);
            return 0;
        }
    }
    int rc = take_file(s, path, len, ext == IG_EXT_OTHER ? IG_EXT_UNKNOWN : ext, e);
    if (rc == 2 && e) e->seen = 0; /* no longer audio: the catalogued file is gone */
    return rc < 0 ? -3 : 0;
}

static void on_skip(const char *path, const char *why, int loop, void *ud) {
    scan *s = ud;
    if (loop) {
        ig_log_path(MQ_LOG_INFO, "not entered: directory already walked", path, "why", why, NULL,
                    NULL);
        return;
    }
    s->st->unreadable++;
    ig_log_path(MQ_LOG_WARN, "skipped: unreadable", path, "why", why, NULL, NULL);
    /* A dangling link is a file that is gone; anything else may still be there. */
    if (strcmp(why, "dangling symbolic link") != 0) ig_pathidx_add(s->skipped, path, strlen(path));
}

/* True when path or one of its parent directories could not be read by the walk. */
static int under_skipped(const scan *s, const char *path, size_t len) {
    if (ig_pathidx_count(s->skipped) == 0) return 0;
    for (size_t k = len; k > 0; k--)
        if ((k == len || path[k] == '/') && ig_pathidx_get(s->skipped, path, k)) return 1;
    return 0;
}

/* Marks unseen paths missing and seen-again ones present, in batches. */
static int settle_missing(scan *s) {
    const char *paths[MISSING_BATCH];
    size_t lens[MISSING_BATCH];
    for (int pass = 0; pass < 2; pass++) {
        int missing = pass == 0;
        size_t k = 0, total = ig_pathidx_count(s->idx);
        for (size_t i = 0; i <= total; i++) {
            ig_pathent *e = i < total ? ig_pathidx_at(s->idx, i) : NULL;
            if (e) {
                int want = missing ? !e->seen && !e->missing && !under_skipped(s, e->path, e->len)
                                   : e->seen == 2;
                if (!want) continue;
                paths[k] = e->path, lens[k] = e->len, k++;
                if (missing)
                    s->st->missing++;
                else
                    s->st->revived++;
                if (s->o->dry_run)
                    plan_line(s, missing ? "mark_missing" : "revive", e->path, NULL);
                else
                    ig_log_path(MQ_LOG_DEBUG, missing ? "path missing" : "path found again",
                                e->path, NULL, NULL, NULL, NULL);
            }
            if (k && (k == MISSING_BATCH || !e)) {
                if (!s->o->dry_run &&
                    ig_cat_set_missing(s->pg, paths, lens, k, missing, s->err, s->errlen) != 0)
                    return -1;
                k = 0;
            }
        }
    }
    return 0;
}

int ig_scan_root(PGconn *pg, const ig_jobs *j, const char *root, const ig_scan_opts *o,
                 ig_scan_stats *st, char *err, size_t errlen) {
    scan s = {pg,
              o,
              st,
              ig_pathidx_new(),
              ig_pathidx_new(),
              ig_pathidx_new(),
              calloc(o->batch, sizeof(ig_filerec)),
              calloc(o->batch, sizeof(ig_tags)),
              0,
              err,
              errlen};
    int rc = -1;
    if (!s.idx || !s.skipped || !s.planned || !s.recs || !s.tags) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    ig_scope scope = {root, strlen(root)};
    if (ig_cat_load_index(pg, scope, s.idx, err, errlen) != 0) goto out;
    ig_tree_cb cb = {on_file, NULL, on_skip, &s};
    int w = ig_tree_walk(root, &cb);
    if (w == -1) {
        snprintf(err, errlen, "cannot read %s (nothing changed under it)", root);
        goto out;
    }
    if (w == -2) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (w != 0) goto out; /* err set by the callback */
    if (batch_flush(&s) != 0) goto out;
    if (settle_missing(&s) != 0) goto out;
    size_t count = 0;
    if (ig_jobs_for_scope(j, scope, &count, err, errlen) != 0) goto out;
    st->jobs += count;
    rc = 0;
out:
    batch_clear(&s);
    ig_pathidx_del(s.idx);
    ig_pathidx_del(s.skipped);
    ig_pathidx_del(s.planned);
    free(s.recs);
    free(s.tags);
    return rc;
}

int ig_scan_file(PGconn *pg, const char *path, const ig_scan_opts *o, ig_scan_stats *st,
                 int64_t *track_id, char *err, size_t errlen) {
    *track_id = 0;
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) return 0; /* gone or not a file */
    ig_pathent known;
    size_t len = strlen(path);
    int found = ig_cat_lookup(pg, path, len, &known, err, errlen);
    if (found < 0) return -1;
    st->files++;
    if (found && known.size == (int64_t)sb.st_size && known.mtime_ns == st_mtime_ns(&sb)) {
        st->unchanged++;
        if (known.missing) {
            const char *pp[1] = {path};
            size_t ll[1] = {len};
            if (ig_cat_set_missing(pg, pp, ll, 1, 0, err, errlen) != 0) return -1;
            st->revived++;
            *track_id = known.track_id;
        }
        return 0;
    }
    const char *name = strrchr(path, '/');
    ig_ext_class ext = ig_sniff_ext(name ? name + 1 : path);
    if (ext == IG_EXT_OTHER) {
        st->ignored++;
        return 0;
    }
    ig_filerec rec;
    ig_tags tags;
    ig_scan_opts one = *o;
    one.batch = 2; /* take_file queues the record; it is written below, not flushed there */
    scan s = {pg, &one, st, NULL, NULL, NULL, &rec, &tags, 0, err, errlen};
    int rc = take_file(&s, path, len, ext, found ? &known : NULL);
    if (rc == 2) {
        rc = 0;
        if (found && !known.missing) { /* the catalogued audio was replaced by something else */
            const char *pp[1] = {path};
            size_t ll[1] = {len};
            if (ig_cat_set_missing(pg, pp, ll, 1, 1, err, errlen) != 0) return -1;
            st->missing++;
        }
    }
    if (rc == 0 && s.n == 1) {
        rc = ig_cat_write(pg, &rec, 1, err, errlen);
        if (rc == 0) {
            *track_id = rec.track_id;
            if (rec.new_track) st->new_tracks++;
            if (rec.old_track_id)
                st->changed++;
            else
                st->new_paths++;
        }
        batch_clear(&s);
    }
    return rc;
}

char *ig_scan_abs_root(const char *root, char *err, size_t errlen) {
    char *r = realpath(root, NULL);
    if (!r) snprintf(err, errlen, "%s: %s", root, strerror(errno));
    return r;
}

void ig_scan_stats_print(FILE *f, const char *what, const ig_scan_stats *st, int submitted,
                         double seconds) {
    json_t *o =
        json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
                  " s:I, s:o}",
                  "summary", what, "files", (json_int_t)st->files, "unchanged",
                  (json_int_t)st->unchanged, "probed", (json_int_t)st->probed, "new_tracks",
                  (json_int_t)st->new_tracks, "new_paths", (json_int_t)st->new_paths, "changed",
                  (json_int_t)st->changed, "not_audio", (json_int_t)st->not_audio, "ignored",
                  (json_int_t)st->ignored, "unreadable", (json_int_t)st->unreadable, "busy",
                  (json_int_t)st->busy, "missing", (json_int_t)st->missing, "revived",
                  (json_int_t)st->revived, submitted ? "jobs" : "jobs_needed", (json_int_t)st->jobs,
                  "bytes_hashed", (json_int_t)st->bytes, "seconds", mq_json_round(seconds, 3));
    if (!o) return;
    mq_json_write_line(o, f);
    json_decref(o);
}
