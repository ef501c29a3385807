/* store.c -- index, search and model behind a writer-preferring rwlock (see store.h). */
#include "recommender/store.h"

#include <stdlib.h>

rec_store *rec_store_new(void) {
    rec_store *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    pthread_rwlockattr_t a;
    pthread_rwlockattr_init(&a);
    pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    int rc = pthread_rwlock_init(&s->lock, &a);
    pthread_rwlockattr_destroy(&a);
    if (rc != 0) {
        free(s);
        return NULL;
    }
    s->index = rec_index_new();
    s->search = rec_search_new();
    s->model = rec_model_new();
    if (!s->index || !s->search || !s->model) {
        rec_store_del(s);
        return NULL;
    }
    return s;
}

void rec_store_del(rec_store *s) {
    if (!s) return;
    rec_index_del(s->index);
    rec_search_del(s->search);
    rec_model_del(s->model);
    pthread_rwlock_destroy(&s->lock);
    free(s);
}

void rec_store_read(rec_store *s) { pthread_rwlock_rdlock(&s->lock); }
void rec_store_write(rec_store *s) { pthread_rwlock_wrlock(&s->lock); }
void rec_store_unlock(rec_store *s) { pthread_rwlock_unlock(&s->lock); }

int rec_store_put_track(rec_store *s, const rec_track_in *t) {
    int changed;
    uint32_t slot;
    if (rec_index_put(s->index, t, &changed, &slot) != 0) return -1;
    if (changed && rec_search_add(s->search, s->index, slot) != 0) return -1;
    rec_stat st = rec_model_track(s->model, t->id);
    rec_index_set_pick(s->index, t->id, st.sum, st.n);
    return 0;
}

int rec_store_apply_event(rec_store *s, const rec_event *e) {
    int rc = rec_model_apply(s->model, s->index, e);
    if (rc == 1) {
        rec_stat st = rec_model_track(s->model, e->to);
        rec_index_set_pick(s->index, e->to, st.sum, st.n);
    }
    return rc;
}

int rec_store_compact(rec_store *s) {
    rec_search *fresh = rec_search_new();
    if (!fresh || rec_index_compact(s->index) != 0) {
        rec_search_del(fresh);
        return -1;
    }
    uint32_t n = rec_index_slots(s->index);
    for (uint32_t i = 0; i < n; i++) {
        if (rec_search_add(fresh, s->index, i) != 0) {
            /* The index is compacted but its old postings name old slots: keep what could
             * be added (search degrades, ranking is unaffected). */
            break;
        }
    }
    rec_search_del(s->search);
    s->search = fresh;
    return 0;
}
