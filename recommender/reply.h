/* reply.h -- building responses: JSON bodies, error bodies that say what is wrong, and
 * reading a request's query arguments and headers. */
#ifndef REC_REPLY_H
#define REC_REPLY_H

#include <jansson.h>

#include "recommender/app.h"
#include "recommender/jsonw.h"

/* Sets r to status with body as compact JSON; steals the reference. A NULL body (out of
 * memory upstream) gives a 500. */
void rec_reply_json(rec_resp *r, unsigned status, json_t *body);
/* Sets r to status with {"error": {"status", "code", "message"}}, the message formatted. */
void rec_reply_error(rec_resp *r, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets r to status with the text of writer w (taken); a failed writer gives a 500. */
void rec_reply_jw(rec_resp *r, unsigned status, rec_jw *w);
/* Sets r to a plain-text body (copied). */
void rec_reply_text(rec_resp *r, unsigned status, const char *text, const char *content_type);

/* The value of query argument name ("" for a bare "name"), or NULL when absent. */
const char *rec_req_arg(const rec_req *q, const char *name);
/* The value of request header name, or NULL. */
const char *rec_req_header(const rec_req *q, const char *name);
/* Checks that every query argument is one of allowed (NULL-terminated); else fills r with
 * a 400 naming the unknown one and returns -1. */
int rec_req_only_args(const rec_req *q, const char *const *allowed, rec_resp *r);

#endif
