/* Unit tests of recommender/bucket.c: token bucket rate, burst and retry time.
 * recommender/ is linked into its daemon, not a library, so the module is compiled in. */
#include <criterion/criterion.h>

#include "recommender/bucket.c"

#define S 1000000000LL

Test(rec_bucket, burst_then_rate) {
    rec_bucket b;
    rec_bucket_init(&b, 5, 5, 0);
    double wait = 0;
    for (int i = 0; i < 5; i++) cr_assert(rec_bucket_take(&b, 0, &wait), "burst %d", i);
    cr_assert(!rec_bucket_take(&b, 0, &wait));
    cr_assert_float_eq(wait, 0.2, 1e-9, "one token every 1/5 s");
    cr_assert(!rec_bucket_take(&b, S / 10, &wait));
    cr_assert_float_eq(wait, 0.1, 1e-9);
    cr_assert(rec_bucket_take(&b, S / 5, &wait));
    /* A long pause refills to the burst only. */
    int n = 0;
    while (rec_bucket_take(&b, 100 * S, &wait)) n++;
    cr_assert_eq(n, 5);
}

Test(rec_bucket, slow_rates_and_clock_going_back) {
    rec_bucket b;
    rec_bucket_init(&b, 0.5, 0.5, 10 * S); /* burst raised to 1 */
    double wait;
    cr_assert(rec_bucket_take(&b, 10 * S, &wait));
    cr_assert(!rec_bucket_take(&b, 9 * S, &wait), "an earlier time adds nothing");
    cr_assert_float_eq(wait, 2.0, 1e-9);
    cr_assert(rec_bucket_take(&b, 12 * S, &wait));
}
