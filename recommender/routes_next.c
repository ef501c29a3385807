/* routes_next.c -- GET /v1/tracks/{id}/next: ranked next tracks with their reasons. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recommender/reply.h"
#include "recommender/routes.h"
#include "recommender/view.h"

/* Parses exclude=1,2,3 into ids (room for REC_MAX_EXCLUDE). The count, or -1 with a 400. */
static int parse_exclude(const char *s, int64_t *ids, rec_resp *r) {
    int n = 0;
    if (!s || !*s) return 0;
    const char *p = s;
    while (*p) {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno || v <= 0 || (*end && *end != ',') || *p == '+' || *p == ' ') {
            rec_reply_error(r, 400, "exclude: must be track ids separated by commas, not '%.60s'",
                            s);
            return -1;
        }
        if (n == REC_MAX_EXCLUDE) {
            rec_reply_error(r, 400, "exclude: at most %d track ids", REC_MAX_EXCLUDE);
            return -1;
        }
        ids[n++] = v;
        p = *end ? end + 1 : end;
        if (*end && !*p) {
            rec_reply_error(r, 400, "exclude: trailing comma in '%.60s'", s);
            return -1;
        }
    }
    return n;
}

void rec_get_next(rec_app *app, const rec_req *q, rec_resp *r, int64_t id) {
    static const char *const args[] = {"limit", "user", "energy", "exclude", NULL};
    if (rec_req_only_args(q, args, r) != 0) return;
    int limit;
    if (rec_arg_limit(rec_req_arg(q, "limit"), 10, &limit, r) != 0) return;
    const char *user = rec_req_arg(q, "user");
    if (rec_arg_user(user, "user", r) != 0) return;
    rec_energy_dir dir;
    const char *energy = rec_req_arg(q, "energy");
    if (rec_energy_parse(energy, &dir) != 0) {
        rec_reply_error(r, 400, "energy: must be up, down or keep, not '%.40s'", energy);
        return;
    }
    int64_t excl[REC_MAX_EXCLUDE];
    int nexcl = parse_exclude(rec_req_arg(q, "exclude"), excl, r);
    if (nexcl < 0) return;

    rec_query query = {.from = id,
                       .user = user,
                       .energy = dir,
                       .limit = limit,
                       .exclude = excl,
                       .n_exclude = (size_t)nexcl};
    rec_scored res[REC_MAX_LIMIT];
    size_t scored = 0;
    rec_store *st = app->store;
    rec_store_read(st);
    const rec_track *a = rec_index_find(st->index, id);
    if (!a) {
        rec_store_unlock(st);
        rec_reply_error(r, 404,
                        "track %lld is not in the index (unknown, missing, or not analysed yet)",
                        (long long)id);
        return;
    }
    rec_context c;
    int n = rec_model_context(st->model, user, id, rec_index_tag_count(st->index), &c);
    if (n == 0) n = rec_rank_next(&app->rank, st->index, st->model, &c, &query, res, &scored);
    if (n < 0) {
        rec_model_context_free(&c);
        rec_store_unlock(st);
        rec_reply_error(r, 500, "out of memory");
        return;
    }
    static const char *dirs[] = {NULL, "up", "down", "keep"};
    rec_jw w;
    rec_jw_init(&w);
    rec_jw_obj(&w);
    rec_jw_key(&w, "track");
    rec_jw_obj(&w);
    rec_view_track(&w, st->index, a);
    rec_jw_end_obj(&w);
    rec_jw_key(&w, "user");
    rec_jw_str(&w, user);
    rec_jw_key(&w, "energy");
    rec_jw_str(&w, dirs[dir]);
    rec_jw_key(&w, "candidates_scored");
    rec_jw_int(&w, (int64_t)scored);
    rec_jw_key(&w, "results");
    rec_jw_arr(&w);
    for (int i = 0; i < n; i++) {
        const rec_track *b = rec_index_at(st->index, res[i].slot);
        rec_jw_obj(&w);
        rec_view_track(&w, st->index, b);
        rec_view_transition(&w, &app->rank, st->index, st->model, &c, a, b, dir, &res[i]);
        rec_jw_end_obj(&w);
    }
    rec_jw_end_arr(&w);
    rec_jw_end_obj(&w);
    rec_model_context_free(&c);
    rec_store_unlock(st);
    rec_reply_jw(r, 200, &w);
}
