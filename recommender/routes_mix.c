/* routes_mix.c -- POST /v1/mixes/order: a set of tracks put in the order that mixes best.
 *
 * Every ordered pair is scored as a transition (rank.h); a transition's cost is the best
 * pair score less its own, so the cheapest path is the one with the highest total score.
 * order.h finds it (exactly for small sets) and bounds how far from optimal it may be;
 * the response reports the bound as the best total score any order could reach. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "recommender/order.h"
#include "recommender/reply.h"
#include "recommender/routes.h"
#include "recommender/view.h"

typedef struct order_req {
    int64_t ids[REC_ORDER_MAX];
    size_t n;
    int start; /* index into ids, or -1 */
    const char *user;
    rec_energy_dir energy;
} order_req;

/* Validates the body into o. 0, or -1 with a 400 in r. */
static int parse(const json_t *body, order_req *o, rec_resp *r) {
    static const char *const fields[] = {"tracks", "start", "user", "energy", NULL};
    if (rec_json_only(body, fields, "body", r) != 0) return -1;
    const json_t *t = json_object_get(body, "tracks");
    if (!json_is_array(t) || json_array_size(t) < 2 || json_array_size(t) > REC_ORDER_MAX) {
        rec_reply_error(r, 400, "tracks: must be an array of 2 to %d track ids", REC_ORDER_MAX);
        return -1;
    }
    o->n = json_array_size(t);
    for (size_t i = 0; i < o->n; i++) {
        const json_t *v = json_array_get(t, i);
        if (!json_is_integer(v) || json_integer_value(v) <= 0) {
            rec_reply_error(r, 400, "tracks[%zu]: must be a positive whole number (a track id)", i);
            return -1;
        }
        o->ids[i] = json_integer_value(v);
        for (size_t j = 0; j < i; j++)
            if (o->ids[j] == o->ids[i]) {
                rec_reply_error(r, 400, "tracks[%zu]: track %lld is listed twice", i,
                                (long long)o->ids[i]);
                return -1;
            }
    }
    o->start = -1;
    const json_t *s = json_object_get(body, "start");
    if (s && !json_is_null(s)) {
        for (size_t i = 0; json_is_integer(s) && i < o->n; i++)
            if (o->ids[i] == json_integer_value(s)) o->start = (int)i;
        if (o->start < 0) {
            rec_reply_error(r, 400, "start: must be one of the ids in tracks");
            return -1;
        }
    }
    const json_t *u = json_object_get(body, "user");
    o->user = NULL;
    if (u && !json_is_null(u)) {
        if (!json_is_string(u)) {
            rec_reply_error(r, 400, "user: must be a string");
            return -1;
        }
        o->user = json_string_value(u);
        if (rec_arg_user(o->user, "user", r) != 0) return -1;
    }
    const json_t *e = json_object_get(body, "energy");
    o->energy = REC_ENERGY_ANY;
    if (e && !json_is_null(e) &&
        (!json_is_string(e) || rec_energy_parse(json_string_value(e), &o->energy) != 0)) {
        rec_reply_error(r, 400, "energy: must be \"up\", \"down\" or \"keep\"");
        return -1;
    }
    return 0;
}

/* The score matrix of o's tracks (under the read lock). 0, -1 out of memory, or -2 with
 * a 400 in r for a track not in the index. */
static int score_matrix(rec_app *app, const order_req *o, double *score, rec_resp *r) {
    rec_store *st = app->store;
    const rec_track *t[REC_ORDER_MAX];
    for (size_t i = 0; i < o->n; i++) {
        t[i] = rec_index_find(st->index, o->ids[i]);
        if (!t[i]) {
            rec_reply_error(r, 400, "tracks[%zu]: track %lld is not in the index", i,
                            (long long)o->ids[i]);
            return -2;
        }
    }
    float comp[REC_NCOMP];
    for (size_t i = 0; i < o->n; i++) {
        rec_context c;
        if (rec_model_context(st->model, o->user, o->ids[i], rec_index_tag_count(st->index), &c))
            return -1;
        for (size_t j = 0; j < o->n; j++)
            score[i * o->n + j] =
                i == j ? 0 : rec_rank_pair(&app->rank, st->model, &c, t[i], t[j], o->energy, comp);
        rec_model_context_free(&c);
    }
    return 0;
}

/* The tracks in order and the transitions with their reasons (under the read lock). A
 * track removed since it was scored is written as its id alone. */
static void describe(rec_app *app, const order_req *o, const size_t *path, rec_jw *w) {
    rec_store *st = app->store;
    rec_jw_key(w, "tracks");
    rec_jw_arr(w);
    for (size_t k = 0; k < o->n; k++) {
        const rec_track *b = rec_index_find(st->index, o->ids[path[k]]);
        rec_jw_obj(w);
        if (b)
            rec_view_track(w, st->index, b);
        else {
            rec_jw_key(w, "id");
            rec_jw_int(w, o->ids[path[k]]);
        }
        rec_jw_end_obj(w);
    }
    rec_jw_end_arr(w);
    rec_jw_key(w, "transitions");
    rec_jw_arr(w);
    for (size_t k = 1; k < o->n; k++) {
        const rec_track *a = rec_index_find(st->index, o->ids[path[k - 1]]);
        const rec_track *b = rec_index_find(st->index, o->ids[path[k]]);
        rec_jw_obj(w);
        rec_jw_key(w, "from");
        rec_jw_int(w, o->ids[path[k - 1]]);
        rec_jw_key(w, "to");
        rec_jw_int(w, o->ids[path[k]]);
        rec_context c;
        if (a && b &&
            rec_model_context(st->model, o->user, a->id, rec_index_tag_count(st->index), &c) == 0) {
            rec_scored s;
            s.score = rec_rank_pair(&app->rank, st->model, &c, a, b, o->energy, s.c);
            rec_view_transition(w, &app->rank, st->index, st->model, &c, a, b, o->energy, &s);
            rec_model_context_free(&c);
        }
        rec_jw_end_obj(w);
    }
    rec_jw_end_arr(w);
}

void rec_post_order(rec_app *app, const rec_req *q, rec_resp *r) {
    json_t *body;
    if (rec_req_json(q, r, &body) != 0) return;
    order_req *o = malloc(sizeof *o);
    double *score = NULL, *cost = NULL;
    size_t *path = NULL;
    if (!o) goto oom;
    if (parse(body, o, r) != 0) goto done;
    size_t n = o->n;
    score = malloc(n * n * sizeof *score);
    cost = malloc(n * n * sizeof *cost);
    path = malloc(n * sizeof *path);
    if (!score || !cost || !path) goto oom;
    rec_store_read(app->store);
    int rc = score_matrix(app, o, score, r);
    rec_store_unlock(app->store);
    if (rc == -2) goto done;
    if (rc != 0) goto oom;

    /* Cost: the best pair score less this one's (>= 0); the diagonal is never used. */
    double best = -INFINITY;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (i != j && score[i * n + j] > best) best = score[i * n + j];
    for (size_t i = 0; i < n * n; i++) cost[i] = best - score[i];
    rec_order_info info;
    if (rec_order_solve(cost, n, o->start, path, &info) != 0) goto oom;
    double total = (double)(n - 1) * best - info.cost;
    double bound = (double)(n - 1) * best - info.lower_bound;

    rec_jw w;
    rec_jw_init(&w);
    rec_jw_obj(&w);
    rec_jw_key(&w, "order");
    rec_jw_arr(&w);
    for (size_t k = 0; k < n; k++) rec_jw_int(&w, o->ids[path[k]]);
    rec_jw_end_arr(&w);
    rec_jw_key(&w, "method");
    rec_jw_str(&w, info.method);
    rec_jw_key(&w, "optimal");
    rec_jw_bool(&w, info.exact);
    rec_jw_key(&w, "total_score");
    rec_jw_num(&w, total, 4);
    rec_jw_key(&w, "score_bound");
    rec_jw_num(&w, bound, 4);
    rec_jw_key(&w, "gap");
    rec_jw_num(&w, bound - total, 4);
    rec_store_read(app->store);
    describe(app, o, path, &w);
    rec_store_unlock(app->store);
    rec_jw_end_obj(&w);
    rec_reply_jw(r, 200, &w);
    goto done;
oom:
    rec_reply_error(r, 500, "out of memory");
done:
    json_decref(body);
    free(o);
    free(score);
    free(cost);
    free(path);
}
