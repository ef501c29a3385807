/* reply.c -- JSON and error responses; query arguments and headers (see reply.h). */
#include "recommender/reply.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char oom[] = "{\"error\":{\"status\":500,\"code\":\"internal\","
                          "\"message\":\"out of memory\"}}";

static void set_static_oom(rec_resp *r) {
    free(r->body);
    r->status = 500;
    r->body = strdup(oom);
    r->len = r->body ? strlen(r->body) : 0;
    r->content_type = "application/json";
}

void rec_reply_json(rec_resp *r, unsigned status, json_t *body) {
    char *s = body ? json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
    json_decref(body);
    if (!s) {
        set_static_oom(r);
        return;
    }
    free(r->body);
    r->status = status;
    r->body = s;
    r->len = strlen(s);
    r->content_type = "application/json";
}

void rec_reply_jw(rec_resp *r, unsigned status, rec_jw *w) {
    size_t len;
    char *s = rec_jw_finish(w, &len);
    if (!s) {
        set_static_oom(r);
        return;
    }
    free(r->body);
    r->status = status;
    r->body = s;
    r->len = len;
    r->content_type = "application/json";
}

static const char *code_of(unsigned status) {
    switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 413: return "payload_too_large";
    case 415: return "unsupported_media_type";
    case 429: return "rate_limited";
    case 503: return "unavailable";
    default: return status >= 500 ? "internal" : "error";
    }
}

void rec_reply_error(rec_resp *r, unsigned status, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *e = json_pack("{s:{s:i,s:s,s:s}}", "error", "status", (int)status, "code",
                          code_of(status), "message", msg);
    if (!e) {
        /* The message may not be valid UTF-8 (it can quote the request): say so plainly. */
        e = json_pack("{s:{s:i,s:s,s:s}}", "error", "status", (int)status, "code", code_of(status),
                      "message", "the request is malformed (not UTF-8)");
    }
    rec_reply_json(r, status, e);
}

void rec_reply_text(rec_resp *r, unsigned status, const char *text, const char *content_type) {
    free(r->body);
    r->body = strdup(text);
    if (!r->body) {
        set_static_oom(r);
        return;
    }
    r->status = status;
    r->len = strlen(text);
    r->content_type = content_type;
}

const char *rec_req_arg(const rec_req *q, const char *name) {
    const char *v = MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, name);
    if (v) return v;
    /* A bare "name" (no '=') is present with no value. */
    return MHD_lookup_connection_value_n(q->conn, MHD_GET_ARGUMENT_KIND, name, strlen(name), NULL,
                                         NULL) == MHD_YES
               ? ""
               : NULL;
}

const char *rec_req_header(const rec_req *q, const char *name) {
    return MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, name);
}

typedef struct arg_check {
    const char *const *allowed;
    const char *bad;
} arg_check;

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value) {
    arg_check *a = cls;
    for (const char *const *p = a->allowed; *p; p++)
        if (!strcmp(*p, key)) return MHD_YES;
    a->bad = key;
    return MHD_NO;
}

int rec_req_only_args(const rec_req *q, const char *const *allowed, rec_resp *r) {
    arg_check a = {allowed, NULL};
    MHD_get_connection_values(q->conn, MHD_GET_ARGUMENT_KIND, check_arg, &a);
    if (!a.bad) return 0;
    char list[256] = "";
    size_t n = 0;
    for (const char *const *p = allowed; *p && n < sizeof list; p++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", p == allowed ? "" : ", ", *p);
    if (allowed[0])
        rec_reply_error(r, 400, "unknown query parameter '%.100s' (this route takes: %s)", a.bad,
                        list);
    else
        rec_reply_error(r, 400, "unknown query parameter '%.100s' (this route takes none)", a.bad);
    return -1;
}
