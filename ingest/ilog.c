/* ilog.c -- per-file log lines (see ilog.h). */
#include "ingest/ilog.h"

#include <stdlib.h>
#include <string.h>

#include "common/jsonout.h"
#include "ingest/text.h"

void ig_log_path(mq_log_level level, const char *msg, const char *path, const char *k1,
                 const char *v1, const char *k2, const char *v2) {
    size_t n = strlen(path);
    int valid = mq_utf8_valid(path, n);
    char *disp = valid ? NULL : ig_text_display(path, n);
    char *hex = valid ? NULL : ig_text_hex(path, n);
    const char *kv[10] = {0}; /* key/value pairs, NULL-key terminated */
    int k = 0;
    kv[k++] = "path", kv[k++] = valid ? path : disp ? disp : "(unprintable)";
    if (hex) kv[k++] = "path_hex", kv[k++] = hex;
    if (k1) kv[k++] = k1, kv[k++] = v1;
    if (k2) kv[k++] = k2, kv[k++] = v2;
    mq_log(level, msg, kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7], kv[8]);
    free(disp);
    free(hex);
}
