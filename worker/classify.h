/* classify.h -- whether a failed job may succeed if tried again (docs/protocol.md).
 *
 * PERMANENT: the input itself is bad, so the broker records the failure at once and never
 * retries it (unsupported_format, decode_error, empty_audio, too_short, too_long,
 * invalid_samples, bad_uri, http_status for a 4xx answer, fetch_too_large). TRANSIENT: it
 * may succeed later, on this worker or another, so the broker retries it with backoff and
 * dead-letters it after its last attempt (io_error -- a missing file included, shared
 * storage may be briefly away --, timeout, out_of_memory, internal_error, http_error for
 * network failures, 5xx, 408 and 429). */
#ifndef WK_CLASSIFY_H
#define WK_CLASSIFY_H

#include "analysis/errors.h"
#include "common/fetch.h"
#include "proto/mixq.pb-c.h"

/* The kind of an analysis error (ERROR_NONE for MQ_OK). */
Mixq__ErrorKind wk_classify_analysis(mq_errcode code);

/* The kind of a fetch failure (ERROR_NONE for MQ_FETCH_OK). */
Mixq__ErrorKind wk_classify_fetch(mq_fetch_status st);

/* "permanent", "transient" or "none", for logs. */
const char *wk_error_kind_name(Mixq__ErrorKind kind);

#endif
