/* watch.c -- the inotify loop (see watch.h). */
#include "ingest/watch.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis/analyzer.h"
#include "common/log.h"
#include "ingest/buf.h"
#include "ingest/catalog.h"
#include "ingest/ilog.h"
#include "ingest/jobs.h"
#include "ingest/pending.h"
#include "ingest/scan.h"
#include "ingest/tree.h"
#include "ingest/wdmap.h"

#define MASK                                                                                       \
    (IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_MOVED_FROM | IN_MOVED_TO |            \
     IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define MOVE_PAIR_S 0.5 /* a MOVED_FROM without its MOVED_TO by then moved out of the trees */

/* A MOVED_FROM waiting for its MOVED_TO. */
typedef struct move {
    uint32_t cookie;
    char *path;
    int is_dir;
    double at;
} move;

typedef struct watcher {
    int fd;
    ig_wdmap *wds;
    ig_pending *pend;
    char **roots;
    int nroots;
    int *root_wd; /* -1 while a root is not watched (deleted, not yet created) */
    PGconn **pg;
    const char *dsn;
    ig_submitter *sub;
    const ig_watch_opts *o;
    move *mv;
    size_t nmv, capmv;
    int64_t *jobq; /* tracks waiting for their job to be submitted */
    size_t njob, capjob;
    int rescan;      /* the trees must be rescanned */
    double retry_at; /* after a failure: no database or broker work before this */
    int enospc_said;
    volatile int *stop; /* set by SIGINT/SIGTERM */
    ig_watch_metrics m;
} watcher;

static double mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A database or broker operation failed: log it, rescan once things work again. */
static void failed(watcher *w, const char *what, const char *err) {
    mq_log(MQ_LOG_ERROR, what, "error", err, "next", "rescan when it works again", NULL);
    mq_metric_add(w->m.errors, 1);
    w->rescan = 1;
    w->retry_at = mono() + w->o->retry_s;
}

/* ---- watches -------------------------------------------------------------------------- */

/* Watches the directory at path. Returns 0 to enter it, 1 to skip it (not watchable, or
 * already watched under another path). */
static int add_watch(watcher *w, const char *path) {
    int wd = inotify_add_watch(w->fd, path, MASK);
    if (wd < 0) {
        if (errno == ENOSPC) {
            if (!w->enospc_said)
                mq_log(MQ_LOG_ERROR, "inotify watch limit reached: some folders are not watched",
                       "path", path, "hint", "raise fs.inotify.max_user_watches", NULL);
            w->enospc_said = 1;
        } else {
            ig_log_path(MQ_LOG_WARN, "cannot watch folder", path, "why", strerror(errno), NULL,
                        NULL);
        }
        return 1;
    }
    const char *known = ig_wdmap_get(w->wds, wd);
    if (known && strcmp(known, path) != 0) {
        struct stat a, b;
        if (stat(known, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
            a.st_dev == b.st_dev)
            return 1; /* the same directory reached through a link: watched already */
    }
    if (ig_wdmap_set(w->wds, wd, path) != 0) {
        mq_log(MQ_LOG_ERROR, "out of memory adding a watch", NULL);
        return 1;
    }
    mq_metric_set(w->m.watches, (double)ig_wdmap_count(w->wds));
    return 0;
}

typedef struct tree_ud {
    watcher *w;
    int schedule; /* files found go to pending */
    double now;
} tree_ud;

static int tree_dir(const char *path, size_t len, const struct stat *st, void *ud) {
    (void)len, (void)st;
    return add_watch(((tree_ud *)ud)->w, path);
}

static int tree_file(const char *path, size_t len, const char *name, const struct stat *st,
                     void *ud) {
    (void)len, (void)name, (void)st;
    tree_ud *t = ud;
    if (t->schedule && !ig_pending_touch(t->w->pend, path, 0, t->now, t->w->o->settle_s))
        mq_log(MQ_LOG_ERROR, "out of memory queueing a file", NULL);
    return 0;
}

static void tree_skip(const char *path, const char *why, int loop, void *ud) {
    (void)ud;
    if (!loop) ig_log_path(MQ_LOG_WARN, "skipped: unreadable", path, "why", why, NULL, NULL);
}

/* Watches every directory of the tree at path; with schedule, queues its files too (a
 * directory that appeared: files may have been written into it before its watch). */
static void add_tree(watcher *w, const char *path, int schedule) {
    tree_ud t = {w, schedule, mono()};
    ig_tree_cb cb = {tree_file, tree_dir, tree_skip, &t};
    ig_tree_walk(path, &cb);
}

static int below(const char *path, const char *dir, size_t dl) {
    return !strncmp(path, dir, dl) && (path[dl] == '/' || path[dl] == 0);
}

/* Stops watching dir and everything below it (it left the trees). */
static void drop_watches(watcher *w, const char *dir) {
    size_t dl = strlen(dir), n = 0, cap = 0;
    int *wds = NULL;
    for (size_t i = 0; i < ig_wdmap_slots(w->wds); i++) {
        int wd;
        const char *p = ig_wdmap_at(w->wds, i, &wd);
        if (!p || !below(p, dir, dl)) continue;
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 64;
            int *nw = realloc(wds, nc * sizeof *nw);
            if (!nw) break; /* the rest stay watched; their events name paths we drop */
            wds = nw, cap = nc;
        }
        wds[n++] = wd;
    }
    for (size_t i = 0; i < n; i++) {
        inotify_rm_watch(w->fd, wds[i]);
        ig_wdmap_remove(w->wds, wds[i]);
    }
    free(wds);
    mq_metric_set(w->m.watches, (double)ig_wdmap_count(w->wds));
}

/* Re-paths the watches of a renamed directory and its descendants. */
static void rename_watches(watcher *w, const char *from, const char *to) {
    size_t fl = strlen(from);
    ig_buf b = {0};
    for (size_t i = 0; i < ig_wdmap_slots(w->wds); i++) {
        int wd;
        const char *p = ig_wdmap_at(w->wds, i, &wd);
        if (!p || !below(p, from, fl)) continue;
        ig_buf_reset(&b);
        ig_buf_puts(&b, to);
        ig_buf_puts(&b, p + fl);
        const char *np = ig_buf_cstr(&b);
        if (!np || ig_wdmap_set(w->wds, wd, np) != 0)
            mq_log(MQ_LOG_ERROR, "out of memory renaming a watch", NULL);
    }
    ig_buf_free(&b);
}

/* ---- catalogue changes ------------------------------------------------------------------ */

static void mark_missing(watcher *w, const char *path, int is_dir) {
    char err[512];
    long n = 0;
    int rc;
    if (is_dir) {
        ig_scope s = {path, strlen(path)};
        rc = ig_cat_missing_under(*w->pg, s, &n, err, sizeof err);
    } else {
        size_t len = strlen(path);
        const char *pp[1] = {path};
        rc = ig_cat_set_missing(*w->pg, pp, &len, 1, 1, err, sizeof err);
        n = 1;
    }
    if (rc != 0) {
        failed(w, "cannot mark paths missing", err);
        return;
    }
    mq_metric_add(w->m.missing, (double)n);
    ig_log_path(MQ_LOG_INFO, is_dir ? "folder gone: paths marked missing" : "file gone", path, NULL,
                NULL, NULL, NULL);
}

static void do_rename(watcher *w, const char *from, const char *to, int is_dir) {
    if (ig_pending_rename(w->pend, from, to, is_dir) != 0)
        mq_log(MQ_LOG_ERROR, "out of memory renaming pending files", NULL);
    if (is_dir) rename_watches(w, from, to);
    char err[512];
    long n = 0;
    if (ig_cat_rename(*w->pg, from, strlen(from), to, strlen(to), is_dir, &n, err, sizeof err) !=
        0) {
        failed(w, "cannot rename paths", err);
        return;
    }
    mq_metric_add(w->m.renames, 1);
    char count[24];
    snprintf(count, sizeof count, "%ld", n);
    ig_log_path(MQ_LOG_INFO, is_dir ? "folder renamed" : "file renamed", to, "paths", count, NULL,
                NULL);
    /* A file nobody catalogued (e.g. a finished download renamed from .part): a new file. */
    if (!is_dir && n == 0 && !ig_pending_touch(w->pend, to, 0, mono(), w->o->settle_s))
        mq_log(MQ_LOG_ERROR, "out of memory queueing a file", NULL);
}

/* ---- events ----------------------------------------------------------------------------- */

static int root_index(const watcher *w, int wd) {
    for (int i = 0; i < w->nroots; i++)
        if (w->root_wd[i] == wd) return i;
    return -1;
}

static void handle(watcher *w, const struct inotify_event *ev) {
    mq_metric_add(w->m.events, 1);
    double now = mono();
    if (ev->mask & IN_Q_OVERFLOW) {
        mq_log(MQ_LOG_WARN, "inotify queue overflowed: rescanning", NULL);
        mq_metric_add(w->m.overflows, 1);
        w->rescan = 1;
        return;
    }
    if (ev->mask & IN_IGNORED) {
        int r = root_index(w, ev->wd);
        if (r >= 0) w->root_wd[r] = -1;
        ig_wdmap_remove(w->wds, ev->wd);
        mq_metric_set(w->m.watches, (double)ig_wdmap_count(w->wds));
        return;
    }
    const char *dir = ig_wdmap_get(w->wds, ev->wd);
    if (!dir) return;
    if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
        int r = root_index(w, ev->wd);
        if (r >= 0) { /* a root itself went away; others are seen from their parent */
            mq_log(MQ_LOG_WARN, "watched folder removed or moved away", "dir", w->roots[r], NULL);
            mark_missing(w, w->roots[r], 1);
            ig_pending_drop(w->pend, w->roots[r], 1);
            drop_watches(w, w->roots[r]);
            w->root_wd[r] = -1;
        }
        return;
    }
    if (!ev->len) return;
    ig_buf full = {0};
    ig_buf_puts(&full, dir);
    if (strcmp(dir, "/") != 0) ig_buf_putc(&full, '/');
    ig_buf_puts(&full, ev->name);
    const char *path = ig_buf_cstr(&full);
    if (!path) {
        mq_log(MQ_LOG_ERROR, "out of memory handling an event", NULL);
        return;
    }
    int is_dir = (ev->mask & IN_ISDIR) != 0;
    const ig_watch_opts *o = w->o;
    if (ev->mask & IN_MOVED_FROM) {
        if (w->nmv == w->capmv) {
            size_t nc = w->capmv ? 2 * w->capmv : 16;
            move *nm = realloc(w->mv, nc * sizeof *nm);
            if (nm) w->mv = nm, w->capmv = nc;
        }
        char *copy = w->nmv < w->capmv ? strdup(path) : NULL;
        if (copy)
            w->mv[w->nmv++] = (move){ev->cookie, copy, is_dir, now};
        else
            w->rescan = 1; /* cannot follow this move: make sure by rescanning */
    } else if (ev->mask & IN_MOVED_TO) {
        size_t i = 0;
        while (i < w->nmv && w->mv[i].cookie != ev->cookie) i++;
        if (i < w->nmv) {
            do_rename(w, w->mv[i].path, path, is_dir);
            free(w->mv[i].path);
            w->mv[i] = w->mv[--w->nmv];
        } else if (is_dir) { /* moved in from outside the trees */
            add_tree(w, path, 1);
        } else if (!ig_pending_touch(w->pend, path, 0, now, o->settle_s)) {
            mq_log(MQ_LOG_ERROR, "out of memory queueing a file", NULL);
        }
    } else if (ev->mask & IN_CREATE) {
        if (is_dir)
            add_tree(w, path, 1);
        else if (!ig_pending_touch(w->pend, path, 1, now, o->open_timeout_s))
            mq_log(MQ_LOG_ERROR, "out of memory queueing a file", NULL);
    } else if (ev->mask & IN_DELETE) {
        ig_pending_drop(w->pend, path, is_dir);
        mark_missing(w, path, is_dir);
    } else if (!is_dir && (ev->mask & IN_CLOSE_WRITE)) {
        if (!ig_pending_touch(w->pend, path, 0, now, o->settle_s))
            mq_log(MQ_LOG_ERROR, "out of memory queueing a file", NULL);
    } else if (!is_dir && (ev->mask & (IN_MODIFY | IN_ATTRIB))) {
        ig_pending_ent *e =
            ig_pending_touch(w->pend, path, (ev->mask & IN_MODIFY) ? 1 : -1, now, o->settle_s);
        if (!e)
            mq_log(MQ_LOG_ERROR, "out of memory queueing a file", NULL);
        else if (e->writing)
            e->due = now + o->open_timeout_s;
    }
    ig_buf_free(&full);
    mq_metric_set(w->m.pending, (double)ig_pending_count(w->pend));
}

/* Moves whose other half never came left the trees. */
static void expire_moves(watcher *w, double now) {
    for (size_t i = 0; i < w->nmv;) {
        if (now - w->mv[i].at < MOVE_PAIR_S) {
            i++;
            continue;
        }
        move m = w->mv[i];
        w->mv[i] = w->mv[--w->nmv];
        ig_pending_drop(w->pend, m.path, m.is_dir);
        if (m.is_dir) drop_watches(w, m.path);
        mark_missing(w, m.path, m.is_dir);
        free(m.path);
    }
}

static void read_events(watcher *w) {
    /* Aligned for struct inotify_event, as inotify(7) shows. */
    char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(w->fd, buf, sizeof buf);
        if (n <= 0) return; /* EAGAIN: drained */
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            handle(w, ev);
            p += sizeof *ev + ev->len;
        }
    }
}

/* ---- files and jobs --------------------------------------------------------------------- */

static int queue_job(watcher *w, int64_t id) {
    if (w->njob == w->capjob) {
        size_t nc = w->capjob ? 2 * w->capjob : 64;
        int64_t *nj = realloc(w->jobq, nc * sizeof *nj);
        if (!nj) return -1;
        w->jobq = nj, w->capjob = nc;
    }
    w->jobq[w->njob++] = id;
    return 0;
}

static int ingest_due(ig_pending_ent *e, void *ud) {
    watcher *w = ud;
    if (*w->stop) return -1;
    ig_scan_opts so = {0, 1, NULL, 0, NULL, NULL, NULL};
    ig_scan_stats st;
    memset(&st, 0, sizeof st);
    int64_t track = 0;
    char err[512];
    int rc = ig_scan_file(*w->pg, e->path, &so, &st, &track, err, sizeof err);
    if (rc < 0) {
        failed(w, "cannot record a file", err);
        return -1;
    }
    if (rc == 1) { /* changed while read: wait for quiet again */
        e->attempts++;
        e->due = mono() + w->o->settle_s * (e->attempts < 5 ? e->attempts + 1 : 5);
        return 0;
    }
    if (st.new_paths || st.changed || st.revived) {
        mq_metric_add(w->m.files, 1);
        ig_log_path(MQ_LOG_INFO, st.new_tracks ? "new track" : "file recorded", e->path,
                    st.changed ? "change" : NULL, "content changed", NULL, NULL);
    }
    if (track && w->sub && queue_job(w, track) != 0)
        mq_log(MQ_LOG_ERROR, "out of memory queueing a job", NULL);
    return 1;
}

static void flush_jobs(watcher *w) {
    if (!w->njob || !w->sub) return;
    ig_jobs j = {*w->pg, w->sub, MQ_ANALYZER_VERSION, 0, 1};
    size_t count = 0;
    char err[512];
    if (ig_jobs_for_tracks(&j, w->jobq, w->njob, &count, err, sizeof err) != 0) {
        /* Keep the queue: submitting again is harmless (jobs.h skips submitted ones). */
        mq_log(MQ_LOG_ERROR, "cannot submit jobs; will retry", "error", err, NULL);
        mq_metric_add(w->m.errors, 1);
        w->retry_at = mono() + w->o->retry_s;
        return;
    }
    mq_metric_add(w->m.jobs, (double)count);
    if (count) mq_logf(MQ_LOG_INFO, "submitted %zu interactive jobs", count);
    w->njob = 0;
}

/* ---- rescans ---------------------------------------------------------------------------- */

static int db_ready(watcher *w) {
    if (PQstatus(*w->pg) == CONNECTION_OK) return 1;
    PQreset(*w->pg);
    if (PQstatus(*w->pg) == CONNECTION_OK) {
        mq_log(MQ_LOG_INFO, "reconnected to PostgreSQL", NULL);
        return 1;
    }
    return 0;
}

/* A file a rescan left because it is still being written: follow it. */
static void rescan_busy(const char *path, void *ud) {
    watcher *w = ud;
    if (!ig_pending_touch(w->pend, path, 1, mono(), w->o->settle_s))
        mq_log(MQ_LOG_ERROR, "out of memory queueing a file", NULL);
}

static void do_rescan(watcher *w) {
    if (!db_ready(w)) {
        w->retry_at = mono() + w->o->retry_s;
        mq_log(MQ_LOG_WARN, "PostgreSQL unreachable; will retry", NULL);
        return;
    }
    for (int i = 0; i < w->nroots; i++) {
        if (w->root_wd[i] < 0) {
            struct stat st;
            if (stat(w->roots[i], &st) != 0 || !S_ISDIR(st.st_mode)) continue;
            add_tree(w, w->roots[i], 0);
            w->root_wd[i] = inotify_add_watch(w->fd, w->roots[i], MASK);
        } else {
            add_tree(w, w->roots[i], 0); /* folders created while events were lost */
        }
    }
    ig_jobs j = {*w->pg, w->sub, MQ_ANALYZER_VERSION, 0, 0};
    ig_scan_opts so = {0, w->o->batch, NULL, w->o->settle_s, rescan_busy, w, w->stop};
    ig_scan_stats st;
    memset(&st, 0, sizeof st);
    char err[512];
    double t0 = mono();
    for (int i = 0; i < w->nroots; i++) {
        if (w->root_wd[i] < 0) continue;
        if (ig_scan_root(*w->pg, &j, w->roots[i], &so, &st, err, sizeof err) != 0) {
            if (*w->stop) return; /* interrupted by SIGTERM: not a failure */
            failed(w, "rescan failed", err);
            return;
        }
    }
    w->rescan = 0;
    mq_metric_add(w->m.rescans, 1);
    mq_metric_add(w->m.jobs, (double)st.jobs);
    char nt[24], np[24], ms[24], jb[24], sec[24];
    snprintf(nt, sizeof nt, "%llu", (unsigned long long)st.new_tracks);
    snprintf(np, sizeof np, "%llu", (unsigned long long)(st.new_paths + st.changed));
    snprintf(ms, sizeof ms, "%llu", (unsigned long long)st.missing);
    snprintf(jb, sizeof jb, "%llu", (unsigned long long)st.jobs);
    snprintf(sec, sizeof sec, "%.3f", mono() - t0);
    mq_log(MQ_LOG_INFO, "rescan done", "new_tracks", nt, "paths_recorded", np, "missing", ms,
           "jobs", jb, "seconds", sec, NULL);
}

/* ---- the loop --------------------------------------------------------------------------- */

void ig_watch_metrics_register(mq_metrics *m, ig_watch_metrics *x) {
    memset(x, 0, sizeof *x);
    if (!m) return;
    x->events = mq_metrics_counter(m, "mixq_ingest_events_total", "inotify events read");
    x->files = mq_metrics_counter(m, "mixq_ingest_files_total", "files recorded by watch");
    x->renames = mq_metrics_counter(m, "mixq_ingest_renames_total", "renames followed");
    x->missing = mq_metrics_counter(m, "mixq_ingest_missing_total", "paths marked missing");
    x->jobs = mq_metrics_counter(m, "mixq_ingest_jobs_submitted_total", "jobs submitted");
    x->rescans = mq_metrics_counter(m, "mixq_ingest_rescans_total", "full rescans done");
    x->overflows = mq_metrics_counter(m, "mixq_ingest_overflows_total", "inotify queue overflows");
    x->errors = mq_metrics_counter(m, "mixq_ingest_errors_total", "database/broker failures");
    x->watches = mq_metrics_gauge(m, "mixq_ingest_watches", "folders watched");
    x->pending = mq_metrics_gauge(m, "mixq_ingest_pending_files", "files waiting to settle");
}

int ig_watch_run(PGconn **pg, const char *dsn, ig_submitter *sub, char **roots, int nroots,
                 const ig_watch_opts *o, const ig_watch_metrics *metrics, volatile int *stop) {
    watcher w;
    memset(&w, 0, sizeof w);
    w.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    w.wds = ig_wdmap_new();
    w.pend = ig_pending_new();
    w.root_wd = calloc((size_t)nroots, sizeof *w.root_wd);
    w.roots = roots, w.nroots = nroots, w.pg = pg, w.dsn = dsn, w.sub = sub, w.o = o;
    w.stop = stop;
    if (metrics) w.m = *metrics;
    int rc = 1;
    if (w.fd < 0) {
        mq_log(MQ_LOG_ERROR, "inotify is not available", "why", strerror(errno), NULL);
        goto out;
    }
    if (!w.wds || !w.pend || !w.root_wd) {
        mq_log(MQ_LOG_ERROR, "out of memory", NULL);
        goto out;
    }
    int watched = 0;
    for (int i = 0; i < nroots; i++) {
        add_tree(&w, roots[i], 0);
        /* The root's wd (already added by the walk: adding again returns the same one). */
        w.root_wd[i] = inotify_add_watch(w.fd, roots[i], MASK);
        watched += w.root_wd[i] >= 0;
    }
    if (!watched) {
        mq_log(MQ_LOG_ERROR, "no folder could be watched", NULL);
        goto out;
    }
    char nw[24];
    snprintf(nw, sizeof nw, "%zu", ig_wdmap_count(w.wds));
    mq_log(MQ_LOG_INFO, "watching", "folders", nw, NULL);
    w.rescan = o->initial_scan;
    double last_root_check = mono();
    while (!*stop) {
        double now = mono();
        if (w.rescan && now >= w.retry_at) do_rescan(&w);
        expire_moves(&w, now);
        if (!w.rescan && now >= w.retry_at) {
            if (ig_pending_count(w.pend)) ig_pending_run(w.pend, mono(), ingest_due, &w);
            flush_jobs(&w);
            mq_metric_set(w.m.pending, (double)ig_pending_count(w.pend));
        }
        if (now - last_root_check > o->retry_s) { /* a deleted root may come back */
            last_root_check = now;
            for (int i = 0; i < nroots; i++) {
                struct stat st;
                if (w.root_wd[i] < 0 && stat(roots[i], &st) == 0 && S_ISDIR(st.st_mode)) {
                    mq_log(MQ_LOG_INFO, "watched folder is back", "dir", roots[i], NULL);
                    w.rescan = 1;
                }
            }
        }
        /* Sleep until the next thing to do, at most a second (to notice *stop). */
        double next = now + 1.0, t;
        if ((t = ig_pending_next(w.pend)) >= 0 && t < next) next = t;
        if (w.nmv && w.mv[0].at + MOVE_PAIR_S < next) next = w.mv[0].at + MOVE_PAIR_S;
        if ((w.rescan || w.njob) && w.retry_at > now && w.retry_at < next) next = w.retry_at;
        int ms = (int)((next - mono()) * 1000) + 1;
        if (ms < 0) ms = 0;
        if (ms > 1000) ms = 1000;
        struct pollfd pfd = {w.fd, POLLIN, 0};
        int n = poll(&pfd, 1, ms);
        if (n > 0) read_events(&w);
    }
    mq_log(MQ_LOG_INFO, "stopping", NULL);
    rc = 0;
out:
    for (size_t i = 0; i < w.nmv; i++) free(w.mv[i].path);
    free(w.mv);
    free(w.jobq);
    free(w.root_wd);
    ig_pending_del(w.pend);
    ig_wdmap_del(w.wds);
    if (w.fd >= 0) close(w.fd);
    return rc;
}
