/* spotify.c -- token handling and the retry policy of the Web API (see spotify.h). */
#include "ingest/spotify.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "ingest/buf.h"
#include "ingest/sphttp.h"

#define MAX_BODY (64u << 20)
#define EARLY_RENEW_S 60 /* renew a token this long before it expires (or 10% of its life) */

struct ig_spotify {
    ig_spotify_opts o;
    char *accounts, *api, *id, *secret; /* copies */
    ig_http *http;
    char *token;
    double token_expires; /* monotonic seconds */
    double renew_margin;  /* renew this long before token_expires */
    uint64_t rng;         /* jitter */
    ig_buf body;
    ig_spotify_stats st;
};

static double mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s) {
    if (s <= 0) return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* A uniform number in [0.5, 1.5) from the client's own generator (xorshift64*). */
static double jitter(ig_spotify *s) {
    s->rng ^= s->rng >> 12, s->rng ^= s->rng << 25, s->rng ^= s->rng >> 27;
    uint64_t r = s->rng * 0x2545F4914F6CDD1Dull;
    return 0.5 + (double)(r >> 11) / 9007199254740992.0;
}

/* Copies a base URL without trailing slashes. */
static char *base_dup(const char *u) {
    size_t n = strlen(u);
    while (n > 0 && u[n - 1] == '/') n--;
    char *d = malloc(n + 1);
    if (d) memcpy(d, u, n), d[n] = 0;
    return d;
}

ig_spotify *ig_spotify_new(const ig_spotify_opts *o, char *err, size_t errlen) {
    if (!o->client_id || !*o->client_id) {
        snprintf(err, errlen, "no Spotify client id: --client-id ID or MIXQ_SPOTIFY_CLIENT_ID");
        return NULL;
    }
    if (!o->client_secret || !*o->client_secret) {
        snprintf(err, errlen,
                 "no Spotify client secret: MIXQ_SPOTIFY_CLIENT_SECRET, or a file named by "
                 "--client-secret-file / MIXQ_SPOTIFY_CLIENT_SECRET_FILE");
        return NULL;
    }
    ig_spotify *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->o = *o;
    s->accounts = base_dup(o->accounts_url);
    s->api = base_dup(o->api_url);
    s->id = strdup(o->client_id);
    s->secret = strdup(o->client_secret);
    s->http = ig_http_new(o->timeout_s, MAX_BODY);
    s->rng = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid() ^ 1;
    if (!s->accounts || !s->api || !s->id || !s->secret || !s->http) {
        ig_spotify_del(s);
        snprintf(err, errlen, "out of memory or libcurl unavailable");
        return NULL;
    }
    return s;
}

static void b64(const unsigned char *in, size_t n, ig_buf *out) {
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n) v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n) v |= in[i + 2];
        char q[4] = {t[v >> 18], t[(v >> 12) & 63], i + 1 < n ? t[(v >> 6) & 63] : '=',
                     i + 2 < n ? t[v & 63] : '='};
        ig_buf_put(out, q, 4);
    }
}

/* Wipes and frees a buffer that held a secret. */
static void wipe(ig_buf *b) {
    if (b->p) memset(b->p, 0, b->cap);
    ig_buf_free(b);
}

/* Signs in (client credentials). Returns 0, or -1 with err set. Retries 429/5xx like
 * any request. */
static int sign_in(ig_spotify *s, char *err, size_t errlen) {
    ig_buf cred = {0}, auth = {0}, url = {0};
    ig_buf_puts(&cred, s->id);
    ig_buf_putc(&cred, ':');
    ig_buf_puts(&cred, s->secret);
    ig_buf_puts(&auth, "Authorization: Basic ");
    if (!cred.oom) b64((const unsigned char *)cred.p, cred.len, &auth);
    ig_buf_printf(&url, "%s/api/token", s->accounts);
    int rc = -1;
    if (cred.oom || !ig_buf_cstr(&auth) || !ig_buf_cstr(&url)) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    const char *headers[] = {auth.p, "Content-Type: application/x-www-form-urlencoded", NULL};
    double backoff = s->o.backoff_s;
    for (int attempt = 1; attempt <= s->o.max_attempts; attempt++) {
        double ra;
        char herr[256];
        s->st.requests++;
        long st = ig_http_do(s->http, "POST", url.p, headers, "grant_type=client_credentials",
                             &s->body, &ra, herr, sizeof herr);
        if (st == 200) {
            json_error_t je;
            json_t *j = json_loadb(s->body.p, s->body.len, 0, &je);
            const char *tok = json_string_value(json_object_get(j, "access_token"));
            json_int_t exp = json_integer_value(json_object_get(j, "expires_in"));
            if (!tok || !*tok) {
                json_decref(j);
                snprintf(err, errlen, "sign-in answer without an access_token");
                goto out;
            }
            free(s->token);
            s->token = strdup(tok);
            json_decref(j);
            if (!s->token) {
                snprintf(err, errlen, "out of memory");
                goto out;
            }
            double life = exp > 0 ? (double)exp : 3600;
            s->token_expires = mono() + life;
            s->renew_margin = life / 10 < EARLY_RENEW_S ? life / 10 : EARLY_RENEW_S;
            s->st.sign_ins++;
            mq_log(MQ_LOG_DEBUG, "signed in to Spotify", NULL);
            rc = 0;
            goto out;
        }
        if (st == 429 && ra <= s->o.max_retry_after_s) {
            s->st.rate_limited++;
            sleep_s(ra >= 0 ? ra : 1);
            continue;
        }
        if (st < 0 || st >= 500) {
            if (st < 0)
                s->st.network_errors++;
            else
                s->st.server_errors++;
            if (attempt < s->o.max_attempts) sleep_s(backoff * jitter(s));
            backoff = backoff * 2 > 30 ? 30 : backoff * 2;
            snprintf(err, errlen, "sign-in failed: %s",
                     st < 0      ? herr
                     : st >= 500 ? "server error"
                                 : "error");
            continue;
        }
        /* 400/401: bad credentials. The answer body names the error, not the secret. */
        snprintf(err, errlen, "Spotify sign-in refused (HTTP %ld): check the client id and secret",
                 st);
        goto out;
    }
out:
    wipe(&cred);
    wipe(&auth);
    ig_buf_free(&url);
    return rc;
}

/* True when url lies under the API base (so it may receive the token). */
static int under_api(const ig_spotify *s, const char *url) {
    size_t n = strlen(s->api);
    return !strncmp(url, s->api, n) && (url[n] == '/' || url[n] == '?' || url[n] == 0);
}

json_t *ig_spotify_get(ig_spotify *s, const char *path_or_url, long *status, char *err,
                       size_t errlen) {
    *status = 0;
    ig_buf url = {0}, auth = {0};
    json_t *result = NULL;
    if (path_or_url[0] == '/') {
        ig_buf_printf(&url, "%s%s", s->api, path_or_url);
    } else if (under_api(s, path_or_url)) {
        ig_buf_puts(&url, path_or_url);
    } else {
        snprintf(err, errlen, "refusing a link outside the API base");
        return NULL;
    }
    if (!ig_buf_cstr(&url)) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    double backoff = s->o.backoff_s;
    int reauthed = 0;
    for (int attempt = 1; attempt <= s->o.max_attempts; attempt++) {
        if (!s->token || mono() > s->token_expires - s->renew_margin) {
            if (sign_in(s, err, errlen) != 0) goto out;
        }
        wipe(&auth);
        ig_buf_printf(&auth, "Authorization: Bearer %s", s->token);
        if (!ig_buf_cstr(&auth)) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        const char *headers[] = {auth.p, "Accept: application/json", NULL};
        double ra;
        char herr[256];
        s->st.requests++;
        long st =
            ig_http_do(s->http, "GET", url.p, headers, NULL, &s->body, &ra, herr, sizeof herr);
        *status = st < 0 ? 0 : st;
        if (st == 200) {
            json_error_t je;
            result = json_loadb(s->body.p ? s->body.p : "", s->body.len, 0, &je);
            if (!result) {
                *status = 0;
                snprintf(err, errlen, "bad JSON from the API: %s", je.text);
            }
            goto out;
        }
        if (st == 401 && !reauthed) { /* the token expired or was revoked: sign in again */
            s->st.unauthorized++;
            reauthed = 1;
            free(s->token);
            s->token = NULL;
            attempt--; /* a re-sign-in is not a failed attempt */
            continue;
        }
        if (st == 429) {
            s->st.rate_limited++;
            double wait = ra >= 0 ? ra : 1;
            if (wait > s->o.max_retry_after_s) {
                snprintf(err, errlen, "rate limited for %.0f s (more than --max-retry-after)",
                         wait);
                goto out;
            }
            char w[32];
            snprintf(w, sizeof w, "%.1f", wait);
            mq_log(MQ_LOG_INFO, "Spotify rate limit: waiting", "retry_after_s", w, NULL);
            sleep_s(wait);
            attempt--; /* waiting as told is not a failure */
            if (s->st.rate_limited > 1000) attempt = s->o.max_attempts; /* never forever */
            continue;
        }
        if (st < 0 || st >= 500) {
            if (st < 0)
                s->st.network_errors++;
            else
                s->st.server_errors++;
            if (st < 0)
                snprintf(err, errlen, "%s", herr);
            else
                snprintf(err, errlen, "HTTP %ld from the API", st);
            if (attempt < s->o.max_attempts) {
                char w[32];
                double d = backoff * jitter(s);
                snprintf(w, sizeof w, "%.2f", d);
                mq_log(MQ_LOG_INFO, "Spotify request failed: backing off", "error", err, "wait_s",
                       w, NULL);
                sleep_s(d);
            }
            backoff = backoff * 2 > 30 ? 30 : backoff * 2;
            continue;
        }
        snprintf(err, errlen, "HTTP %ld from the API", st);
        goto out;
    }
out:
    wipe(&auth);
    ig_buf_free(&url);
    return result;
}

const ig_spotify_stats *ig_spotify_stats_get(const ig_spotify *s) { return &s->st; }

void ig_spotify_del(ig_spotify *s) {
    if (!s) return;
    if (s->secret) memset(s->secret, 0, strlen(s->secret));
    if (s->token) memset(s->token, 0, strlen(s->token));
    free(s->accounts), free(s->api), free(s->id), free(s->secret), free(s->token);
    ig_http_del(s->http);
    ig_buf_free(&s->body);
    free(s);
}
