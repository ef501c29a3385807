/* routes_feedback.c -- POST /v1/feedback: a batch of listening events, each stored once.
 *
 * Every event is validated first (a 400 names the event and the field); the batch is
 * then inserted in one statement with ON CONFLICT (event_id) DO NOTHING, so sending a
 * batch again, whole or in part, stores nothing twice. The model learns from the stored
 * rows through NOTIFY mixq_feedback (db/002_recommender.sql), like every other instance. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonout.h"
#include "common/log.h"
#include "recommender/reply.h"
#include "recommender/routes.h"

#define MAX_EVENT_ID 128

static const char insert_sql[] =
    "INSERT INTO user_feedback (event_id, user_id, current_track_id, next_track_id,"
    " event_type, rating, position_s, occurred_at)"
    " SELECT e.event_id, e.user_id, e.current_track, e.next_track, e.type, e.rating,"
    " e.position_s, coalesce(e.time, now())"
    " FROM json_to_recordset($1::json) AS e(event_id text, user_id text, current_track bigint,"
    " next_track bigint, type text, rating real, position_s real, time timestamptz)"
    " ON CONFLICT (event_id) DO NOTHING";

/* Digits at s[0..n), all of them, as a number; -1 when not. */
static int digits(const char *s, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* True for an RFC 3339 date-time: 2026-03-01T12:00:00(.123)?(Z|+01:00). */
static int rfc3339(const char *s) {
    size_t n = strlen(s);
    if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':')
        return 0;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2), h = digits(s + 11, 2),
        mi = digits(s + 14, 2), se = digits(s + 17, 2);
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        se < 0 || se > 60)
        return 0;
    size_t i = 19;
    if (s[i] == '.') {
        size_t k = ++i;
        while (i < n && isdigit((unsigned char)s[i])) i++;
        if (i == k || i - k > 9) return 0;
    }
    if (s[i] == 'Z' || s[i] == 'z') return i + 1 == n;
    if ((s[i] != '+' && s[i] != '-') || n - i != 6 || s[i + 3] != ':') return 0;
    int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
    return oh >= 0 && oh <= 23 && om >= 0 && om <= 59;
}

/* An optional track id member: 0 absent or null, the id, or -1 when malformed. */
static int64_t track_member(const json_t *ev, const char *name) {
    const json_t *v = json_object_get(ev, name);
    if (!v || json_is_null(v)) return 0;
    if (!json_is_integer(v) || json_integer_value(v) <= 0) return -1;
    return json_integer_value(v);
}

/* Validates events[i] and appends its row to rows. 0, or -1 with a 400 in r. */
static int check_event(const json_t *ev, size_t i, json_t *rows, rec_resp *r) {
    static const char *const fields[] = {"event_id",   "user", "current_track",
                                         "next_track", "type", "rating",
                                         "position_s", "time", NULL};
    char where[32];
    snprintf(where, sizeof where, "events[%zu]", i);
    if (!json_is_object(ev)) {
        rec_reply_error(r, 400, "%s: must be an object", where);
        return -1;
    }
    if (rec_json_only(ev, fields, where, r) != 0) return -1;
    const json_t *id = json_object_get(ev, "event_id");
    if (!json_is_string(id) || json_string_length(id) < 1 ||
        json_string_length(id) > MAX_EVENT_ID) {
        rec_reply_error(r, 400, "%s.event_id: must be a string of 1 to %d bytes", where,
                        MAX_EVENT_ID);
        return -1;
    }
    const json_t *user = json_object_get(ev, "user");
    if (!json_is_string(user) || json_string_length(user) < 1 ||
        json_string_length(user) > REC_MAX_USER) {
        rec_reply_error(r, 400, "%s.user: must be a string of 1 to %d bytes", where, REC_MAX_USER);
        return -1;
    }
    const json_t *type = json_object_get(ev, "type");
    int t = json_is_string(type) ? rec_event_type_parse(json_string_value(type)) : -1;
    if (t < 0) {
        rec_reply_error(
            r, 400, "%s.type: must be one of play, skip, like, dislike, transition_rating", where);
        return -1;
    }
    int64_t cur = track_member(ev, "current_track"), next = track_member(ev, "next_track");
    if (cur < 0) {
        rec_reply_error(r, 400, "%s.current_track: must be a track id (a positive whole number)",
                        where);
        return -1;
    }
    if (next <= 0) {
        rec_reply_error(
            r, 400, "%s.next_track: a track id (the track the event is about) is required", where);
        return -1;
    }
    const json_t *rating = json_object_get(ev, "rating");
    if (rating && !json_is_null(rating) &&
        (!json_is_number(rating) || !(json_number_value(rating) >= 1) ||
         !(json_number_value(rating) <= 5))) {
        rec_reply_error(r, 400, "%s.rating: must be a number from 1 to 5", where);
        return -1;
    }
    if (t == REC_EV_RATING && (!rating || json_is_null(rating))) {
        rec_reply_error(r, 400, "%s.rating: a transition_rating needs a rating from 1 to 5", where);
        return -1;
    }
    if (t == REC_EV_RATING && !cur) {
        rec_reply_error(r, 400, "%s.current_track: a transition_rating needs the track before",
                        where);
        return -1;
    }
    const json_t *pos = json_object_get(ev, "position_s");
    if (pos && !json_is_null(pos) &&
        (!json_is_number(pos) || !(json_number_value(pos) >= 0) ||
         !(json_number_value(pos) <= 86400))) {
        rec_reply_error(r, 400, "%s.position_s: must be seconds from 0 to 86400", where);
        return -1;
    }
    const json_t *time = json_object_get(ev, "time");
    if (time && !json_is_null(time) &&
        (!json_is_string(time) || !rfc3339(json_string_value(time)))) {
        rec_reply_error(
            r, 400, "%s.time: must be an RFC 3339 date-time such as 2026-03-01T21:04:05Z", where);
        return -1;
    }
    json_t *row = json_object();
    int bad = !row;
    bad |= json_object_set(row, "event_id", (json_t *)id) != 0;
    bad |= json_object_set(row, "user_id", (json_t *)user) != 0;
    bad |= json_object_set_new(row, "current_track", cur ? json_integer(cur) : json_null()) != 0;
    bad |= json_object_set_new(row, "next_track", json_integer(next)) != 0;
    bad |= json_object_set(row, "type", (json_t *)type) != 0;
    bad |=
        json_object_set_new(row, "rating",
                            rating && !json_is_null(rating) ? json_real(json_number_value(rating))
                                                            : json_null()) != 0;
    bad |= json_object_set_new(row, "position_s",
                               pos && !json_is_null(pos) ? json_real(json_number_value(pos))
                                                         : json_null()) != 0;
    bad |= json_object_set(row, "time", time ? (json_t *)time : json_null()) != 0;
    bad |= json_array_append_new(rows, row) != 0;
    if (bad) {
        rec_reply_error(r, 500, "out of memory");
        return -1;
    }
    return 0;
}

void rec_post_feedback(rec_app *app, const rec_req *q, rec_resp *r) {
    json_t *body;
    if (rec_req_json(q, r, &body) != 0) return;
    static const char *const fields[] = {"events", NULL};
    json_t *rows = NULL;
    char *rows_text = NULL;
    if (rec_json_only(body, fields, "body", r) != 0) goto done;
    const json_t *events = json_object_get(body, "events");
    size_t n = json_array_size(events);
    if (!json_is_array(events) || n < 1 || n > REC_MAX_EVENTS) {
        rec_reply_error(r, 400, "events: must be an array of 1 to %d events", REC_MAX_EVENTS);
        goto done;
    }
    rows = json_array();
    if (!rows) {
        rec_reply_error(r, 500, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (check_event(json_array_get(events, i), i, rows, r) != 0) goto done;
    rows_text = json_dumps(rows, JSON_COMPACT);
    if (!rows_text) {
        rec_reply_error(r, 500, "out of memory");
        goto done;
    }
    char err[256];
    PGconn *c = rec_pool_get(app->pool, 2000, err, sizeof err);
    if (!c) {
        r->retry_after = 1;
        rec_reply_error(r, 503, "the database is unavailable: %s", err);
        goto done;
    }
    const char *params[1] = {rows_text};
    PGresult *res = PQexecParams(c, insert_sql, 1, NULL, params, NULL, NULL, 0);
    int broken = 0;
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        long stored = strtol(PQcmdTuples(res), NULL, 10);
        json_t *out = json_pack("{s:I,s:I,s:I}", "received", (json_int_t)n, "stored",
                                (json_int_t)stored, "duplicates", (json_int_t)(n - (size_t)stored));
        rec_reply_json(r, 200, out);
    } else {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
        const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        if (state && !strcmp(state, "23503")) {
            rec_reply_error(r, 400, "events: a track id is not in the catalogue (%.200s)",
                            detail ? detail : "");
        } else if (state && !strncmp(state, "22", 2)) {
            rec_reply_error(r, 400, "events: %.200s", msg ? msg : "invalid value");
        } else {
            broken = 1;
            mq_log(MQ_LOG_ERROR, "storing feedback failed", "error", PQerrorMessage(c), NULL);
            r->retry_after = 1;
            rec_reply_error(r, 503, "the database could not store the events");
        }
    }
    PQclear(res);
    rec_pool_put(app->pool, c, broken);
done:
    free(rows_text);
    json_decref(rows);
    json_decref(body);
}
