/* routes.h -- the HTTP API under /v1 (docs/api.yaml): routing and one handler per route.
 *
 *   GET  /v1/health                health and counts (no key needed)
 *   GET  /metrics                  Prometheus metrics (no key needed)
 *   GET  /v1/tracks?q=&limit=      typo-tolerant search (routes_tracks.c)
 *   GET  /v1/tracks/{id}           catalogue row, features and tags (routes_tracks.c)
 *   GET  /v1/tracks/{id}/next      ranked next tracks (routes_next.c)
 *   POST /v1/mixes/order           a set of tracks in the order that mixes best (routes_mix.c)
 *   POST /v1/feedback              a batch of listening events (routes_feedback.c)
 * Everything else is 404, or 405 for a known path with another method. */
#ifndef REC_ROUTES_H
#define REC_ROUTES_H

#include <jansson.h>
#include <stdint.h>

#include "recommender/app.h"

/* Answers q into r: finds the route (stored in *route, for metrics), checks the API key
 * and the index's readiness, then runs the handler. */
void rec_route(rec_app *app, const rec_req *q, rec_resp *r, rec_route_id *route);

/* The handlers. id is the track id of the path where the route has one. */
void rec_get_health(rec_app *app, const rec_req *q, rec_resp *r);
void rec_get_metrics(rec_app *app, const rec_req *q, rec_resp *r);
void rec_get_search(rec_app *app, const rec_req *q, rec_resp *r);
void rec_get_track(rec_app *app, const rec_req *q, rec_resp *r, int64_t id);
void rec_get_next(rec_app *app, const rec_req *q, rec_resp *r, int64_t id);
void rec_post_order(rec_app *app, const rec_req *q, rec_resp *r);
void rec_post_feedback(rec_app *app, const rec_req *q, rec_resp *r);

/* Parses q's body, which must be application/json holding an object, into *out (new
 * reference). Else fills r with a 415 or a 400 that says what is wrong and returns -1. */
int rec_req_json(const rec_req *q, rec_resp *r, json_t **out);
/* Checks that obj has only the members in allowed (NULL-terminated); else a 400 in r
 * naming the first other one, prefixed by where (e.g. "events[3]"), and -1. */
int rec_json_only(const json_t *obj, const char *const *allowed, const char *where, rec_resp *r);
/* Parses a limit argument (NULL gives dflt): 0, or -1 with a 400 in r. */
int rec_arg_limit(const char *s, int dflt, int *out, rec_resp *r);
/* Parses a user argument (NULL for none): valid UTF-8 of 1..REC_MAX_USER bytes. 0 or -1. */
int rec_arg_user(const char *s, const char *what, rec_resp *r);

#endif
