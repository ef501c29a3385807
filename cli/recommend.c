/* recommend.c -- `mixq recommend TRACK`: the next tracks after TRACK, as a table.
 *
 * Asks mixq-recommender (GET /v1/tracks/{id}/next) over HTTP with libcurl. TRACK is a
 * track id, or words to search for (GET /v1/tracks?q=), the best match being used. */
#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "common/config.h"

#define DEFAULT_URL "http://127.0.0.1:8080"
#define MAX_BODY (8u << 20)

static const char usage[] =
    "usage: mixq recommend [options] TRACK\n"
    "\n"
    "Prints the tracks that mix best after TRACK (a track id, or words to search for by\n"
    "artist, title and album), ranked by mixq-recommender, with the reasons.\n"
    "Exit status: 0 ok, 1 the service failed or TRACK was not found, 2 usage.\n"
    "\n"
    "Options:\n"
    "  -n, --limit N        how many (default 10, at most 100)\n"
    "  -u, --user ID        rank for this listener (their feedback counts)\n"
    "  -e, --energy DIR     up, down or keep\n"
    "  -x, --exclude IDS    track ids not to suggest, comma-separated\n"
    "      --json           print the service's JSON instead of a table\n"
    "      --url URL        the recommender (default: $MIXQ_RECOMMENDER_URL, else\n"
    "                       " DEFAULT_URL ")\n"
    "      --key KEY        API key (default: $MIXQ_API_KEY)\n"
    "  -h, --help           this help\n";

typedef struct buf {
    char *p;
    size_t n;
} buf;

static size_t on_data(char *d, size_t size, size_t n, void *ud) {
    buf *b = ud;
    size_t k = size * n;
    if (b->n + k > MAX_BODY) return 0;
    char *np = realloc(b->p, b->n + k + 1);
    if (!np) return 0;
    memcpy(np + b->n, d, k);
    b->p = np;
    b->n += k;
    b->p[b->n] = 0;
    return k;
}

/* GETs url with the key; the parsed JSON body (new reference) or NULL after printing why. */
static json_t *get(CURL *curl, const char *url, const char *key) {
    buf b = {NULL, 0};
    char auth[256];
    struct curl_slist *hdr = NULL;
    if (key && *key) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
        hdr = curl_slist_append(hdr, auth);
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(hdr);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    json_t *j = NULL;
    if (rc != CURLE_OK) {
        fprintf(stderr, "mixq recommend: %s: %s\n", url, curl_easy_strerror(rc));
    } else {
        json_error_t e;
        j = b.p ? json_loads(b.p, 0, &e) : NULL;
        if (status != 200) {
            const char *msg =
                json_string_value(json_object_get(json_object_get(j, "error"), "message"));
            fprintf(stderr, "mixq recommend: the recommender answered %ld: %s\n", status,
                    msg ? msg : (b.p ? b.p : ""));
            json_decref(j);
            j = NULL;
        } else if (!j) {
            fprintf(stderr, "mixq recommend: the answer is not JSON: %s\n", e.text);
        }
    }
    free(b.p);
    return j;
}

static const char *str(const json_t *o, const char *k) {
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* "artist - title", cut to width w (at a UTF-8 boundary) into out. */
static void name_of(const json_t *t, char *out, size_t len, size_t w) {
    const char *a = str(t, "artist"), *ti = str(t, "title");
    snprintf(out, len, "%s%s%s", a, *a && *ti ? " \u2013 " : "", ti);
    size_t chars = 0, i = 0;
    for (; out[i]; i++) {
        if (((unsigned char)out[i] & 0xc0) != 0x80 && chars++ == w) break;
    }
    out[i] = 0;
}

static int print_table(const json_t *j) {
    const json_t *from = json_object_get(j, "track");
    char name[256];
    name_of(from, name, sizeof name, 60);
    printf("After #%lld  %s  (%.0f BPM, %s, energy %.2f)\n",
           (long long)json_integer_value(json_object_get(from, "id")), name,
           json_number_value(json_object_get(from, "bpm")), str(from, "camelot"),
           json_number_value(json_object_get(from, "energy")));
    printf("%3s  %-8s %6s %6s %4s %6s  %-36s  %s\n", "#", "ID", "SCORE", "BPM", "KEY", "ENERGY",
           "ARTIST \u2013 TITLE", "WHY");
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(j, "results"), i, r) {
        name_of(r, name, sizeof name, 36);
        char why[512] = "";
        size_t k;
        json_t *reason;
        size_t n = 0;
        json_array_foreach(json_object_get(r, "reasons"), k, reason) {
            const char *kind = str(reason, "kind");
            if (strcmp(kind, "key") && strcmp(kind, "tempo") && strcmp(kind, "transition") &&
                strcmp(kind, "pattern"))
                continue;
            n += (size_t)snprintf(why + n, n < sizeof why ? sizeof why - n : 0, "%s%s",
                                  n ? "; " : "", str(reason, "text"));
            if (n >= sizeof why) break;
        }
        /* Pad the name by characters, not bytes. */
        size_t chars = 0;
        for (const char *p = name; *p; p++) chars += ((unsigned char)*p & 0xc0) != 0x80;
        printf("%3zu  %-8lld %6.2f %6.1f %4s %6.2f  %s%*s  %s\n", i + 1,
               (long long)json_integer_value(json_object_get(r, "id")),
               json_number_value(json_object_get(r, "score")),
               json_number_value(json_object_get(r, "bpm")), str(r, "camelot"),
               json_number_value(json_object_get(r, "energy")), name,
               (int)(chars < 36 ? 36 - chars : 0), "", why);
    }
    if (i == 0) printf("(no compatible tracks)\n");
    return 0;
}

int cmd_recommend(int argc, char **argv) {
    static const struct option longopts[] = {{"limit", required_argument, NULL, 'n'},
                                             {"user", required_argument, NULL, 'u'},
                                             {"energy", required_argument, NULL, 'e'},
                                             {"exclude", required_argument, NULL, 'x'},
                                             {"json", no_argument, NULL, 'J'},
                                             {"url", required_argument, NULL, 'U'},
                                             {"key", required_argument, NULL, 'K'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *user = NULL, *energy = NULL, *exclude = NULL, *url_flag = NULL, *key_flag = NULL;
    long limit = 10;
    int json_out = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "n:u:e:x:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (mq_config_long(optarg, 1, 100, &limit) != 0) {
                fprintf(stderr, "mixq recommend: --limit wants 1 to 100, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'u': user = optarg; break;
        case 'e': energy = optarg; break;
        case 'x': exclude = optarg; break;
        case 'J': json_out = 1; break;
        case 'U': url_flag = optarg; break;
        case 'K': key_flag = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind + 1 != argc) {
        fputs(optind >= argc ? "mixq recommend: no TRACK given\n\n"
                             : "mixq recommend: one TRACK, please (quote words with spaces)\n\n",
              stderr);
        fputs(usage, stderr);
        return 2;
    }
    const char *track = argv[optind];
    const char *base = mq_config_str(url_flag, "MIXQ_RECOMMENDER_URL", DEFAULT_URL);
    const char *key = mq_config_str(key_flag, "MIXQ_API_KEY", NULL);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) return 1;
    CURL *curl = curl_easy_init();
    if (!curl) {
        curl_global_cleanup();
        return 1;
    }
    int rc = 1;
    char url[2048];
    long long id = 0;
    char *end;
    id = strtoll(track, &end, 10);
    if (*end || id <= 0) {
        /* Words: search, take the best match. */
        char *q = curl_easy_escape(curl, track, 0);
        snprintf(url, sizeof url, "%s/v1/tracks?limit=1&q=%s", base, q ? q : "");
        curl_free(q);
        json_t *s = get(curl, url, key);
        json_t *hit = json_array_get(json_object_get(s, "results"), 0);
        id = hit ? json_integer_value(json_object_get(hit, "id")) : 0;
        if (s && !hit) fprintf(stderr, "mixq recommend: no track matches '%s'\n", track);
        json_decref(s);
        if (!id) goto out;
    }
    int n = snprintf(url, sizeof url, "%s/v1/tracks/%lld/next?limit=%ld", base, id, limit);
    const char *names[3] = {"user", "energy", "exclude"}, *vals[3] = {user, energy, exclude};
    for (int i = 0; i < 3; i++) {
        if (!vals[i]) continue;
        char *v = curl_easy_escape(curl, vals[i], 0);
        if (v && n > 0 && (size_t)n < sizeof url)
            n += snprintf(url + n, sizeof url - (size_t)n, "&%s=%s", names[i], v);
        curl_free(v);
    }
    json_t *j = get(curl, url, key);
    if (j) {
        if (json_out) {
            char *s = json_dumps(j, JSON_INDENT(2));
            if (s) puts(s);
            free(s);
            rc = 0;
        } else {
            rc = print_table(j);
        }
        json_decref(j);
    }
out:
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    return rc;
}
