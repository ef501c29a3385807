/* sphttp.c -- libcurl easy handle wrapper (see sphttp.h). */
#include "ingest/sphttp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct ig_http {
    CURL *curl;
    double timeout_s;
    size_t max_body;
};

typedef struct sink {
    ig_buf *out;
    size_t max;
    int too_big;
} sink;

typedef struct hdrs {
    double retry_after;
} hdrs;

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
    sink *s = ud;
    size_t len = size * n;
    if (s->out->len + len > s->max) {
        s->too_big = 1;
        return 0; /* aborts the transfer */
    }
    ig_buf_put(s->out, p, len);
    return s->out->oom ? 0 : len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud) {
    hdrs *h = ud;
    size_t len = size * n;
    static const char name[] = "retry-after:";
    if (len > sizeof name - 1 && !strncasecmp(p, name, sizeof name - 1)) {
        char v[32];
        size_t k = len - (sizeof name - 1);
        if (k >= sizeof v) k = sizeof v - 1;
        memcpy(v, p + sizeof name - 1, k);
        v[k] = 0;
        char *end;
        double d = strtod(v, &end);
        /* Seconds only; an HTTP date is treated as "a while" (the caller's default). */
        if (end != v && d >= 0 && d < 1e7) h->retry_after = d;
    }
    return len;
}

ig_http *ig_http_new(double timeout_s, size_t max_body) {
    ig_http *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->curl = curl_easy_init();
    if (!h->curl) {
        free(h);
        return NULL;
    }
    h->timeout_s = timeout_s;
    h->max_body = max_body;
    return h;
}

long ig_http_do(ig_http *h, const char *method, const char *url, const char *const *headers,
                const char *body, ig_buf *out, double *retry_after, char *err, size_t errlen) {
    CURL *c = h->curl;
    curl_easy_reset(c);
    ig_buf_reset(out);
    sink s = {out, h->max_body, 0};
    hdrs hd = {-1};
    struct curl_slist *list = NULL;
    for (int i = 0; headers && headers[i]; i++) {
        struct curl_slist *nl = curl_slist_append(list, headers[i]);
        if (!nl) {
            curl_slist_free_all(list);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        list = nl;
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &hd);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(h->timeout_s * 1000));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(h->timeout_s * 1000));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* the token must not follow redirects */
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "mixq-ingest");
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(list);
    *retry_after = hd.retry_after;
    if (s.too_big) {
        snprintf(err, errlen, "answer larger than %zu bytes", h->max_body);
        return -1;
    }
    if (out->oom) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s", *errbuf ? errbuf : curl_easy_strerror(rc));
        return -1;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    ig_buf_cstr(out); /* terminated even when empty */
    return status;
}

void ig_http_del(ig_http *h) {
    if (!h) return;
    curl_easy_cleanup(h->curl);
    free(h);
}
