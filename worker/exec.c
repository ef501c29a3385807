/* exec.c -- one job from URI to features JSON or classified error. */
#include "worker/exec.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/features_json.h"
#include "worker/classify.h"

double wk_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Applies the checks every mode shares; returns 1 when the job already failed. */
static int precheck(const wk_exec_opts *o, wk_job *j, int check_version) {
    if (o->fail_substring && *o->fail_substring && strstr(j->uri, o->fail_substring)) {
        wk_job_fail(j, MIXQ__ERROR_KIND__ERROR_TRANSIENT, "io_error", "test failure");
        return 1;
    }
    if (check_version && j->analyzer_version[0] &&
        strcmp(j->analyzer_version, MQ_ANALYZER_VERSION) != 0) {
        /* Another worker (of that version) may take it: transient. */
        wk_job_fail(j, MIXQ__ERROR_KIND__ERROR_TRANSIENT, "analyzer_version_mismatch",
                    "this worker runs %s, the job wants %s", MQ_ANALYZER_VERSION,
                    j->analyzer_version);
        return 1;
    }
    return 0;
}

/* Stores o as the job's compact features JSON; fails the job when it cannot. */
static void set_features(wk_job *j, json_t *o) {
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
    json_decref(o);
    if (!s) {
        wk_job_fail(j, MIXQ__ERROR_KIND__ERROR_TRANSIENT, "out_of_memory",
                    "cannot build the features JSON");
        return;
    }
    free(j->features_json);
    j->features_json = s;
    j->error_kind = MIXQ__ERROR_KIND__ERROR_NONE;
}

void wk_exec_run(mq_analyzer *a, mq_features *f, const wk_exec_opts *o, wk_job *j) {
    double t0 = wk_now();
    if (precheck(o, j, 1)) goto done;

    char why[256];
    mq_fetched in;
    mq_fetch_status st = mq_fetch(j->uri, &o->fetch, &in, why, sizeof why);
    if (st != MQ_FETCH_OK) {
        wk_job_fail(j, wk_classify_fetch(st), mq_fetch_status_name(st), "%s", why);
        goto done;
    }
    mq_error err = {MQ_OK, ""};
    if (mq_analyzer_run(a, in.path, f, &err) == MQ_OK) {
        /* A local file is named by its path (as in `mixq analyze`), a download by its URL. */
        set_features(j, mq_features_to_json(in.fd < 0 ? in.path : j->uri, f));
    } else {
        wk_job_fail(j, wk_classify_analysis(err.code), mq_errcode_name(err.code), "%s",
                    err.message);
    }
    mq_fetched_close(&in);
done:
    j->seconds = wk_now() - t0;
}

void wk_exec_noop(const wk_exec_opts *o, wk_job *j) {
    double t0 = wk_now();
    /* No analysis happens, so the version asked for is echoed back (docs/protocol.md). */
    const char *version = j->analyzer_version[0] ? j->analyzer_version : MQ_ANALYZER_VERSION;
    if (!precheck(o, j, 0))
        set_features(j, json_pack("{s:s,s:b}", "analyzer_version", version, "noop", 1));
    j->seconds = wk_now() - t0;
}
