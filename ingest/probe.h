/* probe.h -- everything ingest learns by reading one file: is it audio (sniff.h), its
 * content hash (common/hash.h), size, modification time and tags (tags.h).
 *
 * The file is opened once, without following it into a FIFO or device (O_NONBLOCK and a
 * regular-file check), and its size and time are checked again after hashing, so a file
 * that changed while it was read is reported as such rather than catalogued half-written. */
#ifndef IG_PROBE_H
#define IG_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "common/hash.h"
#include "ingest/sniff.h"
#include "ingest/tags.h"

typedef enum ig_probe_status {
    IG_PROBE_OK = 0,
    IG_PROBE_NOT_AUDIO,  /* readable, but not audio by content */
    IG_PROBE_UNREADABLE, /* cannot be opened or read, or not a regular file */
    IG_PROBE_CHANGED,    /* size or time changed while reading: still being written */
    IG_PROBE_NO_MEMORY
} ig_probe_status;

typedef struct ig_probe {
    const char *format; /* static: "wav", "flac", ... (see sniff.h) */
    mq_hash128 hash;
    uint64_t size;
    int64_t mtime_ns;
    ig_tags tags; /* empty unless tags were asked for */
} ig_probe;

/* Probes the file at path, whose name's extension class is ext. Reads tags only when
 * want_tags is set. On IG_PROBE_OK the caller frees out->tags with ig_tags_free; on any
 * other status err says why and out holds nothing to free. */
ig_probe_status ig_probe_file(const char *path, ig_ext_class ext, int want_tags, ig_probe *out,
                              char *err, size_t errlen);

#endif
