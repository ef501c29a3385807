/* log.c -- JSON-lines logging to stderr. The component and level are set once from
 * main() before threads start, and only read afterwards. */
#include "common/log.h"

#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static char log_component[32] = "mixq";
static mq_log_level log_min = MQ_LOG_INFO;
static int log_fd = STDERR_FILENO; /* where lines go; see mq_log_capture_stderr() */

static const char *level_names[] = {"debug", "info", "warn", "error"};

void mq_log_init(const char *component, const char *level_name) {
    snprintf(log_component, sizeof log_component, "%s", component);
    if (!level_name) level_name = getenv("MIXQ_LOG_LEVEL");
    if (!level_name) return;
    for (int i = 0; i < 4; i++)
        if (!strcasecmp(level_name, level_names[i])) log_min = (mq_log_level)i;
}

#define MAX_FIELDS 16

/* Writes one line with n key/value pairs from kv. */
static void emit(mq_log_level level, const char *msg, const char **kv, int n) {
    if (level < log_min) return;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char ts[64];
    snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (long)(tv.tv_usec / 1000));
    json_t *o = json_object();
    if (!o) return;
    json_object_set_new(o, "ts", json_string(ts));
    json_object_set_new(o, "level", json_string(level_names[level]));
    json_object_set_new(o, "component", json_string(log_component));
    /* Invalid UTF-8 (e.g. a file name) must not lose the line: fall back to a note. */
    json_t *m = json_string(msg);
    json_object_set_new(o, "msg", m ? m : json_string("(message not valid UTF-8)"));
    for (int i = 0; i < n; i++) {
        const char *v = kv[2 * i + 1];
        json_t *jv = v ? json_string(v) : json_null();
        json_object_set_new(o, kv[2 * i], jv ? jv : json_string("(not valid UTF-8)"));
    }
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s) return;
    size_t len = strlen(s);
    s[len] = '\n'; /* replace the terminator: the line goes out in one write */
    ssize_t w = write(log_fd, s, len + 1);
    (void)w;
    free(s);
}

void mq_log(mq_log_level level, const char *msg, ...) {
    const char *kv[2 * MAX_FIELDS];
    int n = 0;
    va_list ap;
    va_start(ap, msg);
    const char *k;
    while (n < MAX_FIELDS && (k = va_arg(ap, const char *))) {
        kv[2 * n] = k;
        kv[2 * n + 1] = va_arg(ap, const char *);
        n++;
    }
    va_end(ap);
    emit(level, msg, kv, n);
}

void mq_logf(mq_log_level level, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    emit(level, buf, NULL, 0);
}

/* Reads what libraries write to stderr, line by line, and logs each line. */
static void *capture_thread(void *arg) {
    FILE *in = fdopen((int)(intptr_t)arg, "r");
    if (!in) return NULL;
    char line[1024];
    while (fgets(line, sizeof line, in)) {
        size_t n = strlen(line);
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (n == 0) continue;
        const char *kv[2] = {"text", line};
        emit(MQ_LOG_WARN, "library output", kv, 1);
    }
    fclose(in);
    return NULL;
}

int mq_log_capture_stderr(void) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return -1;
    int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (saved < 0 || dup2(p[1], STDERR_FILENO) < 0) {
        close(p[0]);
        close(p[1]);
        if (saved >= 0) close(saved);
        return -1;
    }
    close(p[1]);
    log_fd = saved;
    pthread_t t;
    if (pthread_create(&t, NULL, capture_thread, (void *)(intptr_t)p[0]) != 0) return -1;
    pthread_detach(t);
    return 0;
}
