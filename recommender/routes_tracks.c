/* routes_tracks.c -- GET /v1/tracks?q= (search) and GET /v1/tracks/{id} (one track). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonout.h"
#include "common/log.h"
#include "recommender/reply.h"
#include "recommender/routes.h"
#include "recommender/view.h"

#define MIN_MATCH 0.5 /* share of the query's trigrams a result must hold */

void rec_get_search(rec_app *app, const rec_req *q, rec_resp *r) {
    static const char *const args[] = {"q", "limit", NULL};
    if (rec_req_only_args(q, args, r) != 0) return;
    const char *text = rec_req_arg(q, "q");
    int limit;
    if (!text || !*text) {
        rec_reply_error(r, 400, "q: a search text is required, e.g. /v1/tracks?q=daft+punk");
        return;
    }
    size_t n = strlen(text);
    if (n > REC_SEARCH_MAX_QUERY || !mq_utf8_valid(text, n)) {
        rec_reply_error(r, 400, "q: must be 1 to %d bytes of UTF-8", REC_SEARCH_MAX_QUERY);
        return;
    }
    if (rec_arg_limit(rec_req_arg(q, "limit"), 20, &limit, r) != 0) return;
    rec_hit hits[REC_MAX_LIMIT];
    rec_jw w;
    rec_jw_init(&w);
    rec_jw_obj(&w);
    rec_jw_key(&w, "query");
    rec_jw_str(&w, text);
    rec_jw_key(&w, "results");
    rec_jw_arr(&w);
    rec_store_read(app->store);
    int nh = rec_search_find(app->store->search, app->store->index, text, MIN_MATCH, hits, limit);
    for (int i = 0; i < nh; i++) {
        const rec_track *t = rec_index_at(app->store->index, hits[i].slot);
        if (!t) continue;
        rec_jw_obj(&w);
        rec_view_track(&w, app->store->index, t);
        rec_jw_key(&w, "match");
        rec_jw_num(&w, hits[i].score, 3);
        rec_jw_end_obj(&w);
    }
    rec_store_unlock(app->store);
    rec_jw_end_arr(&w);
    rec_jw_end_obj(&w);
    if (nh < 0) {
        rec_jw_free(&w);
        rec_reply_error(r, 500, "out of memory");
        return;
    }
    rec_reply_jw(r, 200, &w);
}

/* The catalogue row, the latest features (the analyser's JSON, without the file's path)
 * and the tags, built as one JSON object by PostgreSQL. */
static const char track_sql[] =
    "SELECT json_build_object("
    " 'id', t.id, 'title', t.title, 'artist', t.artist, 'album', t.album,"
    " 'album_artist', t.album_artist, 'year', t.year, 'genre', t.genre,"
    " 'track_number', t.track_number, 'isrc', t.isrc, 'duration_s', t.duration_s,"
    " 'declared_bpm', t.declared_bpm, 'declared_key', t.declared_key, 'missing', t.missing,"
    " 'added_at', t.added_at, 'updated_at', t.updated_at,"
    " 'analyzer_version', f.analyzer_version, 'analyzed_at', f.analyzed_at,"
    " 'features', f.features - 'path' - 'path_hex',"
    " 'tags', coalesce((SELECT json_agg(json_build_object('model', g.model, 'tag', g.tag,"
    "   'probability', g.probability) ORDER BY g.probability DESC, g.tag)"
    "   FROM track_tags g WHERE g.track_id = t.id AND g.analyzer_version = f.analyzer_version),"
    "   '[]'::json))::text"
    " FROM tracks t LEFT JOIN LATERAL (SELECT x.analyzer_version, x.analyzed_at, x.features"
    "   FROM track_features x WHERE x.track_id = t.id"
    "   ORDER BY x.analyzed_at DESC, x.analyzer_version DESC LIMIT 1) f ON true"
    " WHERE t.id = $1";

void rec_get_track(rec_app *app, const rec_req *q, rec_resp *r, int64_t id) {
    static const char *const args[] = {NULL};
    if (rec_req_only_args(q, args, r) != 0) return;
    char err[256], idtext[32];
    PGconn *c = rec_pool_get(app->pool, 2000, err, sizeof err);
    if (!c) {
        r->retry_after = 1;
        rec_reply_error(r, 503, "the database is unavailable: %s", err);
        return;
    }
    snprintf(idtext, sizeof idtext, "%lld", (long long)id);
    const char *params[1] = {idtext};
    PGresult *res = PQexecParams(c, track_sql, 1, NULL, params, NULL, NULL, 0);
    int broken = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        broken = 1;
        mq_log(MQ_LOG_ERROR, "track query failed", "error", PQerrorMessage(c), NULL);
        r->retry_after = 1;
        rec_reply_error(r, 503, "the database query failed");
    } else if (PQntuples(res) == 0) {
        rec_reply_error(r, 404, "no track with id %lld", (long long)id);
    } else {
        json_error_t e;
        json_t *j = json_loads(PQgetvalue(res, 0, 0), 0, &e);
        if (!j)
            rec_reply_error(r, 500, "the stored track is not valid JSON: %s", e.text);
        else
            rec_reply_json(r, 200, j);
    }
    PQclear(res);
    rec_pool_put(app->pool, c, broken);
}
