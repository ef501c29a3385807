/* order.h -- putting a set of tracks in the order that mixes best.
 *
 * Given non-negative directed transition costs c[i][j], finds an open path through all n
 * items (optionally starting at a given one) with a low total cost -- the asymmetric
 * shortest Hamiltonian path problem, NP-hard in general:
 *   - n <= REC_ORDER_EXACT_MAX: exact, by Held-Karp dynamic programming (O(2^n n^2));
 *   - larger n: nearest neighbour from every possible start; the 4 cheapest of those paths
 *     are improved by directed 2-opt (segment reversal) and Or-opt (moving runs of 1-3
 *     items) to local optima;
 *     the best is returned with a lower bound on the optimum: the larger of a minimum
 *     spanning tree of min(c[i][j], c[j][i]) and the sum of each item's cheapest incoming
 *     edge less the largest such (every path is a spanning tree, and every item but the
 *     first is entered once). */
#ifndef REC_ORDER_H
#define REC_ORDER_H

#include <stddef.h>

#define REC_ORDER_EXACT_MAX 13
#define REC_ORDER_MAX 200 /* items accepted */

typedef struct rec_order_info {
    double cost;        /* of the order found */
    double lower_bound; /* on the optimal cost (equal to cost when exact) */
    int exact;          /* 1 when the order is provably optimal */
    const char *method; /* words naming the method used */
} rec_order_info;

/* Orders the n items (1 <= n <= REC_ORDER_MAX) with costs cost[i * n + j] (from i to j,
 * non-negative) into order[n]; start is the index of the item to begin with, or -1 for
 * any. Returns 0, or -1 when out of memory or the arguments are out of range. */
int rec_order_solve(const double *cost, size_t n, int start, size_t *order, rec_order_info *info);

#endif
