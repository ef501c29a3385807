/* Tests of mixq-worker against a fake broker: a ROUTER socket in the test speaking
 * docs/protocol.md. They run the real binary ($MIXQ_BIN/mixq-worker, else
 * build-test/bin/mixq-worker; skipped when it is not built) and check credit, results,
 * heartbeats, re-registration, reconnection, the SIGTERM grace period and Release, the
 * test hooks, error classification of real analyses, and CURVE. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "analysis/analyzer.h"
#include "audio_util.h"
#include "common/curve.h"
#include "common/fetch.h"
#include "common/wire.h"

extern char **environ;

typedef struct fake {
    void *ctx, *router;
    mq_curve_auth *auth;
    char ep[64];
    char id[MQ_WIRE_MAX_IDENTITY]; /* the identity of the last sender */
    size_t idlen;
    char worker_id[256];
    int silent; /* do not answer heartbeats */
    unsigned initial_readies, credit_added;
    uint32_t last_initial_credit;
    pid_t pid;
} fake;

static fake F;
static char dir[512];
static char worker_bin[512];

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void setup(void) {
    tmpdir_make(dir, sizeof dir);
    const char *bin = getenv("MIXQ_BIN");
    snprintf(worker_bin, sizeof worker_bin, "%s/mixq-worker", bin && *bin ? bin : "build-test/bin");
    memset(&F, 0, sizeof F);
    F.ctx = zmq_ctx_new();
}

static void teardown(void) {
    if (F.pid > 0) {
        kill(F.pid, SIGKILL);
        waitpid(F.pid, NULL, 0);
    }
    if (F.router) zmq_close(F.router);
    mq_curve_auth_stop(F.auth);
    zmq_ctx_term(F.ctx);
}
TestSuite(worker, .init = setup, .fini = teardown);

/* Binds the fake broker at ep (NULL: a free loopback port), CURVE when key is given. */
static void fake_bind(const char *ep, const mq_curve_key *key) {
    F.router = zmq_socket(F.ctx, ZMQ_ROUTER);
    int zero = 0;
    zmq_setsockopt(F.router, ZMQ_LINGER, &zero, sizeof zero);
    if (key) cr_assert_eq(mq_curve_server(F.router, key), 0);
    cr_assert_eq(zmq_bind(F.router, ep ? ep : "tcp://127.0.0.1:*"), 0, "bind: %s",
                 zmq_strerror(zmq_errno()));
    size_t n = sizeof F.ep;
    zmq_getsockopt(F.router, ZMQ_LAST_ENDPOINT, F.ep, &n);
}

static void fake_close(void) {
    zmq_close(F.router);
    F.router = NULL;
}

/* Starts the worker with extra arguments (NULL-terminated); its log goes to dir/worker.log.
 * It is killed if this test process dies, whatever the reason. */
static void worker_start(const char *const *extra) {
    if (access(worker_bin, X_OK) != 0) cr_skip_test("%s is not built", worker_bin);
    const char *argv[40] = {worker_bin, "--broker", F.ep, "--log-level", "debug"};
    int n = 5;
    for (int i = 0; extra && extra[i] && n < 38; i++) argv[n++] = extra[i];
    argv[n] = NULL;
    char log[600];
    snprintf(log, sizeof log, "%s/worker.log", dir);
    pid_t parent = getpid();
    F.pid = fork();
    cr_assert_geq(F.pid, 0, "fork");
    if (F.pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int nul = open("/dev/null", O_WRONLY);
        if (fd < 0 || nul < 0 || dup2(fd, 2) < 0 || dup2(nul, 1) < 0) _exit(127);
        execve(worker_bin, (char **)argv, environ);
        _exit(127);
    }
}

/* Waits up to secs for the worker to exit; returns its exit status, or -1. */
static int worker_wait(double secs) {
    double end = now_s() + secs;
    while (now_s() < end) {
        int st;
        pid_t r = waitpid(F.pid, &st, WNOHANG);
        if (r == F.pid) {
            F.pid = 0;
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        usleep(20000);
    }
    return -1;
}

static void send_env(Mixq__Envelope *env) {
    env->version = MQ_WIRE_VERSION;
    cr_assert_eq(mq_wire_send_to(F.router, F.id, F.idlen, env, 0), 0);
}

static void answer_heartbeat(const char *worker_id) {
    Mixq__Heartbeat hb = MIXQ__HEARTBEAT__INIT;
    hb.worker_id = (char *)worker_id;
    Mixq__Envelope env = MIXQ__ENVELOPE__INIT;
    env.body_case = MIXQ__ENVELOPE__BODY_HEARTBEAT;
    env.heartbeat = &hb;
    send_env(&env);
}

/* The next envelope with body `want` within secs (NULL on timeout). Meanwhile heartbeats
 * are answered (unless silent) and Readies counted. Free with
 * mixq__envelope__free_unpacked. */
static Mixq__Envelope *expect(int want, double secs) {
    double end = now_s() + secs;
    for (;;) {
        double left = end - now_s();
        if (left <= 0) return NULL;
        zmq_pollitem_t it = {F.router, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, (long)(left * 1000) + 1) <= 0) continue;
        Mixq__Envelope *env = NULL;
        char why[128];
        mq_wire_status st = mq_wire_recv_from(F.router, 0, F.id, &F.idlen, &env, why, sizeof why);
        cr_assert_eq(st, MQ_WIRE_OK, "the worker sent a bad message: %s", why);
        if (env->body_case == MIXQ__ENVELOPE__BODY_READY) {
            snprintf(F.worker_id, sizeof F.worker_id, "%s", env->ready->worker_id);
            if (env->ready->initial) {
                F.initial_readies++;
                F.last_initial_credit = env->ready->credit;
            } else {
                F.credit_added += env->ready->credit;
            }
        }
        if (env->body_case == MIXQ__ENVELOPE__BODY_HEARTBEAT && !F.silent)
            answer_heartbeat(env->heartbeat->worker_id);
        if ((int)env->body_case == want) return env;
        mixq__envelope__free_unpacked(env, NULL);
    }
}

static void dispatch(const char *job_id, const char *uri, const char *version) {
    Mixq__Job job = MIXQ__JOB__INIT;
    job.job_id = (char *)job_id;
    job.track_id = 7;
    job.uri = (char *)uri;
    job.attempt = 1;
    job.analyzer_version = (char *)version;
    Mixq__Dispatch d = MIXQ__DISPATCH__INIT;
    d.job = &job;
    d.lease_ms = 3000;
    Mixq__Envelope env = MIXQ__ENVELOPE__INIT;
    env.body_case = MIXQ__ENVELOPE__BODY_DISPATCH;
    env.dispatch = &d;
    send_env(&env);
}

/* The result of job_id among the next n results (asserted present); copied into *out. */
typedef struct outcome {
    char job_id[64], features[65536], code[64], message[256];
    int kind;
    double seconds;
} outcome;

static void expect_results(outcome *out, int n, double secs) {
    for (int i = 0; i < n; i++) {
        Mixq__Envelope *env = expect(MIXQ__ENVELOPE__BODY_RESULT, secs);
        cr_assert_not_null(env, "result %d of %d did not come", i + 1, n);
        Mixq__Result *r = env->result;
        outcome *o = &out[i];
        snprintf(o->job_id, sizeof o->job_id, "%s", r->job_id);
        size_t fl = r->features_json.len < sizeof o->features - 1 ? r->features_json.len
                                                                  : sizeof o->features - 1;
        if (fl) memcpy(o->features, r->features_json.data, fl);
        o->features[fl] = 0;
        snprintf(o->code, sizeof o->code, "%s", r->error_code);
        snprintf(o->message, sizeof o->message, "%s", r->error_message);
        o->kind = r->error_kind;
        o->seconds = r->seconds;
        cr_assert_str_eq(r->worker_id, F.worker_id);
        cr_assert_eq(r->track_id, 7);
        mixq__envelope__free_unpacked(env, NULL);
    }
}

static const outcome *find(const outcome *o, int n, const char *job_id) {
    for (int i = 0; i < n; i++)
        if (!strcmp(o[i].job_id, job_id)) return &o[i];
    cr_assert_fail("no result for %s", job_id);
    return NULL;
}

/* A loopback port that accepts connections (in its backlog) and never answers. */
static int silent_listener(int *port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(s, 16), 0);
    getsockname(s, (struct sockaddr *)&a, &al);
    *port = ntohs(a.sin_port);
    return s;
}

Test(worker, noop_credit_results_heartbeats) {
    fake_bind(NULL, NULL);
    worker_start((const char *[]){"--noop", "--credit", "4", NULL});
    Mixq__Envelope *env = expect(MIXQ__ENVELOPE__BODY_READY, 20);
    cr_assert_not_null(env, "no Ready");
    cr_assert(env->ready->initial, "the first Ready is initial");
    cr_assert_eq(env->ready->credit, 4);
    cr_assert_eq(env->ready->threads, 0);
    cr_assert_neq(env->ready->worker_id[0], 0);
    mixq__envelope__free_unpacked(env, NULL);

    dispatch("a:v", "file:///m/a.wav", "v-test");
    dispatch("b:v", "file:///m/b.wav", "v-test");
    dispatch("c:v", "file:///m/c.wav", "");
    outcome o[3];
    expect_results(o, 3, 10);
    cr_assert_str_eq(find(o, 3, "a:v")->features,
                     "{\"analyzer_version\":\"v-test\",\"noop\":true}");
    cr_assert_eq(find(o, 3, "b:v")->kind, MIXQ__ERROR_KIND__ERROR_NONE);
    char want[128];
    snprintf(want, sizeof want, "{\"analyzer_version\":\"%s\",\"noop\":true}", MQ_ANALYZER_VERSION);
    cr_assert_str_eq(find(o, 3, "c:v")->features, want);

    /* Every freed slot is announced again, and heartbeats keep coming. */
    double end = now_s() + 5;
    while (F.credit_added < 3 && now_s() < end) {
        env = expect(MIXQ__ENVELOPE__BODY_READY, end - now_s());
        if (env) mixq__envelope__free_unpacked(env, NULL);
    }
    cr_assert_eq(F.credit_added, 3);
    env = expect(MIXQ__ENVELOPE__BODY_HEARTBEAT, 3);
    cr_assert_not_null(env, "no heartbeat");
    cr_assert_str_eq(env->heartbeat->worker_id, F.worker_id);
    cr_assert_eq(env->heartbeat->n_job_ids, 0);
    mixq__envelope__free_unpacked(env, NULL);
    cr_assert_eq(F.initial_readies, 1);

    kill(F.pid, SIGTERM);
    cr_assert_eq(worker_wait(10), 0, "exit 0 on SIGTERM");
}

Test(worker, reregisters_when_the_broker_does_not_know_it) {
    fake_bind(NULL, NULL);
    worker_start((const char *[]){"--noop", "--credit", "5", NULL});
    Mixq__Envelope *env = expect(MIXQ__ENVELOPE__BODY_READY, 20);
    cr_assert_not_null(env);
    mixq__envelope__free_unpacked(env, NULL);
    dispatch("held:v", "file:///x.wav", "");
    outcome o;
    expect_results(&o, 1, 10);
    answer_heartbeat(""); /* "who are you?" */
    double end = now_s() + 5;
    while (F.initial_readies < 2 && now_s() < end) {
        env = expect(MIXQ__ENVELOPE__BODY_READY, end - now_s());
        if (env) mixq__envelope__free_unpacked(env, NULL);
    }
    cr_assert_eq(F.initial_readies, 2, "an initial Ready after an unknown-worker answer");
    cr_assert_eq(F.last_initial_credit, 5, "all free slots");
}

Test(worker, poison_hook_and_noop_delay) {
    fake_bind(NULL, NULL);
    worker_start(
        (const char *[]){"--noop", "--noop-ms", "1500", "--fail-uri-substring", "POISON", NULL});
    Mixq__Envelope *env = expect(MIXQ__ENVELOPE__BODY_READY, 20);
    cr_assert_not_null(env);
    mixq__envelope__free_unpacked(env, NULL);
    double t0 = now_s();
    dispatch("slow:v", "file:///m/ok.wav", "");
    dispatch("bad:v", "file:///m/POISON.wav", "");
    /* Held jobs are named in heartbeats (the first may predate the dispatches). */
    size_t named = 0;
    while (named != 2 && (env = expect(MIXQ__ENVELOPE__BODY_HEARTBEAT, 3))) {
        named = env->heartbeat->n_job_ids;
        mixq__envelope__free_unpacked(env, NULL);
    }
    cr_assert_eq(named, 2, "a heartbeat names both held jobs");
    outcome o[2];
    expect_results(o, 2, 10);
    cr_assert_geq(now_s() - t0, 1.4, "--noop-ms holds each job");
    const outcome *bad = find(o, 2, "bad:v");
    cr_assert_eq(bad->kind, MIXQ__ERROR_KIND__ERROR_TRANSIENT);
    cr_assert_str_eq(bad->code, "io_error");
    cr_assert_str_eq(bad->message, "test failure");
    cr_assert_str_eq(bad->features, "");
    cr_assert_eq(find(o, 2, "slow:v")->kind, MIXQ__ERROR_KIND__ERROR_NONE);
}

Test(worker, sigterm_releases_waiting_jobs_and_finishes_running_ones) {
    int port, s = silent_listener(&port);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/slow.wav", port);
    fake_bind(NULL, NULL);
    worker_start((const char *[]){"--threads", "1", "--credit", "3", "--fetch-timeout", "2",
                                  "--grace", "20", NULL});
    Mixq__Envelope *env = expect(MIXQ__ENVELOPE__BODY_READY, 30);
    cr_assert_not_null(env);
    cr_assert_eq(env->ready->credit, 3);
    mixq__envelope__free_unpacked(env, NULL);
    dispatch("run:v", url, "");
    dispatch("wait1:v", url, "");
    dispatch("wait2:v", url, "");
    usleep(500000); /* the one thread has started the first */
    kill(F.pid, SIGTERM);
    env = expect(MIXQ__ENVELOPE__BODY_RELEASE, 5);
    cr_assert_not_null(env, "no Release after SIGTERM");
    cr_assert_eq(env->release->n_job_ids, 2);
    cr_assert_str_eq(env->release->job_ids[0], "wait1:v");
    cr_assert_str_eq(env->release->job_ids[1], "wait2:v");
    mixq__envelope__free_unpacked(env, NULL);
    unsigned credit_before = F.credit_added;
    outcome o;
    expect_results(&o, 1, 10);
    cr_assert_str_eq(o.job_id, "run:v");
    cr_assert_eq(o.kind, MIXQ__ERROR_KIND__ERROR_TRANSIENT);
    cr_assert_str_eq(o.code, "timeout");
    cr_assert_eq(worker_wait(10), 0);
    cr_assert_eq(F.credit_added, credit_before, "no credit once stopping");
    close(s);
}

Test(worker, grace_period_end_releases_running_jobs) {
    int port, s = silent_listener(&port);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/slow.wav", port);
    fake_bind(NULL, NULL);
    worker_start((const char *[]){"--threads", "1", "--credit", "2", "--fetch-timeout", "30",
                                  "--grace", "0.5", NULL});
    Mixq__Envelope *env = expect(MIXQ__ENVELOPE__BODY_READY, 30);
    cr_assert_not_null(env);
    mixq__envelope__free_unpacked(env, NULL);
    dispatch("run:v", url, "");
    dispatch("wait:v", url, "");
    usleep(500000);
    double t0 = now_s();
    kill(F.pid, SIGTERM);
    env = expect(MIXQ__ENVELOPE__BODY_RELEASE, 5);
    cr_assert_not_null(env);
    cr_assert_eq(env->release->n_job_ids, 1);
    cr_assert_str_eq(env->release->job_ids[0], "wait:v");
    mixq__envelope__free_unpacked(env, NULL);
    env = expect(MIXQ__ENVELOPE__BODY_RELEASE, 5);
    cr_assert_not_null(env, "no last Release at the end of the grace period");
    cr_assert_eq(env->release->n_job_ids, 1);
    cr_assert_str_eq(env->release->job_ids[0], "run:v");
    mixq__envelope__free_unpacked(env, NULL);
    cr_assert_eq(worker_wait(10), 0);
    cr_assert_lt(now_s() - t0, 8, "the worker did not wait for the running job");
    close(s);
}

Test(worker, reconnects_to_a_restarted_broker) {
    fake_bind(NULL, NULL);
    char ep[64];
    snprintf(ep, sizeof ep, "%s", F.ep);
    worker_start((const char *[]){"--noop", "--credit", "3", NULL});
    Mixq__Envelope *env = expect(MIXQ__ENVELOPE__BODY_READY, 20);
    cr_assert_not_null(env);
    mixq__envelope__free_unpacked(env, NULL);
    fake_close();
    usleep(1500000);
    fake_bind(ep, NULL);
    F.initial_readies = 0;
    env = expect(MIXQ__ENVELOPE__BODY_READY, 20);
    cr_assert_not_null(env, "no Ready after the broker came back");
    cr_assert(env->ready->initial);
    cr_assert_eq(env->ready->credit, 3);
    mixq__envelope__free_unpacked(env, NULL);
    dispatch("after:v", "file:///a.wav", "");
    outcome o;
    expect_results(&o, 1, 10);
    cr_assert_str_eq(o.job_id, "after:v");
}

Test(worker, a_silent_broker_gets_a_new_connection) {
    fake_bind(NULL, NULL);
    F.silent = 1;
    worker_start((const char *[]){"--noop", NULL});
    Mixq__Envelope *env = expect(MIXQ__ENVELOPE__BODY_READY, 20);
    cr_assert_not_null(env);
    char first[MQ_WIRE_MAX_IDENTITY];
    size_t firstlen = F.idlen;
    memcpy(first, F.id, F.idlen);
    mixq__envelope__free_unpacked(env, NULL);
    double t0 = now_s();
    env = expect(MIXQ__ENVELOPE__BODY_READY, 15);
    cr_assert_not_null(env, "no new connection after 3 s of silence");
    cr_assert(env->ready->initial);
    cr_assert(F.idlen != firstlen || memcmp(F.id, first, firstlen) != 0, "a new socket");
    cr_assert_geq(now_s() - t0, 2.5);
    mixq__envelope__free_unpacked(env, NULL);
}

/* A click track: an impulse every half second. */
static void sig_clicks(float *x, long n, int rate, void *ud) {
    (void)ud;
    for (long i = 0; i < n; i++) x[i] = (i % (rate / 2)) < 64 ? 0.8f : 0.0f;
}

Test(worker, real_analysis_outcomes_are_classified) {
    char wav[600], empty[600], text[600], missing[600];
    snprintf(wav, sizeof wav, "%s/clicks track.wav", dir);
    snprintf(empty, sizeof empty, "%s/empty.wav", dir);
    snprintf(text, sizeof text, "%s/text.mp3", dir);
    snprintf(missing, sizeof missing, "%s/missing.wav", dir);
    write_audio(wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 22050, 1, 6.0, sig_clicks, NULL);
    fclose(fopen(empty, "w"));
    FILE *f = fopen(text, "w");
    fputs("this is not audio, only text pretending to be an mp3 file\n", f);
    fclose(f);
    char *u_wav = mq_file_uri(wav), *u_empty = mq_file_uri(empty), *u_text = mq_file_uri(text),
         *u_missing = mq_file_uri(missing);

    fake_bind(NULL, NULL);
    worker_start((const char *[]){"--threads", "2", "--credit", "8", NULL});
    Mixq__Envelope *env = expect(MIXQ__ENVELOPE__BODY_READY, 30);
    cr_assert_not_null(env);
    cr_assert_eq(env->ready->threads, 2);
    mixq__envelope__free_unpacked(env, NULL);
    dispatch("wav", u_wav, MQ_ANALYZER_VERSION);
    dispatch("empty", u_empty, "");
    dispatch("text", u_text, "");
    dispatch("missing", u_missing, "");
    dispatch("ftp", "ftp://example.com/a.wav", "");
    dispatch("version", u_wav, "mixq-analysis/0.0.0-other");
    outcome o[6];
    expect_results(o, 6, 120);

    const outcome *r = find(o, 6, "wav");
    cr_assert_eq(r->kind, MIXQ__ERROR_KIND__ERROR_NONE, "%s: %s", r->code, r->message);
    cr_assert(strstr(r->features, "\"tempo_bpm\""), "%s", r->features);
    cr_assert(strstr(r->features, "\"path\":\""), "%s", r->features);
    cr_assert(strstr(r->features, "clicks track.wav"), "the local path is named");
    cr_assert(strstr(r->features, MQ_ANALYZER_VERSION));
    cr_assert_gt(r->seconds, 0);
    struct {
        const char *job, *code;
        int kind;
    } want[] = {{"empty", "empty_audio", MIXQ__ERROR_KIND__ERROR_PERMANENT},
                {"text", "unsupported_format", MIXQ__ERROR_KIND__ERROR_PERMANENT},
                {"missing", "io_error", MIXQ__ERROR_KIND__ERROR_TRANSIENT},
                {"ftp", "bad_uri", MIXQ__ERROR_KIND__ERROR_PERMANENT},
                {"version", "analyzer_version_mismatch", MIXQ__ERROR_KIND__ERROR_TRANSIENT}};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        r = find(o, 6, want[i].job);
        cr_assert_str_eq(r->code, want[i].code, "%s", want[i].job);
        cr_assert_eq(r->kind, want[i].kind, "%s", want[i].job);
        cr_assert_neq(r->message[0], 0);
        cr_assert_str_eq(r->features, "");
    }
    free(u_wav);
    free(u_empty);
    free(u_text);
    free(u_missing);
    kill(F.pid, SIGINT);
    cr_assert_eq(worker_wait(20), 0, "exit 0 on SIGINT");
}

/* Serves dir over HTTP on a free loopback port (python3 -m http.server); returns its pid. */
static pid_t http_serve(const char *root, int *port) {
    int s = silent_listener(port);
    close(s); /* the port is free again; the server takes it */
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", *port);
    const char *argv[] = {"python3",     "-m", "http.server", "--bind", "127.0.0.1",
                          "--directory", root, portstr,       NULL};
    pid_t parent = getpid(), pid = fork();
    cr_assert_geq(pid, 0, "fork");
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives the test */
        if (getppid() != parent) _exit(127);
        int nul = open("/dev/null", O_WRONLY);
        if (nul < 0 || dup2(nul, 1) < 0 || dup2(nul, 2) < 0) _exit(127);
        execvp("python3", (char **)argv);
        _exit(127);
    }
    for (int i = 0; i < 100; i++) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_port = htons((uint16_t)*port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int ok = connect(c, (struct sockaddr *)&a, sizeof a) == 0;
        close(c);
        if (ok) return pid;
        usleep(50000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    cr_assert_fail("the HTTP server did not start");
    return 0;
}

Test(worker, http_downloads_are_bounded) {
    char www[600], small[700], big[700], tmp[600];
    snprintf(www, sizeof www, "%s/www", dir);
    snprintf(tmp, sizeof tmp, "%s/downloads", dir);
    mkdir(www, 0700);
    mkdir(tmp, 0700);
    snprintf(small, sizeof small, "%s/small.wav", www);
    snprintf(big, sizeof big, "%s/big.wav", www);
    write_audio(small, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 22050, 1, 3.0, sig_clicks, NULL);
    write_audio(big, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 22050, 1, 6.0, sig_clicks, NULL);
    int port;
    pid_t http = http_serve(www, &port);
    fake_bind(NULL, NULL);
    /* small.wav is some 132 kB, big.wav 265 kB */
    worker_start((const char *[]){"--threads", "1", "--credit", "3", "--max-fetch-bytes", "200k",
                                  "--tmp-dir", tmp, NULL});
    Mixq__Envelope *env = expect(MIXQ__ENVELOPE__BODY_READY, 30);
    cr_assert_not_null(env);
    mixq__envelope__free_unpacked(env, NULL);
    char u_small[128], u_big[128], u_404[128];
    snprintf(u_small, sizeof u_small, "http://127.0.0.1:%d/small.wav", port);
    snprintf(u_big, sizeof u_big, "http://127.0.0.1:%d/big.wav", port);
    snprintf(u_404, sizeof u_404, "http://127.0.0.1:%d/none.wav", port);
    dispatch("small", u_small, "");
    dispatch("big", u_big, "");
    dispatch("404", u_404, "");
    outcome o[3];
    expect_results(o, 3, 60);
    kill(http, SIGTERM);
    waitpid(http, NULL, 0);
    const outcome *r = find(o, 3, "small");
    cr_assert_eq(r->kind, MIXQ__ERROR_KIND__ERROR_NONE, "%s: %s", r->code, r->message);
    char want[160];
    snprintf(want, sizeof want, "\"path\":\"%s\"", u_small);
    cr_assert(strstr(r->features, want), "a download is named by its URL");
    r = find(o, 3, "big");
    cr_assert_eq(r->kind, MIXQ__ERROR_KIND__ERROR_PERMANENT);
    cr_assert_str_eq(r->code, "fetch_too_large");
    r = find(o, 3, "404");
    cr_assert_eq(r->kind, MIXQ__ERROR_KIND__ERROR_PERMANENT);
    cr_assert_str_eq(r->code, "http_status");
    char cmd[700];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", tmp);
    cr_assert_eq(system(cmd), 0, "a download outlived its job");
}

Test(worker, curve_admits_listed_keys_only) {
    mq_curve_key server, client, stranger;
    cr_assert_eq(mq_curve_keygen(&server), 0);
    /* common/curve.c strips '#' comments anywhere on an allow-file line, and '#' is a Z85
     * character: use a key without one. */
    do cr_assert_eq(mq_curve_keygen(&client), 0);
    while (strchr(client.pub, '#'));
    cr_assert_eq(mq_curve_keygen(&stranger), 0);
    char allow[600], ckey[600], skey[600], err[256];
    snprintf(allow, sizeof allow, "%s/allow", dir);
    snprintf(ckey, sizeof ckey, "%s/client.key", dir);
    snprintf(skey, sizeof skey, "%s/stranger.key", dir);
    FILE *f = fopen(allow, "w");
    fprintf(f, "# workers\n%s\n", client.pub);
    fclose(f);
    cr_assert_eq(mq_curve_key_save(&client, ckey, err, sizeof err), 0);
    cr_assert_eq(mq_curve_key_save(&stranger, skey, err, sizeof err), 0);
    F.auth = mq_curve_auth_start(F.ctx, allow, err, sizeof err);
    cr_assert_not_null(F.auth, "%s", err);
    fake_bind(NULL, &server);

    worker_start((const char *[]){"--noop", "--curve-key", skey, "--broker-key", server.pub, NULL});
    Mixq__Envelope *env = expect(MIXQ__ENVELOPE__BODY_READY, 3);
    cr_assert_null(env, "an unlisted key got through");
    kill(F.pid, SIGTERM);
    cr_assert_eq(worker_wait(10), 0);
    cr_assert_geq(mq_curve_auth_refused(F.auth), 1);

    worker_start((const char *[]){"--noop", "--curve-key", ckey, "--broker-key", server.pub, NULL});
    env = expect(MIXQ__ENVELOPE__BODY_READY, 20);
    cr_assert_not_null(env, "the listed key was refused");
    mixq__envelope__free_unpacked(env, NULL);
}

/* Runs the worker with args and returns its exit status (it must exit at once). */
static int run_status(const char *const *args) {
    worker_start(args);
    return worker_wait(20);
}

Test(worker, options_are_checked) {
    strcpy(F.ep, "tcp://127.0.0.1:1");
    cr_assert_eq(run_status((const char *[]){"--help", NULL}), 0);
    cr_assert_eq(run_status((const char *[]){"--threads", "0", NULL}), 2);
    cr_assert_eq(run_status((const char *[]){"--bogus", NULL}), 2);
    cr_assert_eq(run_status((const char *[]){"--noop-ms", "5", NULL}), 2, "--noop-ms needs --noop");
    cr_assert_eq(run_status((const char *[]){"--broker-key", "short", NULL}), 2);
    cr_assert_eq(run_status((const char *[]){"--max-fetch-bytes", "12Q", NULL}), 2);
    strcpy(F.ep, "tcp://192.0.2.1:5555");
    cr_assert_eq(run_status(NULL), 2, "plain mode to a remote broker needs --allow-plain");
    char log[700], cmd[800];
    snprintf(log, sizeof log, "%s/worker.log", dir);
    snprintf(cmd, sizeof cmd, "grep -q -- --allow-plain '%s'", log);
    cr_assert_eq(system(cmd), 0, "the refusal says how to fix it");
}
