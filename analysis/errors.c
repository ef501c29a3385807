/* errors.c -- names and formatting of classified analysis errors. */
#include "analysis/errors.h"

#include <stdarg.h>
#include <stdio.h>

const char *mq_errcode_name(mq_errcode code) {
    switch (code) {
    case MQ_OK: return "ok";
    case MQ_ERR_IO: return "io_error";
    case MQ_ERR_UNSUPPORTED_FORMAT: return "unsupported_format";
    case MQ_ERR_DECODE: return "decode_error";
    case MQ_ERR_EMPTY_AUDIO: return "empty_audio";
    case MQ_ERR_TOO_SHORT: return "too_short";
    case MQ_ERR_TOO_LONG: return "too_long";
    case MQ_ERR_INVALID_SAMPLES: return "invalid_samples";
    case MQ_ERR_TIMEOUT: return "timeout";
    case MQ_ERR_NO_MEMORY: return "out_of_memory";
    case MQ_ERR_INTERNAL: return "internal_error";
    }
    return "internal_error";
}

mq_errcode mq_error_set(mq_error *err, mq_errcode code, const char *fmt, ...) {
    if (!err) return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}
