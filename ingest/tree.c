/* tree.c -- deterministic walk with stat and loop protection (see tree.h). */
#include "ingest/tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/buf.h"

#define MAX_DEPTH 256

/* Directories entered, as an open-addressing set of (device, inode). */
typedef struct dirset {
    dev_t *dev;
    ino_t *ino;
    unsigned char *used;
    size_t n, cap; /* cap a power of two */
} dirset;

static size_t mix(dev_t d, ino_t i) {
    uint64_t h = (uint64_t)i * 0x9E3779B97F4A7C15ull ^ (uint64_t)d * 0xC2B2AE3D27D4EB4Full;
    return (size_t)(h ^ (h >> 29));
}

/* Adds (d, i). Returns 1 when new, 0 when present, -1 when out of memory. */
static int dirset_add(dirset *s, dev_t d, ino_t i) {
    if (2 * (s->n + 1) > s->cap) {
        size_t nc = s->cap ? 2 * s->cap : 256;
        dirset ns = {calloc(nc, sizeof(dev_t)), calloc(nc, sizeof(ino_t)), calloc(nc, 1), 0, nc};
        if (!ns.dev || !ns.ino || !ns.used) {
            free(ns.dev), free(ns.ino), free(ns.used);
            return -1;
        }
        for (size_t k = 0; k < s->cap; k++) {
            if (!s->used[k]) continue;
            size_t j = mix(s->dev[k], s->ino[k]) & (nc - 1);
            while (ns.used[j]) j = (j + 1) & (nc - 1);
            ns.used[j] = 1, ns.dev[j] = s->dev[k], ns.ino[j] = s->ino[k];
        }
        ns.n = s->n;
        free(s->dev), free(s->ino), free(s->used);
        *s = ns;
    }
    size_t j = mix(d, i) & (s->cap - 1);
    while (s->used[j]) {
        if (s->dev[j] == d && s->ino[j] == i) return 0;
        j = (j + 1) & (s->cap - 1);
    }
    s->used[j] = 1, s->dev[j] = d, s->ino[j] = i;
    s->n++;
    return 1;
}

typedef struct walker {
    const ig_tree_cb *cb;
    dirset seen;
    ig_buf path;
} walker;

/* One entry of a directory listing. */
typedef struct entry {
    char *name;
    struct stat st;
    int err;      /* errno of a failed stat, 0 when st is valid */
    int dangling; /* the failed stat was through a link to nothing */
} entry;

static int cmp_entry(const void *a, const void *b) {
    return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

static void skip(walker *w, const char *path, const char *why, int loop) {
    if (w->cb->skip) w->cb->skip(path, why, loop, w->cb->ud);
}

/* Why an entry's stat failed, for the skip report. */
static const char *stat_why(const entry *e) {
    if (e->dangling) return "dangling symbolic link";
    if (e->err == ELOOP) return "symbolic link loop";
    return strerror(e->err);
}

static const char *kind_name(mode_t m) {
    if (S_ISFIFO(m)) return "not a regular file (FIFO)";
    if (S_ISSOCK(m)) return "not a regular file (socket)";
    if (S_ISCHR(m) || S_ISBLK(m)) return "not a regular file (device)";
    return "not a regular file";
}

static void free_entries(entry *es, size_t n) {
    for (size_t i = 0; i < n; i++) free(es[i].name);
    free(es);
}

/* Lists the directory at w->path, stat-ing every entry through its handle, closes it and
 * sorts the entries by name. Returns 0, -1 when it cannot be opened (reported), or -2
 * when out of memory. */
static int list_dir(walker *w, entry **out, size_t *count) {
    *out = NULL, *count = 0;
    DIR *d = opendir(w->path.p);
    if (!d) {
        skip(w, w->path.p, strerror(errno), 0);
        return -1;
    }
    int dfd = dirfd(d);
    entry *es = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 64;
            entry *ne = realloc(es, nc * sizeof *ne);
            if (!ne) goto oom;
            es = ne, cap = nc;
        }
        entry *e = &es[n];
        memset(e, 0, sizeof *e);
        if (!(e->name = strdup(de->d_name))) goto oom;
        n++;
        if (fstatat(dfd, de->d_name, &e->st, 0) != 0) {
            struct stat lst;
            e->err = errno;
            e->dangling = e->err == ENOENT &&
                          fstatat(dfd, de->d_name, &lst, AT_SYMLINK_NOFOLLOW) == 0 &&
                          S_ISLNK(lst.st_mode);
        }
    }
    closedir(d);
    if (n > 1) qsort(es, n, sizeof *es, cmp_entry);
    *out = es, *count = n;
    return 0;
oom:
    closedir(d);
    free_entries(es, n);
    return -2;
}

/* Visits the entries of the directory at w->path. */
static int walk_dir(walker *w, int depth) {
    if (depth > MAX_DEPTH) {
        skip(w, w->path.p, "too deeply nested", 0);
        return 0;
    }
    entry *es;
    size_t n;
    int rc = list_dir(w, &es, &n);
    if (rc == -1) return 0; /* reported; the walk goes on */
    if (rc != 0) return rc;
    size_t base = w->path.len;
    int slash = base > 0 && w->path.p[base - 1] == '/';
    for (size_t i = 0; i < n && rc == 0; i++) {
        w->path.len = base;
        if (!slash) ig_buf_putc(&w->path, '/');
        ig_buf_puts(&w->path, es[i].name);
        if (w->path.oom) {
            rc = -2;
            break;
        }
        const struct stat *st = &es[i].st;
        if (es[i].err) {
            skip(w, w->path.p, stat_why(&es[i]), 0);
        } else if (S_ISDIR(st->st_mode)) {
            int fresh = dirset_add(&w->seen, st->st_dev, st->st_ino);
            if (fresh < 0) {
                rc = -2;
            } else if (!fresh) {
                skip(w, w->path.p, "directory already walked (link loop or second link)", 1);
            } else {
                int enter = w->cb->dir ? w->cb->dir(w->path.p, w->path.len, st, w->cb->ud) : 0;
                if (enter == 0)
                    rc = walk_dir(w, depth + 1);
                else if (enter != 1)
                    rc = enter;
            }
        } else if (S_ISREG(st->st_mode)) {
            rc = w->cb->file(w->path.p, w->path.len, es[i].name, st, w->cb->ud);
        } else {
            skip(w, w->path.p, kind_name(st->st_mode), 0);
        }
    }
    w->path.len = base;
    if (w->path.p) w->path.p[base] = 0;
    free_entries(es, n);
    return rc;
}

int ig_tree_walk(const char *root, const ig_tree_cb *cb) {
    walker w = {cb, {0}, {0}};
    struct stat st;
    int rc;
    if (stat(root, &st) != 0) {
        if (cb->skip) cb->skip(root, strerror(errno), 0, cb->ud);
        return -1;
    }
    ig_buf_puts(&w.path, root);
    if (w.path.oom) return -2;
    if (S_ISDIR(st.st_mode)) {
        if (dirset_add(&w.seen, st.st_dev, st.st_ino) < 0) {
            rc = -2;
        } else {
            int enter = cb->dir ? cb->dir(w.path.p, w.path.len, &st, cb->ud) : 0;
            rc = enter == 0 ? walk_dir(&w, 0) : enter == 1 ? 0 : enter;
        }
    } else if (S_ISREG(st.st_mode)) {
        const char *name = strrchr(root, '/');
        rc = cb->file(w.path.p, w.path.len, name ? name + 1 : root, &st, cb->ud);
    } else {
        if (cb->skip) cb->skip(root, kind_name(st.st_mode), 0, cb->ud);
        rc = -1;
    }
    ig_buf_free(&w.path);
    free(w.seen.dev), free(w.seen.ino), free(w.seen.used);
    return rc;
}
