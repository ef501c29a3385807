/* log.h -- structured logging: one JSON object per line on stderr.
 *
 * Every daemon logs this way: {"ts":"2026-11-25T16:37:00.123Z","level":"info",
 * "component":"broker","msg":"...", ...fields}. Fields are given as key/format pairs. */
#ifndef MQ_LOG_H
#define MQ_LOG_H

typedef enum mq_log_level { MQ_LOG_DEBUG, MQ_LOG_INFO, MQ_LOG_WARN, MQ_LOG_ERROR } mq_log_level;

/* Sets the component name written in every line and the lowest level written
 * (from MIXQ_LOG_LEVEL = debug|info|warn|error when level_name is NULL). Call once in
 * main(), before threads start. */
void mq_log_init(const char *component, const char *level_name);

/* Writes one line: msg, then extra fields given as a NULL-terminated list of
 * (const char *key, const char *value) pairs (at most 16), each value written as a JSON
 * string. Thread-safe (one write(2) per line). */
void mq_log(mq_log_level level, const char *msg, ...);

/* printf-style convenience: the message is formatted, no extra fields. */
void mq_logf(mq_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Keeps stderr JSON-only: points fd 2 at a pipe whose lines (what libraries such as
 * libmpg123 print there) a thread logs as {"msg":"library output","text":...}, while log
 * lines go to the original stderr. For daemons; call once after mq_log_init(). Returns 0
 * or -1 (stderr unchanged). */
int mq_log_capture_stderr(void);

#endif
