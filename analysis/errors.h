/* errors.h -- classified analysis errors.
 *
 * Every failure of the analyser is one of these codes, each with a stable name that
 * appears in `mixq analyze` output and in worker results ("error": {"code": ...}). */
#ifndef MQ_ERRORS_H
#define MQ_ERRORS_H

#include <stddef.h>

typedef enum mq_errcode {
    MQ_OK = 0,
    MQ_ERR_IO,                 /* the file cannot be opened or read */
    MQ_ERR_UNSUPPORTED_FORMAT, /* not audio, or a format libsndfile cannot read */
    MQ_ERR_DECODE,             /* a known format whose data is corrupt or truncated */
    MQ_ERR_EMPTY_AUDIO,        /* zero bytes, or no samples at all */
    MQ_ERR_TOO_SHORT,          /* too few samples to analyse */
    MQ_ERR_TOO_LONG,           /* longer than the configured maximum duration */
    MQ_ERR_INVALID_SAMPLES,    /* the samples are mostly NaN or infinite */
    MQ_ERR_TIMEOUT,            /* analysis took longer than the time limit */
    MQ_ERR_NO_MEMORY,          /* an allocation failed */
    MQ_ERR_INTERNAL            /* a bug: should never be seen */
} mq_errcode;

/* A classified error: a code and a human-readable message. */
typedef struct mq_error {
    mq_errcode code;
    char message[256];
} mq_error;

/* Stable snake_case name of a code, e.g. "decode_error". */
const char *mq_errcode_name(mq_errcode code);

/* Fills err with code and a printf-style message; returns code. */
mq_errcode mq_error_set(mq_error *err, mq_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
