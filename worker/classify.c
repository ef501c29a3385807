/* classify.c -- permanent or transient, for every error a job can end with. */
#include "worker/classify.h"

Mixq__ErrorKind wk_classify_analysis(mq_errcode code) {
    switch (code) {
    case MQ_OK: return MIXQ__ERROR_KIND__ERROR_NONE;
    case MQ_ERR_UNSUPPORTED_FORMAT:
    case MQ_ERR_DECODE:
    case MQ_ERR_EMPTY_AUDIO:
    case MQ_ERR_TOO_SHORT:
    case MQ_ERR_TOO_LONG:
    case MQ_ERR_INVALID_SAMPLES: return MIXQ__ERROR_KIND__ERROR_PERMANENT;
    case MQ_ERR_IO:
    case MQ_ERR_TIMEOUT:
    case MQ_ERR_NO_MEMORY:
    case MQ_ERR_INTERNAL: return MIXQ__ERROR_KIND__ERROR_TRANSIENT;
    }
    return MIXQ__ERROR_KIND__ERROR_TRANSIENT; /* an unknown code: let retries decide */
}

Mixq__ErrorKind wk_classify_fetch(mq_fetch_status st) {
    switch (st) {
    case MQ_FETCH_OK: return MIXQ__ERROR_KIND__ERROR_NONE;
    case MQ_FETCH_BAD_URI:
    case MQ_FETCH_HTTP_STATUS:
    case MQ_FETCH_TOO_LARGE: return MIXQ__ERROR_KIND__ERROR_PERMANENT;
    case MQ_FETCH_IO:
    case MQ_FETCH_TIMEOUT:
    case MQ_FETCH_FAILED:
    case MQ_FETCH_NO_MEMORY: return MIXQ__ERROR_KIND__ERROR_TRANSIENT;
    }
    return MIXQ__ERROR_KIND__ERROR_TRANSIENT;
}

const char *wk_error_kind_name(Mixq__ErrorKind kind) {
    switch (kind) {
    case MIXQ__ERROR_KIND__ERROR_PERMANENT: return "permanent";
    case MIXQ__ERROR_KIND__ERROR_TRANSIENT: return "transient";
    default: return "none";
    }
}
