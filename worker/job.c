/* job.c -- a held job: copy from the wire, failure, free. */
#include "worker/job.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_empty(const char *s) { return strdup(s ? s : ""); }

wk_job *wk_job_new(const Mixq__Job *src, uint32_t lease_ms) {
    wk_job *j = calloc(1, sizeof *j);
    if (!j) return NULL;
    j->job_id = dup_or_empty(src->job_id);
    j->uri = dup_or_empty(src->uri);
    j->analyzer_version = dup_or_empty(src->analyzer_version);
    if (!j->job_id || !j->uri || !j->analyzer_version) {
        wk_job_del(j);
        return NULL;
    }
    j->track_id = src->track_id;
    j->attempt = src->attempt;
    j->lease_ms = lease_ms;
    j->error_kind = MIXQ__ERROR_KIND__ERROR_NONE;
    return j;
}

void wk_job_fail(wk_job *j, Mixq__ErrorKind kind, const char *code, const char *fmt, ...) {
    free(j->features_json);
    j->features_json = NULL;
    j->error_kind = kind;
    snprintf(j->error_code, sizeof j->error_code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->error_message, sizeof j->error_message, fmt, ap);
    va_end(ap);
}

void wk_job_del(wk_job *j) {
    if (!j) return;
    free(j->job_id);
    free(j->uri);
    free(j->analyzer_version);
    free(j->features_json);
    free(j);
}
