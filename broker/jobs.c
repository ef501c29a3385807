/* jobs.c -- the job table: lookup by id, state lists, leases. */
#include "broker/jobs.h"

#include <stdlib.h>
#include <string.h>

int mq_jobs_init(mq_jobs *t) {
    memset(t, 0, sizeof *t);
    for (int i = 0; i < MQ_STREAMS; i++) mq_list_init(&t->queued[i]);
    mq_list_init(&t->leased);
    mq_list_init(&t->finishing);
    t->byid = mq_map_new();
    return t->byid ? 0 : -1;
}

mq_job *mq_jobs_get(const mq_jobs *t, const char *id) {
    mq_map_node *n = mq_map_get(t->byid, id);
    return n ? MQ_CONTAINER(n, mq_job, node) : NULL;
}

static void job_free(mq_job *j) {
    if (j->refs != &j->ref0) free(j->refs);
    free(j->err_code);
    free(j->err_msg);
    free(j);
}

static int has_ref(const mq_job *j, const mq_ref *ref) {
    for (int i = 0; i < j->nrefs; i++)
        if (j->refs[i].stream == ref->stream && !strcmp(j->refs[i].id, ref->id)) return 1;
    return 0;
}

/* Adds ref to a job that has some already. 0 or -1 (memory). */
static int add_ref(mq_job *j, const mq_ref *ref) {
    mq_ref *r = malloc((size_t)(j->nrefs + 1) * sizeof *r);
    if (!r) return -1;
    memcpy(r, j->refs, (size_t)j->nrefs * sizeof *r);
    if (j->refs != &j->ref0) free(j->refs);
    j->refs = r;
    j->refs[j->nrefs++] = *ref;
    return 0;
}

mq_job *mq_jobs_add(mq_jobs *t, const Mixq__Job *pb, const mq_ref *ref, mq_add_status *st) {
    size_t lid = pb->job_id ? strlen(pb->job_id) : 0, luri = pb->uri ? strlen(pb->uri) : 0;
    if (!lid || lid > 256 || !luri || pb->track_id <= 0) {
        *st = MQ_ADD_INVALID;
        return NULL;
    }
    mq_job *old = mq_jobs_get(t, pb->job_id);
    if (old) {
        if (has_ref(old, ref)) {
            *st = MQ_ADD_KNOWN;
            return old;
        }
        if (add_ref(old, ref) != 0) {
            *st = MQ_ADD_NOMEM;
            return NULL;
        }
        t->extra_refs++;
        *st = MQ_ADD_JOINED;
        return old;
    }
    const char *ver = pb->analyzer_version ? pb->analyzer_version : "";
    size_t lver = strlen(ver);
    mq_job *j = calloc(1, sizeof *j + lid + luri + lver + 3);
    if (!j) {
        *st = MQ_ADD_NOMEM;
        return NULL;
    }
    j->id = j->strings;
    j->uri = j->id + lid + 1;
    j->version = j->uri + luri + 1;
    memcpy(j->id, pb->job_id, lid + 1);
    memcpy(j->uri, pb->uri, luri + 1);
    memcpy(j->version, ver, lver + 1);
    j->ref0 = *ref;
    j->refs = &j->ref0;
    j->nrefs = 1;
    j->track_id = pb->track_id;
    j->prio = pb->priority == MIXQ__PRIORITY__PRIORITY_INTERACTIVE
                  ? MIXQ__PRIORITY__PRIORITY_INTERACTIVE
                  : MIXQ__PRIORITY__PRIORITY_BULK;
    j->attempt = pb->attempt ? pb->attempt : 1;
    mq_map_put(t->byid, &j->node, j->id);
    mq_jobs_queue(t, j, 0);
    *st = MQ_ADD_NEW;
    return j;
}

size_t mq_jobs_count(const mq_jobs *t) { return mq_map_count(t->byid); }

size_t mq_jobs_queued(const mq_jobs *t) { return t->queued[0].n + t->queued[1].n; }

/* The queue index of a priority: interactive first. */
static int qindex(const mq_job *j) {
    return j->prio == MIXQ__PRIORITY__PRIORITY_INTERACTIVE ? 0 : 1;
}

void mq_jobs_queue(mq_jobs *t, mq_job *j, int front) {
    j->state = MQ_JOB_QUEUED;
    j->worker = NULL;
    if (front)
        mq_list_push_front(&t->queued[qindex(j)], &j->link);
    else
        mq_list_push_back(&t->queued[qindex(j)], &j->link);
}

mq_job *mq_jobs_next(mq_jobs *t) {
    for (int i = 0; i < MQ_STREAMS; i++) {
        mq_link *k = mq_list_first(&t->queued[i]);
        if (k) {
            mq_list_remove(&t->queued[i], k);
            return MQ_CONTAINER(k, mq_job, link);
        }
    }
    return NULL;
}

void mq_jobs_lease(mq_jobs *t, mq_job *j, mq_worker *w, long long now, long long lease_end) {
    j->state = MQ_JOB_LEASED;
    j->worker = w;
    j->leased_at = now;
    j->lease_end = lease_end;
    mq_list_push_back(&t->leased, &j->link);
    mq_list_push_back(&w->jobs, &j->wlink);
}

void mq_jobs_renew(mq_jobs *t, mq_job *j, long long lease_end) {
    j->lease_end = lease_end;
    mq_list_remove(&t->leased, &j->link);
    mq_list_push_back(&t->leased, &j->link);
}

void mq_jobs_detach(mq_jobs *t, mq_job *j) {
    switch (j->state) {
    case MQ_JOB_QUEUED:
        if (j->link.next) mq_list_remove(&t->queued[qindex(j)], &j->link);
        break;
    case MQ_JOB_LEASED:
        mq_list_remove(&t->leased, &j->link);
        mq_list_remove(&j->worker->jobs, &j->wlink);
        j->worker = NULL;
        break;
    case MQ_JOB_SINKING: t->sinking--; break;
    case MQ_JOB_FINISHING: mq_list_remove(&t->finishing, &j->link); break;
    }
    j->state = MQ_JOB_QUEUED; /* placeholder until the caller gives it a new state */
}

void mq_jobs_sinking(mq_jobs *t, mq_job *j) {
    j->state = MQ_JOB_SINKING;
    t->sinking++;
}

void mq_jobs_finishing(mq_jobs *t, mq_job *j, mq_job_fin fin) {
    if (j->state == MQ_JOB_SINKING) t->sinking--;
    j->state = MQ_JOB_FINISHING;
    j->fin = fin;
    mq_list_push_back(&t->finishing, &j->link);
}

void mq_job_set_error(mq_job *j, const char *code, const char *msg) {
    free(j->err_code);
    free(j->err_msg);
    j->err_code = code ? strdup(code) : NULL;
    j->err_msg = msg ? strdup(msg) : NULL;
}

size_t mq_job_pack(const mq_job *j, unsigned attempt, uint8_t **out) {
    Mixq__Job pb = MIXQ__JOB__INIT;
    pb.job_id = j->id;
    pb.track_id = j->track_id;
    pb.uri = j->uri;
    pb.priority = j->prio;
    pb.attempt = attempt;
    pb.analyzer_version = j->version;
    size_t n = mixq__job__get_packed_size(&pb);
    *out = malloc(n ? n : 1);
    if (!*out) return 0;
    mixq__job__pack(&pb, *out);
    return n;
}

void mq_jobs_free(mq_jobs *t, mq_job *j) {
    if (j->state == MQ_JOB_FINISHING) mq_list_remove(&t->finishing, &j->link);
    mq_map_remove(t->byid, &j->node);
    t->extra_refs -= (size_t)(j->nrefs - 1);
    job_free(j);
}

static void free_one(mq_map_node *n, void *ud) {
    (void)ud;
    job_free(MQ_CONTAINER(n, mq_job, node));
}

void mq_jobs_fini(mq_jobs *t) {
    mq_map_each(t->byid, free_one, NULL);
    mq_map_free(t->byid);
}
