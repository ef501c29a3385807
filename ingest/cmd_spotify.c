/* cmd_spotify.c -- `mixq-ingest spotify import|export|link|report`: the Web API client
 * (spimport.h), the export importer (spexport.h) and linking (link.h). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/analyzer.h"
#include "common/config.h"
#include "common/jsonout.h"
#include "common/log.h"
#include "ingest/commands.h"
#include "ingest/db.h"
#include "ingest/link.h"
#include "ingest/opts.h"
#include "ingest/spexport.h"
#include "ingest/spimport.h"

static const char usage[] =
    "usage: mixq-ingest spotify COMMAND [options] [args]\n"
    "\n"
    "Commands:\n"
    "  import [REF...]    from the Web API: tracks, albums, playlists (REF: a spotify: URI\n"
    "                     or open.spotify.com URL), ISRC searches; then link\n"
    "  export PATH...     the files of Spotify's \"download your data\" (a folder or files):\n"
    "                     library, playlists, streaming history; then link\n"
    "  link               match Spotify tracks and listening events to local tracks;\n"
    "                     submit jobs for matched tracks lacking features\n"
    "  report             one JSON line per Spotify track (matched or not), then a summary\n"
    "\n"
    "Run `mixq-ingest spotify COMMAND --help` for a command's options.\n";

static const char import_usage[] =
    "usage: mixq-ingest spotify import [options] [REF...]\n"
    "\n"
    "Imports from the Spotify Web API (client-credentials sign-in) into spotify_tracks,\n"
    "spotify_albums and spotify_playlists, then links (see `spotify link --help`).\n"
    "REF is spotify:track:ID, spotify:album:ID, spotify:playlist:ID or an\n"
    "https://open.spotify.com/... URL of one.\n"
    "\n"
    "Options:\n"
    "  --track ID, --album ID, --playlist ID   what to import (each may repeat)\n"
    "  --isrc CODE          search tracks by ISRC (may repeat)\n"
    "  --isrc-from-catalogue  search every ISRC of the local catalogue not yet known\n"
    "  --no-audio-features  do not ask for audio features\n"
    "  --no-link            do not link afterwards\n"
    "  --no-submit          link, but submit no jobs\n"
    "  --client-id ID       ($MIXQ_SPOTIFY_CLIENT_ID)\n"
    "  --client-secret-file FILE  the client secret ($MIXQ_SPOTIFY_CLIENT_SECRET_FILE, or\n"
    "                       the secret itself in $MIXQ_SPOTIFY_CLIENT_SECRET); never logged\n"
    "  --accounts-url URL   ($MIXQ_SPOTIFY_ACCOUNTS_URL, default https://accounts.spotify.com)\n"
    "  --api-url URL        ($MIXQ_SPOTIFY_API_URL, default https://api.spotify.com)\n"
    "  --max-attempts N     per request, for 5xx and network failures (default 6)\n"
    "  --max-retry-after S  longest Retry-After waited for on 429 (default 120)\n"
    "  --timeout S          per HTTP exchange (default 30)\n"
    "  --backoff S          first back-off after a failure, doubling (default 0.5)\n"
    "  -h, --help           this help\n"
    "\n" IG_CONN_HELP;

static const char export_usage[] =
    "usage: mixq-ingest spotify export [options] PATH...\n"
    "\n"
    "Imports Spotify \"download your data\" files, with no network: YourLibrary.json\n"
    "(saved tracks), Playlist*.json, StreamingHistory_music_*.json and the extended\n"
    "Streaming_History_Audio_*.json (listening events into user_feedback: a play, or a\n"
    "skip where the history says so). PATH is a file or a folder searched for them.\n"
    "Importing the same files again adds nothing. Then links (see `spotify link --help`).\n"
    "\n"
    "Options:\n"
    "  --user ID            user id for the events (default: the history's username, else\n"
    "                       spotify-export); give the same one for basic and extended\n"
    "                       histories of one account\n"
    "  --no-link            do not link afterwards\n"
    "  --no-submit          link, but submit no jobs\n"
    "  -h, --help           this help\n"
    "\n" IG_CONN_HELP;

static const char link_usage[] =
    "usage: mixq-ingest spotify link [options]\n"
    "\n"
    "Links Spotify tracks to local tracks: by ISRC, else by normalised artist and title\n"
    "with durations within 3 s. Listening events follow their tracks (basic-history\n"
    "events by artist and title when one local track has them). Matched tracks lacking\n"
    "features of the current analyser get analysis jobs (bulk priority).\n"
    "\n"
    "Options:\n"
    "  --relink             forget existing links first\n"
    "  --no-submit          submit no jobs\n"
    "  -h, --help           this help\n"
    "\n" IG_CONN_HELP;

static const char report_usage[] =
    "usage: mixq-ingest spotify report [options]\n"
    "\n"
    "Prints one JSON line per Spotify track -- matched or not, how, and to which local\n"
    "track -- matched ones first, then one summary line.\n"
    "\n"
    "Options:\n"
    "  --unmatched          only the tracks that matched nothing\n"
    "  -h, --help           this help\n"
    "\n" IG_CONN_HELP;

enum {
    OPT_TRACK = IG_OPT_FIRST_COMMAND,
    OPT_ALBUM,
    OPT_PLAYLIST,
    OPT_ISRC,
    OPT_ISRC_CAT,
    OPT_NO_FEATURES,
    OPT_NO_LINK,
    OPT_NO_SUBMIT,
    OPT_CLIENT_ID,
    OPT_SECRET_FILE,
    OPT_ACCOUNTS,
    OPT_API,
    OPT_ATTEMPTS,
    OPT_RETRY_AFTER,
    OPT_TIMEOUT,
    OPT_BACKOFF,
    OPT_USER,
    OPT_RELINK,
    OPT_UNMATCHED
};

/* What to import, collected from the options and arguments. */
typedef struct wants {
    const char **v[4]; /* tracks, albums, playlists, isrcs */
    size_t n[4];
} wants;

static int want(wants *w, int k, const char *id) {
    const char **nv = realloc(w->v[k], (w->n[k] + 1) * sizeof *nv);
    if (!nv) return -1;
    w->v[k] = nv;
    nv[w->n[k]++] = id;
    return 0;
}

/* Reads a secret from a file (first line, trimmed) into a malloc'd string. */
static char *read_secret(const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read the client secret file: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077))
        mq_log(MQ_LOG_WARN, "the client secret file is readable by others (chmod 600 it)", NULL);
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    buf[strcspn(buf, "\r\n")] = 0;
    char *s = buf;
    while (*s == ' ' || *s == '\t') s++;
    size_t l = strlen(s);
    while (l && (s[l - 1] == ' ' || s[l - 1] == '\t')) s[--l] = 0;
    char *out = l ? strdup(s) : NULL;
    memset(buf, 0, sizeof buf);
    if (!out) snprintf(err, errlen, l ? "out of memory" : "the client secret file is empty");
    return out;
}

static void print_summary(const char *what, json_t *fields) {
    json_object_set_new(fields, "summary", json_string(what));
    mq_json_write_line(fields, stdout);
    fflush(stdout);
    json_decref(fields);
}

/* Opens the database and, unless no_submit, the broker. */
static int connect_all(ig_conn_opts *co, int no_submit, PGconn **pg, ig_submitter **sub) {
    char err[1024];
    *sub = NULL;
    if (!(*pg = ig_db_open(co->pg_dsn, err, sizeof err))) {
        mq_log(MQ_LOG_ERROR, "cannot use PostgreSQL", "error", err, NULL);
        return -1;
    }
    if (!no_submit && !(*sub = ig_submitter_new(&co->broker, err, sizeof err))) {
        mq_log(MQ_LOG_ERROR, "cannot use the broker", "error", err, NULL);
        PQfinish(*pg);
        return -1;
    }
    return 0;
}

/* Links and adds its counts to summary. Returns 0 or -1. */
static int do_link(PGconn *pg, ig_submitter *sub, int relink, json_t *summary) {
    ig_jobs j = {pg, sub, MQ_ANALYZER_VERSION, 0, 0};
    ig_link_stats ls;
    char err[1024];
    if (ig_link_run(pg, &j, relink, &ls, err, sizeof err) != 0) {
        mq_log(MQ_LOG_ERROR, "linking failed", "error", err, NULL);
        return -1;
    }
    json_object_set_new(summary, "linked_by_isrc", json_integer((json_int_t)ls.by_isrc));
    json_object_set_new(summary, "linked_by_name", json_integer((json_int_t)ls.by_name));
    json_object_set_new(summary, "unmatched", json_integer((json_int_t)ls.unmatched));
    json_object_set_new(summary, "events_linked", json_integer((json_int_t)ls.events_linked));
    json_object_set_new(summary, sub ? "jobs" : "jobs_needed", json_integer((json_int_t)ls.jobs));
    return 0;
}

static int cmd_import(int argc, char **argv) {
    static const struct option longopts[] = {
        {"track", required_argument, NULL, OPT_TRACK},
        {"album", required_argument, NULL, OPT_ALBUM},
        {"playlist", required_argument, NULL, OPT_PLAYLIST},
        {"isrc", required_argument, NULL, OPT_ISRC},
        {"isrc-from-catalogue", no_argument, NULL, OPT_ISRC_CAT},
        {"no-audio-features", no_argument, NULL, OPT_NO_FEATURES},
        {"no-link", no_argument, NULL, OPT_NO_LINK},
        {"no-submit", no_argument, NULL, OPT_NO_SUBMIT},
        {"client-id", required_argument, NULL, OPT_CLIENT_ID},
        {"client-secret-file", required_argument, NULL, OPT_SECRET_FILE},
        {"accounts-url", required_argument, NULL, OPT_ACCOUNTS},
        {"api-url", required_argument, NULL, OPT_API},
        {"max-attempts", required_argument, NULL, OPT_ATTEMPTS},
        {"max-retry-after", required_argument, NULL, OPT_RETRY_AFTER},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"backoff", required_argument, NULL, OPT_BACKOFF},
        {"help", no_argument, NULL, 'h'},
        IG_CONN_LONGOPTS,
        {NULL, 0, NULL, 0}};
    ig_conn_opts co;
    ig_conn_init(&co);
    ig_spotify_opts so = {NULL, NULL, NULL, NULL, 6, 120, 30, 0.5};
    const char *id_flag = NULL, *secret_file = NULL, *accounts = NULL, *api = NULL;
    int isrc_cat = 0, features = 1, link = 1, no_submit = 0, c, status = 2;
    wants w;
    memset(&w, 0, sizeof w);
    long lv;
    double dv;
    char *secret = NULL;
    PGconn *pg = NULL;
    ig_submitter *sub = NULL;
    ig_spotify *apic = NULL;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int r = ig_conn_opt(&co, c, optarg, "mixq-ingest spotify import");
        if (r < 0) goto out;
        if (r > 0) continue;
        switch (c) {
        case OPT_TRACK:
        case OPT_ALBUM:
        case OPT_PLAYLIST:
            if (!ig_spimport_valid_id(optarg)) {
                fprintf(stderr, "mixq-ingest spotify import: '%s' is not a Spotify id\n", optarg);
                goto out;
            }
            if (want(&w, c - OPT_TRACK, optarg) != 0) goto oom;
            break;
        case OPT_ISRC:
            if (want(&w, 3, optarg) != 0) goto oom;
            break;
        case OPT_ISRC_CAT: isrc_cat = 1; break;
        case OPT_NO_FEATURES: features = 0; break;
        case OPT_NO_LINK: link = 0; break;
        case OPT_NO_SUBMIT: no_submit = 1; break;
        case OPT_CLIENT_ID: id_flag = optarg; break;
        case OPT_SECRET_FILE: secret_file = optarg; break;
        case OPT_ACCOUNTS: accounts = optarg; break;
        case OPT_API: api = optarg; break;
        case OPT_ATTEMPTS:
            if (mq_config_long(optarg, 1, 100, &lv) != 0) goto bad;
            so.max_attempts = (int)lv;
            break;
        case OPT_RETRY_AFTER:
            if (mq_config_double(optarg, 0, 86400, &dv) != 0) goto bad;
            so.max_retry_after_s = dv;
            break;
        case OPT_TIMEOUT:
            if (mq_config_double(optarg, 0.1, 3600, &dv) != 0) goto bad;
            so.timeout_s = dv;
            break;
        case OPT_BACKOFF:
            if (mq_config_double(optarg, 0, 60, &dv) != 0) goto bad;
            so.backoff_s = dv;
            break;
        case 'h':
            fputs(import_usage, stdout);
            status = 0;
            goto out;
        default: fputs(import_usage, stderr); goto out;
        }
    }
    for (int i = optind; i < argc; i++) {
        char kind[16], id[64];
        if (ig_spimport_parse_ref(argv[i], kind, id) != 0) {
            fprintf(stderr,
                    "mixq-ingest spotify import: '%s' is not a Spotify track, album or playlist "
                    "URI or URL\n",
                    argv[i]);
            goto out;
        }
        int k = !strcmp(kind, "track") ? 0 : !strcmp(kind, "album") ? 1 : 2;
        if (want(&w, k, argv[i]) != 0) goto oom;
        /* Keep the id, not the reference: rewrite the argument in place (it is longer). */
        memmove(argv[i], id, strlen(id) + 1);
    }
    if (!w.n[0] && !w.n[1] && !w.n[2] && !w.n[3] && !isrc_cat) {
        fprintf(stderr, "mixq-ingest spotify import: nothing to import\n\n%s", import_usage);
        goto out;
    }
    ig_conn_finish(&co);
    mq_log_init("ingest", co.log_level);
    status = 1;
    char err[1024];
    so.client_id = mq_config_str(id_flag, "MIXQ_SPOTIFY_CLIENT_ID", NULL);
    so.accounts_url =
        mq_config_str(accounts, "MIXQ_SPOTIFY_ACCOUNTS_URL", "https://accounts.spotify.com");
    so.api_url = mq_config_str(api, "MIXQ_SPOTIFY_API_URL", "https://api.spotify.com");
    secret_file = mq_config_str(secret_file, "MIXQ_SPOTIFY_CLIENT_SECRET_FILE", NULL);
    if (secret_file) {
        if (!(secret = read_secret(secret_file, err, sizeof err))) {
            mq_log(MQ_LOG_ERROR, "no Spotify client secret", "error", err, NULL);
            goto out;
        }
    } else if (getenv("MIXQ_SPOTIFY_CLIENT_SECRET")) {
        if (!(secret = strdup(getenv("MIXQ_SPOTIFY_CLIENT_SECRET")))) goto oom;
    }
    so.client_secret = secret;
    if (!(apic = ig_spotify_new(&so, err, sizeof err))) {
        mq_log(MQ_LOG_ERROR, "cannot use the Spotify API", "error", err, NULL);
        goto out;
    }
    if (connect_all(&co, no_submit || !link, &pg, &sub) != 0) goto out;
    ig_spimport im;
    memset(&im, 0, sizeof im);
    im.api = apic, im.pg = pg, im.audio_features = features;
    int failures = 0;
    if (w.n[0] && ig_spimport_tracks(&im, w.v[0], w.n[0], err, sizeof err) != 0) {
        mq_log(MQ_LOG_ERROR, "track import failed", "error", err, NULL);
        failures++;
    }
    for (size_t i = 0; i < w.n[1]; i++)
        if (ig_spimport_album(&im, w.v[1][i], err, sizeof err) != 0) {
            mq_log(MQ_LOG_ERROR, "album import failed", "album", w.v[1][i], "error", err, NULL);
            failures++;
        }
    for (size_t i = 0; i < w.n[2]; i++)
        if (ig_spimport_playlist(&im, w.v[2][i], err, sizeof err) != 0) {
            mq_log(MQ_LOG_ERROR, "playlist import failed", "playlist", w.v[2][i], "error", err,
                   NULL);
            failures++;
        }
    for (size_t i = 0; i < w.n[3]; i++)
        if (ig_spimport_isrc(&im, w.v[3][i], err, sizeof err) != 0) {
            mq_log(MQ_LOG_ERROR, "ISRC search failed", "isrc", w.v[3][i], "error", err, NULL);
            failures++;
        }
    if (isrc_cat && ig_spimport_isrc_catalogue(&im, err, sizeof err) != 0) {
        mq_log(MQ_LOG_ERROR, "ISRC search of the catalogue failed", "error", err, NULL);
        failures++;
    }
    const ig_spotify_stats *ss = ig_spotify_stats_get(apic);
    json_t *sum =
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:I, s:I, s:I, s:I, s:I, s:I}",
                  "tracks", (json_int_t)im.tracks, "albums", (json_int_t)im.albums, "playlists",
                  (json_int_t)im.playlists, "not_found", (json_int_t)im.not_found, "failed",
                  (json_int_t)failures, "isrc_found", (json_int_t)im.isrc_found, "isrc_unknown",
                  (json_int_t)im.isrc_unknown, "audio_features_refused", im.features_refused,
                  "requests", (json_int_t)ss->requests, "sign_ins", (json_int_t)ss->sign_ins,
                  "rate_limited", (json_int_t)ss->rate_limited, "server_errors",
                  (json_int_t)ss->server_errors, "network_errors", (json_int_t)ss->network_errors,
                  "unauthorized", (json_int_t)ss->unauthorized);
    if (!sum) goto oom;
    if (link && do_link(pg, sub, 0, sum) != 0) failures++;
    print_summary("spotify import", sum);
    status = failures ? 1 : 0;
    goto out;
bad:
    fprintf(stderr, "mixq-ingest spotify import: bad value '%s'\n", optarg);
    goto out;
oom:
    mq_log(MQ_LOG_ERROR, "out of memory", NULL);
    status = 1;
out:
    for (int k = 0; k < 4; k++) free(w.v[k]);
    if (secret) memset(secret, 0, strlen(secret));
    free(secret);
    ig_spotify_del(apic);
    ig_submitter_del(sub);
    if (pg) PQfinish(pg);
    return status;
}

static int cmd_export(int argc, char **argv) {
    static const struct option longopts[] = {{"user", required_argument, NULL, OPT_USER},
                                             {"no-link", no_argument, NULL, OPT_NO_LINK},
                                             {"no-submit", no_argument, NULL, OPT_NO_SUBMIT},
                                             {"help", no_argument, NULL, 'h'},
                                             IG_CONN_LONGOPTS,
                                             {NULL, 0, NULL, 0}};
    ig_conn_opts co;
    ig_conn_init(&co);
    const char *user = NULL;
    int link = 1, no_submit = 0, c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int r = ig_conn_opt(&co, c, optarg, "mixq-ingest spotify export");
        if (r < 0) return 2;
        if (r > 0) continue;
        switch (c) {
        case OPT_USER: user = optarg; break;
        case OPT_NO_LINK: link = 0; break;
        case OPT_NO_SUBMIT: no_submit = 1; break;
        case 'h': fputs(export_usage, stdout); return 0;
        default: fputs(export_usage, stderr); return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "mixq-ingest spotify export: no PATH given\n\n%s", export_usage);
        return 2;
    }
    ig_conn_finish(&co);
    mq_log_init("ingest", co.log_level);
    PGconn *pg;
    ig_submitter *sub;
    if (connect_all(&co, no_submit || !link, &pg, &sub) != 0) return 1;
    ig_spexport x;
    memset(&x, 0, sizeof x);
    x.pg = pg, x.user = user;
    int failures = 0;
    char err[1024];
    for (int i = optind; i < argc; i++)
        if (ig_spexport_path(&x, argv[i], err, sizeof err) != 0) {
            mq_log(MQ_LOG_ERROR, "export import failed", "path", argv[i], "error", err, NULL);
            failures++;
        }
    json_t *sum =
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "files", (json_int_t)x.files,
                  "bad_files", (json_int_t)x.bad_files, "tracks", (json_int_t)x.tracks, "playlists",
                  (json_int_t)x.playlists, "events_read", (json_int_t)x.events_read, "events_new",
                  (json_int_t)x.events_new, "malformed", (json_int_t)x.malformed, "not_music",
                  (json_int_t)x.skipped_other);
    if (sum && link && do_link(pg, sub, 0, sum) != 0) failures++;
    if (sum) print_summary("spotify export", sum);
    ig_submitter_del(sub);
    PQfinish(pg);
    return failures || !sum ? 1 : 0;
}

static int cmd_link(int argc, char **argv) {
    static const struct option longopts[] = {{"relink", no_argument, NULL, OPT_RELINK},
                                             {"no-submit", no_argument, NULL, OPT_NO_SUBMIT},
                                             {"help", no_argument, NULL, 'h'},
                                             IG_CONN_LONGOPTS,
                                             {NULL, 0, NULL, 0}};
    ig_conn_opts co;
    ig_conn_init(&co);
    int relink = 0, no_submit = 0, c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int r = ig_conn_opt(&co, c, optarg, "mixq-ingest spotify link");
        if (r < 0) return 2;
        if (r > 0) continue;
        switch (c) {
        case OPT_RELINK: relink = 1; break;
        case OPT_NO_SUBMIT: no_submit = 1; break;
        case 'h': fputs(link_usage, stdout); return 0;
        default: fputs(link_usage, stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mixq-ingest spotify link: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    ig_conn_finish(&co);
    mq_log_init("ingest", co.log_level);
    PGconn *pg;
    ig_submitter *sub;
    if (connect_all(&co, no_submit, &pg, &sub) != 0) return 1;
    json_t *sum = json_object();
    int rc = sum ? do_link(pg, sub, relink, sum) : -1;
    if (sum) print_summary("spotify link", sum);
    ig_submitter_del(sub);
    PQfinish(pg);
    return rc == 0 ? 0 : 1;
}

static int cmd_report(int argc, char **argv) {
    static const struct option longopts[] = {{"unmatched", no_argument, NULL, OPT_UNMATCHED},
                                             {"help", no_argument, NULL, 'h'},
                                             IG_CONN_LONGOPTS,
                                             {NULL, 0, NULL, 0}};
    ig_conn_opts co;
    ig_conn_init(&co);
    int unmatched = 0, c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int r = ig_conn_opt(&co, c, optarg, "mixq-ingest spotify report");
        if (r < 0) return 2;
        if (r > 0) continue;
        switch (c) {
        case OPT_UNMATCHED: unmatched = 1; break;
        case 'h': fputs(report_usage, stdout); return 0;
        default: fputs(report_usage, stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mixq-ingest spotify report: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    ig_conn_finish(&co);
    mq_log_init("ingest", co.log_level);
    char err[1024];
    PGconn *pg = ig_db_open(co.pg_dsn, err, sizeof err);
    if (!pg) {
        mq_log(MQ_LOG_ERROR, "cannot use PostgreSQL", "error", err, NULL);
        return 1;
    }
    int rc = ig_link_report(pg, stdout, unmatched, err, sizeof err);
    if (rc != 0) mq_log(MQ_LOG_ERROR, "report failed", "error", err, NULL);
    fflush(stdout);
    PQfinish(pg);
    return rc == 0 ? 0 : 1;
}

int ig_cmd_spotify(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(cmd, "import")) return cmd_import(argc - 1, argv + 1);
    if (!strcmp(cmd, "export")) return cmd_export(argc - 1, argv + 1);
    if (!strcmp(cmd, "link")) return cmd_link(argc - 1, argv + 1);
    if (!strcmp(cmd, "report")) return cmd_report(argc - 1, argv + 1);
    fprintf(stderr, "mixq-ingest spotify: unknown command '%s'\n\n%s", cmd, usage);
    return 2;
}
