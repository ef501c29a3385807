/* fetch.h -- the audio of a job's URI as a local file the analyser can open.
 *
 * A file:// URI names a file on shared storage, read in place. An http:// or https://
 * URL is downloaded with libcurl into an anonymous temporary file (never visible in the
 * file system, so a killed process leaves nothing behind), bounded in size and in time;
 * redirects are followed only to http(s). Also converts between absolute paths and
 * file:// URIs: every byte outside RFC 3986's unreserved set, sub-delims, ':', '@' and
 * '/' is percent-encoded, so any path (spaces, '%', bytes that are not UTF-8) makes an
 * ASCII URI and comes back byte for byte. */
#ifndef MQ_FETCH_H
#define MQ_FETCH_H

#include <stddef.h>
#include <stdint.h>

typedef enum mq_fetch_status {
    MQ_FETCH_OK = 0,
    MQ_FETCH_BAD_URI,     /* malformed, not absolute, outside the allowed roots, or a scheme
                             other than file, http, https */
    MQ_FETCH_IO,          /* a local file cannot be opened, or the temporary file written */
    MQ_FETCH_TOO_LARGE,   /* the download is larger than max_bytes */
    MQ_FETCH_TIMEOUT,     /* the download took longer than timeout_s */
    MQ_FETCH_FAILED,      /* connection, TLS or protocol failure, HTTP 5xx, 408 or 429 */
    MQ_FETCH_HTTP_STATUS, /* any other HTTP status >= 400 (404, 403, ...) */
    MQ_FETCH_NO_MEMORY
} mq_fetch_status;

typedef struct mq_fetch_opts {
    uint64_t max_bytes;       /* largest download accepted; 0 for no limit */
    double timeout_s;         /* whole download, connection included; 0 for none */
    const char *tmp_dir;      /* where downloads go; NULL for $TMPDIR, else /tmp */
    const char *const *roots; /* if nroots > 0, file:// paths must lie under one of these */
    size_t nroots;
} mq_fetch_opts;

/* A fetched input. path is what to open; fd is the temporary file of a download (-1 for
 * file://). Release with mq_fetched_close. */
typedef struct mq_fetched {
    char *path;
    int fd;
    uint64_t bytes; /* bytes downloaded (0 for file://) */
} mq_fetched;

/* Once per process, in main() before threads start: initialises libcurl. */
void mq_fetch_global_init(void);

/* Makes uri's audio readable at out->path. Returns MQ_FETCH_OK, or a status with a
 * message in err. Thread-safe: each call uses its own curl handle. */
mq_fetch_status mq_fetch(const char *uri, const mq_fetch_opts *o, mq_fetched *out, char *err,
                         size_t errlen);

/* Frees out's path and closes its temporary file (which then disappears). Idempotent. */
void mq_fetched_close(mq_fetched *out);

/* Stable snake_case name of a status: "ok", "bad_uri", "io_error", "fetch_too_large",
 * "timeout", "http_error", "http_status", "out_of_memory". */
const char *mq_fetch_status_name(mq_fetch_status s);

/* The file:// URI of an absolute path (malloc'd; NULL when path is not absolute or out of
 * memory). */
char *mq_file_uri(const char *abs_path);

/* The path of a file:///... or file://localhost/... URI (malloc'd), percent-decoding it;
 * NULL when uri is not such a URI, has a malformed escape, or decodes to a NUL byte. */
char *mq_file_uri_path(const char *uri);

#endif
