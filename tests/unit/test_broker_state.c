/* Unit tests of the broker's in-memory state: broker/map.c (intrusive hash map),
 * broker/jobs.c (queues by priority, leases in expiry order, duplicate entries joining
 * one job), broker/workers.c (credit and the round-robin ring) and broker/rate.c. The
 * modules are included, since the unit tests link only the common libraries. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "broker/jobs.c"
#include "broker/map.c"
#include "broker/rate.c"
#include "broker/workers.c"

static mq_job *add(mq_jobs *t, const char *id, int prio, const char *entry, mq_add_status *st) {
    Mixq__Job pb = MIXQ__JOB__INIT;
    pb.job_id = (char *)id;
    pb.track_id = 1;
    pb.uri = (char *)"file:///a.wav";
    pb.priority = prio;
    pb.analyzer_version = (char *)"v1";
    mq_ref ref = {prio == MIXQ__PRIORITY__PRIORITY_INTERACTIVE ? 0 : 1, ""};
    snprintf(ref.id, sizeof ref.id, "%s", entry);
    return mq_jobs_add(t, &pb, &ref, st);
}

typedef struct item {
    mq_map_node node;
    char key[16];
} item;

Test(broker_state, map_put_get_remove_and_grow) {
    mq_map *m = mq_map_new();
    cr_assert_not_null(m);
    static item items[1000];
    for (int i = 0; i < 1000; i++) {
        snprintf(items[i].key, sizeof items[i].key, "k%d", i);
        mq_map_put(m, &items[i].node, items[i].key);
    }
    cr_assert_eq(mq_map_count(m), 1000);
    for (int i = 0; i < 1000; i++) cr_assert_eq(mq_map_get(m, items[i].key), &items[i].node);
    cr_assert_null(mq_map_get(m, "absent"));
    for (int i = 0; i < 1000; i += 2) mq_map_remove(m, &items[i].node);
    cr_assert_eq(mq_map_count(m), 500);
    cr_assert_null(mq_map_get(m, "k0"));
    cr_assert_eq(mq_map_get(m, "k1"), &items[1].node);
    mq_map_free(m);
}

Test(broker_state, interactive_first_then_fifo) {
    mq_jobs t;
    cr_assert_eq(mq_jobs_init(&t), 0);
    mq_add_status st;
    add(&t, "b1", MIXQ__PRIORITY__PRIORITY_BULK, "1-0", &st);
    cr_assert_eq(st, MQ_ADD_NEW);
    add(&t, "b2", MIXQ__PRIORITY__PRIORITY_BULK, "2-0", &st);
    add(&t, "i1", MIXQ__PRIORITY__PRIORITY_INTERACTIVE, "3-0", &st);
    cr_assert_eq(mq_jobs_queued(&t), 3);
    cr_assert_str_eq(mq_jobs_next(&t)->id, "i1");
    mq_job *b1 = mq_jobs_next(&t);
    cr_assert_str_eq(b1->id, "b1");
    /* A job handed back goes to the front of its queue. */
    mq_jobs_queue(&t, b1, 1);
    cr_assert_str_eq(mq_jobs_next(&t)->id, "b1");
    cr_assert_str_eq(mq_jobs_next(&t)->id, "b2");
    cr_assert_null(mq_jobs_next(&t));
    mq_jobs_fini(&t);
}

Test(broker_state, duplicate_entries_join_one_job) {
    mq_jobs t;
    mq_jobs_init(&t);
    mq_add_status st;
    mq_job *a = add(&t, "x", MIXQ__PRIORITY__PRIORITY_BULK, "1-0", &st);
    mq_job *b = add(&t, "x", MIXQ__PRIORITY__PRIORITY_BULK, "5-0", &st);
    cr_assert_eq(st, MQ_ADD_JOINED);
    cr_assert_eq(a, b);
    cr_assert_eq(a->nrefs, 2);
    cr_assert_eq(t.extra_refs, 1);
    add(&t, "x", MIXQ__PRIORITY__PRIORITY_BULK, "5-0", &st);
    cr_assert_eq(st, MQ_ADD_KNOWN, "the same entry read twice");
    cr_assert_eq(mq_jobs_queued(&t), 1);
    cr_assert_eq(mq_jobs_count(&t), 1);
    Mixq__Job bad = MIXQ__JOB__INIT;
    mq_ref ref = {1, "9-0"};
    cr_assert_null(mq_jobs_add(&t, &bad, &ref, &st));
    cr_assert_eq(st, MQ_ADD_INVALID);
    mq_jobs_detach(&t, a);
    mq_jobs_finishing(&t, a, MQ_FIN_ACK);
    mq_jobs_free(&t, a);
    cr_assert_eq(t.extra_refs, 0);
    cr_assert_eq(mq_jobs_count(&t), 0);
    mq_jobs_fini(&t);
}

Test(broker_state, leases_expire_in_order_and_renew) {
    mq_jobs t;
    mq_workers ws;
    mq_jobs_init(&t);
    mq_workers_init(&ws);
    mq_worker *w = mq_workers_add(&ws, "w", 0);
    mq_add_status st;
    mq_job *a = add(&t, "a", 0, "1-0", &st), *b = add(&t, "b", 0, "2-0", &st);
    mq_jobs_lease(&t, mq_jobs_next(&t), w, 0, 3000);
    mq_jobs_lease(&t, mq_jobs_next(&t), w, 100, 3100);
    cr_assert_eq(w->jobs.n, 2);
    cr_assert_eq(MQ_CONTAINER(mq_list_first(&t.leased), mq_job, link), a);
    mq_jobs_renew(&t, a, 4000);
    cr_assert_eq(MQ_CONTAINER(mq_list_first(&t.leased), mq_job, link), b, "renewed: to the tail");
    mq_jobs_detach(&t, b);
    cr_assert_eq(w->jobs.n, 1);
    cr_assert_null(b->worker);
    mq_jobs_sinking(&t, b);
    cr_assert_eq(t.sinking, 1);
    mq_jobs_finishing(&t, b, MQ_FIN_RETRY);
    cr_assert_eq(t.sinking, 0);
    cr_assert_eq(t.finishing.n, 1);
    /* A retried job is packed with its next attempt. */
    uint8_t *buf;
    size_t n = mq_job_pack(b, b->attempt + 1, &buf);
    Mixq__Job *pb = mixq__job__unpack(NULL, n, buf);
    cr_assert_not_null(pb);
    cr_assert_str_eq(pb->job_id, "b");
    cr_assert_eq(pb->attempt, 2);
    mixq__job__free_unpacked(pb, NULL);
    free(buf);
    mq_jobs_fini(&t);
    mq_workers_fini(&ws);
}

Test(broker_state, credit_ring_is_round_robin) {
    mq_workers ws;
    mq_workers_init(&ws);
    mq_worker *a = mq_workers_add(&ws, "a", 0), *b = mq_workers_add(&ws, "b", 0);
    mq_workers_credit(&ws, a, 2, 1, 100);
    mq_workers_credit(&ws, b, 1, 1, 100);
    cr_assert_eq(ws.credit, 3);
    cr_assert_eq(mq_workers_take(&ws), a);
    cr_assert_eq(mq_workers_take(&ws), b);
    cr_assert_eq(mq_workers_take(&ws), a);
    cr_assert_null(mq_workers_take(&ws));
    cr_assert_eq(ws.credit, 0);
    mq_workers_untake(&ws, b);
    cr_assert_eq(mq_workers_take(&ws), b);
    mq_workers_credit(&ws, a, 5000, 0, 1024);
    cr_assert_eq(a->credit, 1024, "capped");
    mq_workers_credit(&ws, a, 3, 1, 1024);
    cr_assert_eq(a->credit, 3, "an initial Ready replaces");
    mq_workers_remove(&ws, a);
    cr_assert_eq(ws.credit, 0);
    cr_assert_null(mq_workers_get(&ws, "a"));
    cr_assert_eq(mq_workers_get(&ws, "b"), b);
    mq_workers_fini(&ws);
}

Test(broker_state, rate_over_the_last_minute) {
    mq_rate r;
    mq_rate_init(&r, 0);
    mq_rate_add(&r, 500, 10);
    cr_assert_float_eq(mq_rate_per_s(&r, 900), 10.0, 1e-9, "less than a second: per 1 s");
    mq_rate_add(&r, 9500, 50);
    cr_assert_float_eq(mq_rate_per_s(&r, 10000), 6.0, 1e-9);
    cr_assert_float_eq(mq_rate_per_s(&r, 100000), 0.0, 1e-9, "old buckets age out");
}
