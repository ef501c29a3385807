/* walk.c -- deterministic recursive walk with loop protection. */
#include "common/walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const char *audio_ext[] = {"wav",  "wave", "aif", "aiff", "aifc", "flac", "ogg", "oga",
                                  "opus", "mp3",  "au",  "snd",  "caf",  "w64",  "rf64", NULL};

int mq_walk_is_audio_name(const char *name) {
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name) return 0;
    for (int i = 0; audio_ext[i]; i++)
        if (!strcasecmp(dot + 1, audio_ext[i])) return 1;
    return 0;
}

/* Directories already entered, as (device, inode) pairs. */
typedef struct seen {
    dev_t *dev;
    ino_t *ino;
    size_t n, cap;
} seen;

static int seen_add(seen *s, dev_t d, ino_t i) {
    for (size_t k = 0; k < s->n; k++)
        if (s->dev[k] == d && s->ino[k] == i) return 0;
    if (s->n == s->cap) {
        size_t nc = s->cap ? 2 * s->cap : 64;
        dev_t *nd = realloc(s->dev, nc * sizeof *nd);
        if (!nd) return -1;
        s->dev = nd;
        ino_t *ni = realloc(s->ino, nc * sizeof *ni);
        if (!ni) return -1;
        s->ino = ni;
        s->cap = nc;
    }
    s->dev[s->n] = d;
    s->ino[s->n++] = i;
    return 1;
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct walker {
    mq_walk_fn fn;
    mq_walk_err_fn on_err;
    void *ud;
    seen dirs;
} walker;

static void report(walker *w, const char *path, const char *why) {
    if (w->on_err) w->on_err(path, why, w->ud);
}

static int walk_dir(walker *w, const char *dir) {
    DIR *d = opendir(dir);
    if (!d) {
        report(w, dir, strerror(errno));
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = -1;
                break;
            }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc == 0) qsort(names, n, sizeof *names, cmp_names);
    size_t dl = strlen(dir);
    int slash = dl > 0 && dir[dl - 1] == '/';
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t len = dl + strlen(names[i]) + 2;
        char *p = malloc(len);
        if (!p) {
            rc = -1;
            break;
        }
        snprintf(p, len, "%s%s%s", dir, slash ? "" : "/", names[i]);
        struct stat st;
        if (stat(p, &st) != 0) {
            /* A dangling link or a vanished entry: say so and go on. */
            report(w, p, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            int fresh = seen_add(&w->dirs, st.st_dev, st.st_ino);
            if (fresh < 0) rc = -1;
            else if (fresh) rc = walk_dir(w, p);
        } else if (S_ISREG(st.st_mode) && mq_walk_is_audio_name(names[i])) {
            rc = w->fn(p, w->ud);
        }
        free(p);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

int mq_walk(const char *root, mq_walk_fn fn, mq_walk_err_fn on_err, void *ud) {
    walker w = {fn, on_err, ud, {0}};
    struct stat st;
    int rc;
    if (stat(root, &st) != 0) {
        report(&w, root, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        seen_add(&w.dirs, st.st_dev, st.st_ino);
        rc = walk_dir(&w, root);
    } else {
        rc = fn(root, ud);
    }
    free(w.dirs.dev);
    free(w.dirs.ino);
    return rc;
}
