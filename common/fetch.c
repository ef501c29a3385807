/* fetch.c -- file:// paths in place, http(s) downloads (libcurl) into anonymous
 * temporary files, and file URI encoding. */
#include "common/fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_REDIRECTS 5

void mq_fetch_global_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

const char *mq_fetch_status_name(mq_fetch_status s) {
    switch (s) {
    case MQ_FETCH_OK: return "ok";
    case MQ_FETCH_BAD_URI: return "bad_uri";
    case MQ_FETCH_IO: return "io_error";
    case MQ_FETCH_TOO_LARGE: return "fetch_too_large";
    case MQ_FETCH_TIMEOUT: return "timeout";
    case MQ_FETCH_FAILED: return "http_error";
    case MQ_FETCH_HTTP_STATUS: return "http_status";
    case MQ_FETCH_NO_MEMORY: return "out_of_memory";
    }
    return "http_error";
}

/* ---- file URIs ---- */

/* True for the bytes a file URI path keeps as they are. */
static int uri_keeps(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 1;
    return c && strchr("-._~!$&'()*+,;=:@/", c) != NULL;
}

char *mq_file_uri(const char *abs_path) {
    if (!abs_path || abs_path[0] != '/') return NULL;
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(abs_path);
    char *u = malloc(7 + 3 * n + 1);
    if (!u) return NULL;
    char *o = u + 7;
    memcpy(u, "file://", 7);
    for (const unsigned char *p = (const unsigned char *)abs_path; *p; p++) {
        if (uri_keeps(*p)) {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = 0;
    return u;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char *mq_file_uri_path(const char *uri) {
    if (!uri || strncasecmp(uri, "file://", 7) != 0) return NULL;
    const char *p = uri + 7;
    if (!strncasecmp(p, "localhost/", 10)) p += 9;
    if (*p != '/') return NULL;
    char *path = malloc(strlen(p) + 1);
    if (!path) return NULL;
    char *o = path;
    while (*p) {
        if (*p == '%') {
            int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
            if (lo < 0 || (hi == 0 && lo == 0)) {
                free(path);
                return NULL;
            }
            *o++ = (char)(hi << 4 | lo);
            p += 3;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
    return path;
}

/* True when the resolved path lies under one of the resolved roots. */
static mq_fetch_status check_roots(const char *path, const mq_fetch_opts *o, char *err,
                                   size_t errlen) {
    char real[PATH_MAX], root[PATH_MAX];
    if (!realpath(path, real)) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return MQ_FETCH_IO;
    }
    for (size_t i = 0; i < o->nroots; i++) {
        if (!realpath(o->roots[i], root)) continue;
        size_t n = strlen(root);
        if (!strncmp(real, root, n) && (real[n] == '/' || real[n] == 0 || n == 1)) return 0;
    }
    snprintf(err, errlen, "the file is outside the allowed roots");
    return MQ_FETCH_BAD_URI;
}

static mq_fetch_status fetch_file(const char *uri, const mq_fetch_opts *o, mq_fetched *out,
                                  char *err, size_t errlen) {
    char *path = mq_file_uri_path(uri);
    if (!path) {
        snprintf(err, errlen, "malformed file URI (want file:///absolute/path)");
        return MQ_FETCH_BAD_URI;
    }
    if (o && o->nroots > 0) {
        mq_fetch_status st = check_roots(path, o, err, errlen);
        if (st != MQ_FETCH_OK) {
            free(path);
            return st;
        }
    }
    out->path = path;
    return MQ_FETCH_OK;
}

/* ---- http(s) ---- */

/* Where curl's data goes: the temporary file, within the size bound. */
typedef struct sink {
    int fd;
    uint64_t n, max;
    int too_large, write_errno;
} sink;

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud) {
    sink *s = ud;
    size_t len = size * nmemb;
    if (s->max && s->n + len > s->max) {
        s->too_large = 1;
        return 0;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(s->fd, p + done, len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            s->write_errno = w < 0 ? errno : EIO;
            return 0;
        }
        done += (size_t)w;
    }
    s->n += len;
    return len;
}

/* An anonymous file in dir: O_TMPFILE, else a named file unlinked at once. */
static int temp_file(const char *dir) {
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    char tmpl[PATH_MAX];
    if (snprintf(tmpl, sizeof tmpl, "%s/mixq-fetch.XXXXXX", dir) >= (int)sizeof tmpl) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = mkostemp(tmpl, O_CLOEXEC);
    if (fd >= 0) unlink(tmpl);
    return fd;
}

static mq_fetch_status fetch_http(const char *uri, const mq_fetch_opts *o, mq_fetched *out,
                                  char *err, size_t errlen) {
    const char *dir = o && o->tmp_dir ? o->tmp_dir : getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    sink s = {.fd = temp_file(dir), .max = o ? o->max_bytes : 0};
    if (s.fd < 0) {
        snprintf(err, errlen, "cannot make a temporary file in %s: %s", dir, strerror(errno));
        return MQ_FETCH_IO;
    }
    CURL *c = curl_easy_init();
    if (!c) {
        close(s.fd);
        snprintf(err, errlen, "out of memory");
        return MQ_FETCH_NO_MEMORY;
    }
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, uri);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)MAX_REDIRECTS);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "mixq-worker");
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    if (s.max) curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s.max);
    if (o && o->timeout_s > 0)
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(o->timeout_s * 1000.0 + 0.5));
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);

    mq_fetch_status st = MQ_FETCH_OK;
    const char *why = cerr[0] ? cerr : curl_easy_strerror(rc);
    if (rc == CURLE_OK) {
        st = MQ_FETCH_OK;
    } else if (s.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        st = MQ_FETCH_TOO_LARGE;
        snprintf(err, errlen, "the download is larger than %llu bytes", (unsigned long long)s.max);
    } else if (s.write_errno) {
        st = MQ_FETCH_IO;
        snprintf(err, errlen, "cannot write the download: %s", strerror(s.write_errno));
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        st = MQ_FETCH_TIMEOUT;
        snprintf(err, errlen, "the download took longer than %g s", o ? o->timeout_s : 0.0);
    } else if (rc == CURLE_OUT_OF_MEMORY) {
        st = MQ_FETCH_NO_MEMORY;
        snprintf(err, errlen, "out of memory");
    } else if (rc == CURLE_URL_MALFORMAT) {
        st = MQ_FETCH_BAD_URI;
        snprintf(err, errlen, "malformed URL: %s", why);
    } else if (rc == CURLE_HTTP_RETURNED_ERROR) {
        /* 4xx says the URL itself is wrong, except Request Timeout and Too Many Requests. */
        int client = status >= 400 && status < 500 && status != 408 && status != 429;
        st = client ? MQ_FETCH_HTTP_STATUS : MQ_FETCH_FAILED;
        snprintf(err, errlen, "HTTP status %ld", status);
    } else {
        st = MQ_FETCH_FAILED;
        snprintf(err, errlen, "download failed: %s", why);
    }
    if (st != MQ_FETCH_OK) {
        close(s.fd);
        return st;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", s.fd);
    if (!(out->path = strdup(path))) {
        close(s.fd);
        snprintf(err, errlen, "out of memory");
        return MQ_FETCH_NO_MEMORY;
    }
    out->fd = s.fd;
    out->bytes = s.n;
    return MQ_FETCH_OK;
}

mq_fetch_status mq_fetch(const char *uri, const mq_fetch_opts *o, mq_fetched *out, char *err,
                         size_t errlen) {
    out->path = NULL;
    out->fd = -1;
    out->bytes = 0;
    if (err && errlen) err[0] = 0;
    if (!uri) uri = "";
    if (!strncasecmp(uri, "file:", 5)) return fetch_file(uri, o, out, err, errlen);
    if (!strncasecmp(uri, "http://", 7) || !strncasecmp(uri, "https://", 8))
        return fetch_http(uri, o, out, err, errlen);
    snprintf(err, errlen, "unsupported URI (want file://, http:// or https://)");
    return MQ_FETCH_BAD_URI;
}

void mq_fetched_close(mq_fetched *out) {
    if (!out) return;
    free(out->path);
    out->path = NULL;
    if (out->fd >= 0) close(out->fd);
    out->fd = -1;
}
