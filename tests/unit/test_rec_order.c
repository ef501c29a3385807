/* Unit tests of recommender/order.c: exact against brute force, heuristic against its bound.
 * recommender/ is linked into its daemon, not a library, so the module is compiled in. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "recommender/order.c"

static double rnd(uint64_t *s) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) * 0x1.0p-53;
}

/* The cheapest open path by trying every permutation (n <= 8). */
static double brute(const double *cost, size_t n, int start) {
    size_t p[8];
    for (size_t i = 0; i < n; i++) p[i] = i;
    double best = INFINITY;
    for (;;) {
        if (start < 0 || p[0] == (size_t)start) {
            double c = path_cost(cost, n, p);
            if (c < best) best = c;
        }
        /* Next permutation. */
        long i = (long)n - 2;
        while (i >= 0 && p[i] > p[i + 1]) i--;
        if (i < 0) break;
        long j = (long)n - 1;
        while (p[j] < p[i]) j--;
        size_t t = p[i];
        p[i] = p[j];
        p[j] = t;
        for (long a = i + 1, b = (long)n - 1; a < b; a++, b--) {
            t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
    }
    return best;
}

static int is_permutation(const size_t *o, size_t n) {
    int seen[256] = {0};
    for (size_t i = 0; i < n; i++) {
        if (o[i] >= n || seen[o[i]]) return 0;
        seen[o[i]] = 1;
    }
    return 1;
}

Test(rec_order, exact_is_optimal) {
    uint64_t s = 7;
    for (size_t n = 1; n <= 8; n++) {
        for (int trial = 0; trial < 5; trial++) {
            double cost[64];
            for (size_t i = 0; i < n * n; i++) cost[i] = rnd(&s);
            int start = trial % 2 ? (int)(n / 2) : -1;
            size_t order[8];
            rec_order_info info;
            cr_assert_eq(rec_order_solve(cost, n, start, order, &info), 0);
            cr_assert(is_permutation(order, n));
            cr_assert(info.exact);
            if (start >= 0) cr_assert_eq(order[0], (size_t)start);
            cr_assert_float_eq(info.cost, brute(cost, n, start), 1e-9, "n %zu", n);
        }
    }
}

Test(rec_order, heuristic_is_bounded_and_valid) {
    uint64_t s = 11;
    size_t n = 60;
    double *cost = malloc(n * n * sizeof *cost);
    cr_assert_not_null(cost);
    /* Points on a line, with noise: the best path is near the sorted order. */
    double pos[60];
    for (size_t i = 0; i < n; i++) pos[i] = rnd(&s) * 100;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) cost[i * n + j] = fabs(pos[i] - pos[j]) + rnd(&s);
    size_t order[60];
    rec_order_info info;
    cr_assert_eq(rec_order_solve(cost, n, 3, order, &info), 0);
    cr_assert(is_permutation(order, n));
    cr_assert_eq(order[0], 3);
    cr_assert_leq(info.lower_bound, info.cost + 1e-9);
    cr_assert_float_eq(info.cost, path_cost(cost, n, order), 1e-9);
    /* On a line the optimum is about the span plus the noise: the heuristic gets close. */
    cr_assert_leq(info.cost, 2 * 100 + n, "cost %g", info.cost);
    free(cost);
}

Test(rec_order, bad_arguments) {
    double c[4] = {0};
    size_t o[2];
    rec_order_info info;
    cr_assert_eq(rec_order_solve(c, 0, -1, o, &info), -1);
    cr_assert_eq(rec_order_solve(c, 2, 2, o, &info), -1);
    cr_assert_eq(rec_order_solve(c, REC_ORDER_MAX + 1, -1, o, &info), -1);
}
