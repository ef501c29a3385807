/* Unit tests of common/fetch.c: file URIs both ways, file:// in place and under allowed
 * roots, http(s) downloads against a small local HTTP server (python3) with their size
 * bound, timeout, statuses and redirects. */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audio_util.h"
#include "common/fetch.h"

extern char **environ;

static char dir[512];
static pid_t server_pid;
static int server_port;

/* A tiny HTTP server: /ok (17 bytes), /big (100000 bytes with Content-Length), /stream
 * (100000 bytes, no length), redirects, statuses. It exits by itself after a minute. */
static const char server_py[] =
    "import http.server, os, sys, threading\n"
    "threading.Timer(60, lambda: os._exit(0)).start()\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    def log_message(self, *a): pass\n"
    "    def reply(self, code, body=b'', length=True, headers=()):\n"
    "        self.send_response(code)\n"
    "        for k, v in headers: self.send_header(k, v)\n"
    "        if length: self.send_header('Content-Length', str(len(body)))\n"
    "        self.end_headers()\n"
    "        self.wfile.write(body)\n"
    "    def do_GET(self):\n"
    "        p = self.path\n"
    "        if p == '/ok': self.reply(200, b'hello audio bytes')\n"
    "        elif p == '/big': self.reply(200, b'x' * 100000)\n"
    "        elif p == '/stream': self.reply(200, b'y' * 100000, length=False)\n"
    "        elif p == '/to-file': self.reply(302, headers=[('Location', 'file:///etc/passwd')])\n"
    "        elif p == '/to-ok': self.reply(302, headers=[('Location', '/ok')])\n"
    "        elif p == '/500': self.reply(500, b'oops')\n"
    "        elif p == '/429': self.reply(429, b'slow down')\n"
    "        else: self.reply(404, b'no')\n"
    "s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)\n"
    "open(sys.argv[1] + '.tmp', 'w').write(str(s.server_address[1]))\n"
    "os.rename(sys.argv[1] + '.tmp', sys.argv[1])\n"
    "s.serve_forever()\n";

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static void setup(void) { tmpdir_make(dir, sizeof dir); }

static void teardown(void) {
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
        server_pid = 0;
    }
}
TestSuite(fetch, .init = setup, .fini = teardown);

/* Starts the HTTP server; skips the test when python3 is missing. */
static void start_server(void) {
    char script[600], portfile[600];
    snprintf(script, sizeof script, "%s/server.py", dir);
    snprintf(portfile, sizeof portfile, "%s/port", dir);
    write_file(script, server_py);
    char *argv[] = {"python3", script, portfile, NULL};
    if (posix_spawnp(&server_pid, "python3", NULL, NULL, argv, environ) != 0) {
        server_pid = 0;
        cr_skip_test("python3 is not available for the local HTTP server");
    }
    for (int i = 0; i < 100; i++) {
        FILE *f = fopen(portfile, "r");
        if (f) {
            int ok = fscanf(f, "%d", &server_port) == 1;
            fclose(f);
            if (ok) return;
        }
        usleep(50000);
    }
    cr_assert_fail("the HTTP server did not start");
}

static mq_fetch_status get(const char *path, const mq_fetch_opts *o, mq_fetched *out, char *err,
                           size_t errlen) {
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", server_port, path);
    return mq_fetch(url, o, out, err, errlen);
}

/* The whole content of a fetched file, NUL-terminated (malloc'd). */
static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "open %s", path);
    char *buf = malloc(200001);
    *n = fread(buf, 1, 200000, f);
    buf[*n] = 0;
    fclose(f);
    return buf;
}

Test(fetch, file_uris_round_trip_any_bytes) {
    const char *paths[] = {"/music/a b/Ünïcode – song (1).flac", "/m/100%/x?y#z.wav",
                           "/m/\xff\xfe raw.mp3", "/"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        char *u = mq_file_uri(paths[i]);
        cr_assert_not_null(u);
        cr_assert_eq(strncmp(u, "file:///", 8), 0, "%s", u);
        for (const char *c = u; *c; c++) cr_assert(*c > 32 && *c < 127, "printable ASCII: %s", u);
        char *back = mq_file_uri_path(u);
        cr_assert_not_null(back, "%s", u);
        cr_assert_str_eq(back, paths[i]);
        free(u);
        free(back);
    }
    char *u = mq_file_uri("/a b/%");
    cr_assert_str_eq(u, "file:///a%20b/%25");
    free(u);
    cr_assert_null(mq_file_uri("relative/path"));
}

Test(fetch, file_uri_parsing_rejects_what_it_should) {
    char *p = mq_file_uri_path("file://localhost/x/y.wav");
    cr_assert_str_eq(p, "/x/y.wav");
    free(p);
    p = mq_file_uri_path("FILE:///x");
    cr_assert_str_eq(p, "/x");
    free(p);
    cr_assert_null(mq_file_uri_path("file://otherhost/x"));
    cr_assert_null(mq_file_uri_path("file:relative"));
    cr_assert_null(mq_file_uri_path("file:///bad%2"));
    cr_assert_null(mq_file_uri_path("file:///bad%zz"));
    cr_assert_null(mq_file_uri_path("file:///nul%00byte"));
    cr_assert_null(mq_file_uri_path("http://x/y"));
}

Test(fetch, file_is_read_in_place) {
    char path[600], err[256];
    snprintf(path, sizeof path, "%s/a track.wav", dir);
    write_file(path, "data");
    char *u = mq_file_uri(path);
    mq_fetched f;
    cr_assert_eq(mq_fetch(u, NULL, &f, err, sizeof err), MQ_FETCH_OK, "%s", err);
    cr_assert_str_eq(f.path, path);
    cr_assert_eq(f.fd, -1);
    mq_fetched_close(&f);
    mq_fetched_close(&f); /* idempotent */
    free(u);
    /* A missing file is the analyser's to report (io_error): fetch only names it. */
    cr_assert_eq(mq_fetch("file:///no/such/file.wav", NULL, &f, err, sizeof err), MQ_FETCH_OK);
    mq_fetched_close(&f);
}

Test(fetch, file_roots_confine_paths) {
    char inside[600], outside[600], root[600], err[256];
    snprintf(root, sizeof root, "%s/lib", dir);
    mkdir(root, 0700);
    snprintf(inside, sizeof inside, "%s/lib/in.wav", dir);
    snprintf(outside, sizeof outside, "%s/out.wav", dir);
    write_file(inside, "x");
    write_file(outside, "x");
    const char *roots[] = {root};
    mq_fetch_opts o = {.roots = roots, .nroots = 1};
    mq_fetched f;
    char *u = mq_file_uri(inside);
    cr_assert_eq(mq_fetch(u, &o, &f, err, sizeof err), MQ_FETCH_OK, "%s", err);
    mq_fetched_close(&f);
    free(u);
    u = mq_file_uri(outside);
    cr_assert_eq(mq_fetch(u, &o, &f, err, sizeof err), MQ_FETCH_BAD_URI);
    free(u);
    /* ".." cannot climb out, and a sibling with the root as a name prefix is outside. */
    char climb[700], sib[700];
    snprintf(climb, sizeof climb, "file://%s/lib/../out.wav", dir);
    cr_assert_eq(mq_fetch(climb, &o, &f, err, sizeof err), MQ_FETCH_BAD_URI);
    snprintf(sib, sizeof sib, "%s/library.wav", dir);
    write_file(sib, "x");
    u = mq_file_uri(sib);
    cr_assert_eq(mq_fetch(u, &o, &f, err, sizeof err), MQ_FETCH_BAD_URI);
    free(u);
    /* A missing file under a root cannot be resolved: an I/O error, retried later. */
    snprintf(climb, sizeof climb, "file://%s/lib/missing.wav", dir);
    cr_assert_eq(mq_fetch(climb, &o, &f, err, sizeof err), MQ_FETCH_IO);
}

Test(fetch, unsupported_schemes_are_bad_uris) {
    mq_fetched f;
    char err[256];
    cr_assert_eq(mq_fetch("ftp://example.com/a.wav", NULL, &f, err, sizeof err), MQ_FETCH_BAD_URI);
    cr_assert_eq(mq_fetch("/abs/path.wav", NULL, &f, err, sizeof err), MQ_FETCH_BAD_URI);
    cr_assert_eq(mq_fetch("", NULL, &f, err, sizeof err), MQ_FETCH_BAD_URI);
    cr_assert_str_eq(mq_fetch_status_name(MQ_FETCH_BAD_URI), "bad_uri");
}

Test(fetch, http_downloads_to_an_anonymous_file) {
    start_server();
    mq_fetch_global_init();
    mq_fetch_opts o = {.max_bytes = 1 << 20, .timeout_s = 10, .tmp_dir = dir};
    mq_fetched f;
    char err[256];
    cr_assert_eq(get("/ok", &o, &f, err, sizeof err), MQ_FETCH_OK, "%s", err);
    cr_assert_geq(f.fd, 0);
    cr_assert_eq(f.bytes, 17);
    size_t n;
    char *body = slurp(f.path, &n);
    cr_assert_str_eq(body, "hello audio bytes");
    free(body);
    mq_fetched_close(&f);
    /* Nothing is left in the temporary directory. */
    char cmd[700];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s' | grep -v -e server.py -e port)\"", dir);
    cr_assert_eq(system(cmd), 0, "a download left a file behind");

    cr_assert_eq(get("/stream", &o, &f, err, sizeof err), MQ_FETCH_OK, "%s", err);
    cr_assert_eq(f.bytes, 100000);
    mq_fetched_close(&f);
    cr_assert_eq(get("/to-ok", &o, &f, err, sizeof err), MQ_FETCH_OK, "%s", err);
    cr_assert_eq(f.bytes, 17);
    mq_fetched_close(&f);
}

Test(fetch, http_size_bound_holds_with_and_without_a_length) {
    start_server();
    mq_fetch_global_init();
    mq_fetch_opts o = {.max_bytes = 50000, .timeout_s = 10, .tmp_dir = dir};
    mq_fetched f;
    char err[256];
    cr_assert_eq(get("/big", &o, &f, err, sizeof err), MQ_FETCH_TOO_LARGE, "%s", err);
    cr_assert_eq(get("/stream", &o, &f, err, sizeof err), MQ_FETCH_TOO_LARGE, "%s", err);
    cr_assert(strstr(err, "50000"), "%s", err);
    o.max_bytes = 100000; /* exactly the size is fine */
    cr_assert_eq(get("/stream", &o, &f, err, sizeof err), MQ_FETCH_OK, "%s", err);
    mq_fetched_close(&f);
}

Test(fetch, http_statuses_and_redirects_are_classified) {
    start_server();
    mq_fetch_global_init();
    mq_fetch_opts o = {.max_bytes = 1 << 20, .timeout_s = 10, .tmp_dir = dir};
    mq_fetched f;
    char err[256];
    cr_assert_eq(get("/missing", &o, &f, err, sizeof err), MQ_FETCH_HTTP_STATUS, "%s", err);
    cr_assert(strstr(err, "404"), "%s", err);
    cr_assert_eq(get("/500", &o, &f, err, sizeof err), MQ_FETCH_FAILED, "%s", err);
    cr_assert_eq(get("/429", &o, &f, err, sizeof err), MQ_FETCH_FAILED, "%s", err);
    /* A redirect may not lead to the local file system. */
    cr_assert_eq(get("/to-file", &o, &f, err, sizeof err), MQ_FETCH_FAILED, "%s", err);
    /* Nobody listening. */
    char url[64];
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    bind(s, (struct sockaddr *)&a, sizeof a);
    getsockname(s, (struct sockaddr *)&a, &al);
    close(s);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/x", ntohs(a.sin_port));
    cr_assert_eq(mq_fetch(url, &o, &f, err, sizeof err), MQ_FETCH_FAILED, "%s", err);
}

Test(fetch, http_timeout_bounds_a_silent_server) {
    /* A listener that never answers: the connection completes in the backlog. */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(s, 4), 0);
    getsockname(s, (struct sockaddr *)&a, &al);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/slow.wav", ntohs(a.sin_port));
    mq_fetch_global_init();
    mq_fetch_opts o = {.max_bytes = 1 << 20, .timeout_s = 0.5, .tmp_dir = dir};
    mq_fetched f;
    char err[256];
    cr_assert_eq(mq_fetch(url, &o, &f, err, sizeof err), MQ_FETCH_TIMEOUT, "%s", err);
    cr_assert_str_eq(mq_fetch_status_name(MQ_FETCH_TIMEOUT), "timeout");
    close(s);
}

Test(fetch, unwritable_temp_dir_is_an_io_error) {
    mq_fetch_opts o = {.tmp_dir = "/nonexistent/dir"};
    mq_fetched f;
    char err[256];
    cr_assert_eq(mq_fetch("http://127.0.0.1:1/x", &o, &f, err, sizeof err), MQ_FETCH_IO);
    cr_assert(strstr(err, "temporary"), "%s", err);
}
