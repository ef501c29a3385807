/* ilog.h -- log lines about one file (common/log.h), with its path shown safely.
 *
 * File names are bytes: a name that is not valid UTF-8 is logged with each invalid byte as
 * the character of the same value, and its exact bytes in "path_hex". */
#ifndef IG_ILOG_H
#define IG_ILOG_H

#include "common/log.h"

/* Logs msg about path with up to two more fields (key, value; NULL keys are skipped). */
void ig_log_path(mq_log_level level, const char *msg, const char *path, const char *k1,
                 const char *v1, const char *k2, const char *v2);

#endif
