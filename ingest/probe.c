/* probe.c -- open, sniff, hash, tag one file (see probe.h). */
#include "ingest/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int64_t mtime_ns(const struct stat *st) {
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

ig_probe_status ig_probe_file(const char *path, ig_ext_class ext, int want_tags, ig_probe *out,
                              char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    out->tags.declared_bpm = NAN;
    out->tags.duration_s = NAN;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return IG_PROBE_UNREADABLE;
    }
    ig_probe_status st = IG_PROBE_OK;
    struct stat before, after;
    unsigned char head[IG_SNIFF_LEN];
    ssize_t n;
    if (fstat(fd, &before) != 0) {
        snprintf(err, errlen, "cannot stat: %s", strerror(errno));
        st = IG_PROBE_UNREADABLE;
    } else if (!S_ISREG(before.st_mode)) {
        snprintf(err, errlen, "not a regular file");
        st = IG_PROBE_UNREADABLE;
    } else if ((n = pread(fd, head, sizeof head, 0)) < 0) {
        snprintf(err, errlen, "cannot read: %s", strerror(errno));
        st = IG_PROBE_UNREADABLE;
    } else if (!(out->format = ig_sniff_content(head, (size_t)n, ext == IG_EXT_AUDIO))) {
        snprintf(err, errlen, "not audio (unrecognised content)");
        st = IG_PROBE_NOT_AUDIO;
    }
    if (st == IG_PROBE_OK) {
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        if (mq_hash_fd(fd, &out->hash, &out->size) != 0) {
            if (errno == ENOMEM) {
                snprintf(err, errlen, "out of memory");
                st = IG_PROBE_NO_MEMORY;
            } else {
                snprintf(err, errlen, "cannot read: %s", strerror(errno));
                st = IG_PROBE_UNREADABLE;
            }
        } else if (fstat(fd, &after) != 0) {
            snprintf(err, errlen, "cannot stat: %s", strerror(errno));
            st = IG_PROBE_UNREADABLE;
        } else if (after.st_size != before.st_size || mtime_ns(&after) != mtime_ns(&before) ||
                   out->size != (uint64_t)after.st_size) {
            snprintf(err, errlen, "changed while being read");
            st = IG_PROBE_CHANGED;
        } else {
            out->mtime_ns = mtime_ns(&after);
        }
    }
    if (st == IG_PROBE_OK && want_tags && ig_tags_read(path, fd, out->format, &out->tags) != 0) {
        snprintf(err, errlen, "out of memory");
        st = IG_PROBE_NO_MEMORY;
    }
    close(fd);
    return st;
}
