/* redis.h -- a Redis connection (hiredis) that reconnects with back-off.
 *
 * One synchronous hiredis context to the server a URL names:
 *   redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]   or   unix:///PATH[?db=DB]
 * Commands may be pipelined (redisAppendCommandArgv on the context, then
 * mq_redis_replies). When a command fails at the connection level the connection is
 * dropped; mq_redis_get() connects again once the back-off delay (0.1 s doubling to
 * 5 s) has passed, runs the setup callback, and logs the loss and the recovery once
 * each. Not thread-safe: one thread uses an mq_redis. */
#ifndef MQ_REDIS_H
#define MQ_REDIS_H

#include <hiredis/hiredis.h>
#include <stddef.h>

typedef struct mq_redis_url {
    char host[256]; /* empty for a unix socket */
    int port;
    char path[256]; /* unix socket path, or empty */
    int db;
    char user[128];     /* empty: none (AUTH with the password only) */
    char password[256]; /* empty: no AUTH */
} mq_redis_url;

typedef struct mq_redis mq_redis;

/* Runs after each successful connection (e.g. to create consumer groups). Returns 0,
 * or -1 with a message in err (the connection is then dropped and retried). */
typedef int (*mq_redis_setup_fn)(redisContext *c, void *ud, char *err, size_t errlen);

/* Parses a redis:// or unix:// URL. Returns 0, or -1 with a message in err. */
int mq_redis_url_parse(const char *url, mq_redis_url *u, char *err, size_t errlen);

/* A disconnected handle for url; commands time out after timeout_ms. NULL with a
 * message in err when the URL is invalid or memory runs out. */
mq_redis *mq_redis_new(const char *url, int timeout_ms, char *err, size_t errlen);

/* Sets the callback run after every (re)connection. */
void mq_redis_on_connect(mq_redis *r, mq_redis_setup_fn fn, void *ud);

/* The connected context, connecting first when disconnected and the back-off allows;
 * NULL while Redis is unavailable. The context stays owned by r. */
redisContext *mq_redis_get(mq_redis *r);

/* Drops the connection after a failure (why is logged once per outage). */
void mq_redis_lost(mq_redis *r, const char *why);

/* True while connected. */
int mq_redis_is_up(const mq_redis *r);

/* Reads the replies of the n commands appended to the context. Returns 0 with each
 * reply in replies[i] (the caller frees them with freeReplyObject; error replies are
 * REDIS_REPLY_ERROR replies), or -1 when the connection failed: then no reply is
 * returned and the connection is dropped. */
int mq_redis_replies(mq_redis *r, int n, redisReply **replies);

/* Runs one command given as argv (lens may be NULL for C strings). The reply, or NULL
 * when Redis is unavailable or the connection failed (then dropped). */
redisReply *mq_redis_cmd(mq_redis *r, int argc, const char **argv, const size_t *lens);

/* Closes the connection and frees r. Accepts NULL. */
void mq_redis_del(mq_redis *r);

#endif
