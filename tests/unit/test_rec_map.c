/* Unit tests of recommender/map.c against a plain array, through growth and deletions.
 * recommender/ is linked into its daemon, not a library, so the module is compiled in. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "recommender/map.c"

#define N 5000

Test(rec_map, idmap_matches_a_reference) {
    rec_idmap *m = rec_idmap_new(4);
    cr_assert_not_null(m);
    static int64_t val[N]; /* -1: absent */
    for (int i = 0; i < N; i++) val[i] = -1;
    uint64_t s = 1;
    for (int step = 0; step < 200000; step++) {
        s = rec_mix64(s + (uint64_t)step);
        int64_t id = (int64_t)(s % N) * 7919 - 100000; /* negative ids too */
        int k = (int)(s % N);
        uint32_t v;
        switch ((s >> 32) % 3) {
        case 0:
            cr_assert_eq(rec_idmap_put(m, id, (uint32_t)step), 0);
            val[k] = step;
            break;
        case 1:
            cr_assert_eq(rec_idmap_remove(m, id), val[k] >= 0);
            val[k] = -1;
            break;
        default:
            cr_assert_eq(rec_idmap_get(m, id, &v), val[k] >= 0);
            if (val[k] >= 0) cr_assert_eq(v, (uint32_t)val[k]);
        }
    }
    size_t live = 0;
    for (int k = 0; k < N; k++) live += val[k] >= 0;
    cr_assert_eq(rec_idmap_count(m), live);
    rec_idmap_del(m);
}

Test(rec_map, three_word_keys) {
    rec_map *m = rec_map_new(1);
    cr_assert_not_null(m);
    for (uint64_t i = 0; i < N; i++)
        cr_assert_eq(rec_map_put(m, (rec_key){i % 7, i, i * 3}, (uint32_t)i), 0);
    cr_assert_eq(rec_map_count(m), N);
    for (uint64_t i = 0; i < N; i += 2) cr_assert(rec_map_remove(m, (rec_key){i % 7, i, i * 3}));
    for (uint64_t i = 0; i < N; i++) {
        uint32_t v;
        int found = rec_map_get(m, (rec_key){i % 7, i, i * 3}, &v);
        cr_assert_eq(found, (int)(i % 2), "key %llu", (unsigned long long)i);
        if (found) cr_assert_eq(v, i);
    }
    cr_assert(!rec_map_get(m, (rec_key){1, 1, 4}, &(uint32_t){0}), "c differs");
    rec_map_del(m);
}
