/* order.c -- Held-Karp for small sets; nearest neighbour + 2-opt + Or-opt with a lower
 * bound for larger ones (see order.h). */
#include "recommender/order.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define REC_ORDER_STARTS 4
#define C(i, j) cost[(size_t)(i)*n + (size_t)(j)]

static double path_cost(const double *cost, size_t n, const size_t *p) {
    double s = 0;
    for (size_t i = 0; i + 1 < n; i++) s += C(p[i], p[i + 1]);
    return s;
}

/* Held-Karp: best[mask][j], the cheapest path through the items of mask ending at j. */
static int exact(const double *cost, size_t n, int start, size_t *order) {
    size_t full = (size_t)1 << n;
    double *best = malloc(full * n * sizeof *best);
    uint8_t *prev = malloc(full * n);
    if (!best || !prev) {
        free(best);
        free(prev);
        return -1;
    }
    for (size_t i = 0; i < full * n; i++) best[i] = INFINITY;
    for (size_t j = 0; j < n; j++)
        if (start < 0 || (size_t)start == j) best[((size_t)1 << j) * n + j] = 0;
    for (size_t mask = 1; mask < full; mask++) {
        for (size_t j = 0; j < n; j++) {
            double b = best[mask * n + j];
            if (!(mask >> j & 1) || b == INFINITY) continue;
            for (size_t k = 0; k < n; k++) {
                if (mask >> k & 1) continue;
                size_t m2 = mask | (size_t)1 << k;
                double v = b + C(j, k);
                if (v < best[m2 * n + k]) {
                    best[m2 * n + k] = v;
                    prev[m2 * n + k] = (uint8_t)j;
                }
            }
        }
    }
    size_t mask = full - 1, end = 0;
    for (size_t j = 1; j < n; j++)
        if (best[mask * n + j] < best[mask * n + end]) end = j;
    for (size_t pos = n; pos-- > 0;) {
        order[pos] = end;
        if (pos == 0) break;
        size_t p = prev[mask * n + end];
        mask &= ~((size_t)1 << end);
        end = p;
    }
    free(best);
    free(prev);
    return 0;
}

static void nearest_neighbour(const double *cost, size_t n, size_t first, size_t *p,
                              uint8_t *used) {
    memset(used, 0, n);
    p[0] = first;
    used[first] = 1;
    for (size_t i = 1; i < n; i++) {
        size_t best = n;
        for (size_t k = 0; k < n; k++)
            if (!used[k] && (best == n || C(p[i - 1], k) < C(p[i - 1], best))) best = k;
        p[i] = best;
        used[best] = 1;
    }
}

/* Prefix sums of the path's forward and backward edge costs. */
static void prefix(const double *cost, size_t n, const size_t *p, double *F, double *B) {
    F[0] = B[0] = 0;
    for (size_t t = 0; t + 1 < n; t++) {
        F[t + 1] = F[t] + C(p[t], p[t + 1]);
        B[t + 1] = B[t] + C(p[t + 1], p[t]);
    }
}

/* One improving 2-opt move (reversing p[i..j]), if any; 1 when one was made. */
static int two_opt(const double *cost, size_t n, size_t *p, size_t lo, double *F, double *B) {
    prefix(cost, n, p, F, B);
    for (size_t i = lo; i + 1 < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            double old = F[j] - F[i], nw = B[j] - B[i];
            if (i > 0) {
                old += C(p[i - 1], p[i]);
                nw += C(p[i - 1], p[j]);
            }
            if (j + 1 < n) {
                old += C(p[j], p[j + 1]);
                nw += C(p[i], p[j + 1]);
            }
            if (nw < old - 1e-12) {
                for (size_t a = i, b = j; a < b; a++, b--) {
                    size_t t = p[a];
                    p[a] = p[b];
                    p[b] = t;
                }
                return 1;
            }
        }
    }
    return 0;
}

/* One improving Or-opt move (a run of 1..3 items moved elsewhere), if any. */
static int or_opt(const double *cost, size_t n, size_t *p, size_t lo, size_t *tmp) {
    for (size_t len = 1; len <= 3; len++) {
        for (size_t i = lo; i + len <= n; i++) {
            size_t j = i + len - 1; /* the run is p[i..j] */
            /* Cost removed by taking the run out. */
            double out = 0, join = 0;
            if (i > 0) out += C(p[i - 1], p[i]);
            if (j + 1 < n) out += C(p[j], p[j + 1]);
            if (i > 0 && j + 1 < n) join = C(p[i - 1], p[j + 1]);
            /* Insert between p[k] and p[k + 1] (k outside the run; k = -1 means the front). */
            for (size_t kk = 0; kk <= n; kk++) {
                long k = (long)kk - 1;
                if (k >= (long)i - 1 && k <= (long)j) continue;
                if (k < (long)lo - 1 || (k == -1 && lo > 0)) continue;
                double in = 0, broken = 0;
                size_t a = k >= 0 ? p[k] : n, b = (size_t)(k + 1) < n ? p[k + 1] : n;
                if (a < n) in += C(a, p[i]);
                if (b < n) in += C(p[j], b);
                if (a < n && b < n) broken = C(a, b);
                double delta = (join + in) - (out + broken);
                if (delta < -1e-12) {
                    /* Rebuild the path with the run moved after p[k]. */
                    size_t m = 0;
                    if (k == -1)
                        for (size_t r = i; r <= j; r++) tmp[m++] = p[r];
                    for (size_t t = 0; t < n; t++) {
                        if (t >= i && t <= j) continue;
                        tmp[m++] = p[t];
                        if ((long)t == k)
                            for (size_t r = i; r <= j; r++) tmp[m++] = p[r];
                    }
                    memcpy(p, tmp, n * sizeof *p);
                    return 1;
                }
            }
        }
    }
    return 0;
}

/* Lower bound on the optimal open path (see order.h). */
static double lower_bound(const double *cost, size_t n, int start, double *key, uint8_t *in) {
    /* Prim's algorithm on min(c[i][j], c[j][i]). */
    double mst = 0;
    memset(in, 0, n);
    for (size_t i = 0; i < n; i++) key[i] = INFINITY;
    key[0] = 0;
    for (size_t it = 0; it < n; it++) {
        size_t u = n;
        for (size_t i = 0; i < n; i++)
            if (!in[i] && (u == n || key[i] < key[u])) u = i;
        in[u] = 1;
        mst += key[u];
        for (size_t v = 0; v < n; v++) {
            double w = fmin(C(u, v), C(v, u));
            if (!in[v] && w < key[v]) key[v] = w;
        }
    }
    /* Every item but the first is entered once, by some edge. */
    double sum = 0, largest = 0;
    for (size_t j = 0; j < n; j++) {
        double m = INFINITY;
        for (size_t i = 0; i < n; i++)
            if (i != j && C(i, j) < m) m = C(i, j);
        if (start >= 0 && (size_t)start == j) continue; /* the start is never entered */
        sum += m;
        if (m > largest) largest = m;
    }
    double entry = start >= 0 ? sum : sum - largest;
    return fmax(mst, entry);
}

int rec_order_solve(const double *cost, size_t n, int start, size_t *order, rec_order_info *info) {
    if (n == 0 || n > REC_ORDER_MAX || (start >= 0 && (size_t)start >= n)) return -1;
    if (n <= REC_ORDER_EXACT_MAX) {
        if (exact(cost, n, start, order) != 0) return -1;
        info->cost = path_cost(cost, n, order);
        info->lower_bound = info->cost;
        info->exact = 1;
        info->method = "exact: Held-Karp dynamic programming";
        return 0;
    }
    size_t *p = malloc(n * sizeof *p), *tmp = malloc(n * sizeof *tmp);
    double *F = malloc(n * sizeof *F), *B = malloc(n * sizeof *B);
    uint8_t *used = malloc(n);
    if (!p || !tmp || !F || !B || !used) {
        free(p);
        free(tmp);
        free(F);
        free(B);
        free(used);
        return -1;
    }
    /* Nearest neighbour from every allowed start; the REC_ORDER_STARTS cheapest paths
     * are then improved to local optima. */
    size_t lo = start >= 0 ? 1 : 0, nstarts = 0;
    size_t first[REC_ORDER_STARTS];
    double first_cost[REC_ORDER_STARTS];
    for (size_t s = 0; s < n; s++) {
        if (start >= 0 && (size_t)start != s) continue;
        nearest_neighbour(cost, n, s, p, used);
        double c = path_cost(cost, n, p);
        size_t at = nstarts < REC_ORDER_STARTS ? nstarts++ : REC_ORDER_STARTS;
        if (at == REC_ORDER_STARTS) {
            if (c >= first_cost[REC_ORDER_STARTS - 1]) continue;
            at = REC_ORDER_STARTS - 1;
        }
        while (at > 0 && first_cost[at - 1] > c) {
            first[at] = first[at - 1];
            first_cost[at] = first_cost[at - 1];
            at--;
        }
        first[at] = s;
        first_cost[at] = c;
    }
    double best = INFINITY;
    for (size_t k = 0; k < nstarts; k++) {
        nearest_neighbour(cost, n, first[k], p, used);
        for (size_t guard = 0; guard < n * n; guard++)
            if (!two_opt(cost, n, p, lo, F, B) && !or_opt(cost, n, p, lo, tmp)) break;
        double c = path_cost(cost, n, p);
        if (c < best) {
            best = c;
            memcpy(order, p, n * sizeof *p);
        }
    }
    info->cost = best;
    info->lower_bound = fmin(best, lower_bound(cost, n, start, F, used));
    info->exact = info->lower_bound >= best - 1e-9;
    info->method = "heuristic: nearest neighbour from every start, the best 4 improved by "
                   "2-opt and Or-opt; lower bound from a spanning tree and cheapest entries";
    free(p);
    free(tmp);
    free(F);
    free(B);
    free(used);
    return 0;
}
