/* raw_streams.c -- the floor for the broker benchmark: N jobs through a Redis Stream
 * with nothing else, pipelined, in one process (hiredis):
 *   XADD (pipelined, B at a time) -> XREADGROUP COUNT B -> XACK of the B ids.
 * Each job's payload is a packed-Job-sized blob. Prints "jobs seconds cpu_seconds" for
 * this process; the caller measures Redis's CPU.
 *
 *   raw_streams HOST PORT N [BATCH] */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec +
           u.ru_stime.tv_usec / 1e6;
}

static redisReply *must(redisContext *c, redisReply *r) {
    if (!r || r->type == REDIS_REPLY_ERROR) {
        fprintf(stderr, "redis: %s\n", r ? r->str : c->errstr);
        exit(1);
    }
    return r;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: raw_streams HOST PORT N [BATCH]\n");
        return 2;
    }
    long n = atol(argv[3]), batch = argc > 4 ? atol(argv[4]) : 500;
    redisContext *c = redisConnect(argv[1], atoi(argv[2]));
    if (!c || c->err) {
        fprintf(stderr, "cannot connect\n");
        return 1;
    }
    freeReplyObject(redisCommand(c, "DEL rawbench"));
    freeReplyObject(must(c, redisCommand(c, "XGROUP CREATE rawbench g 0 MKSTREAM")));
    char payload[64];
    memset(payload, 'x', sizeof payload); /* about the size of a packed Job */
    const char **ids = malloc((size_t)batch * sizeof *ids);
    size_t *lens = malloc((size_t)(batch + 3) * sizeof *lens);
    const char **argvx = malloc((size_t)(batch + 3) * sizeof *argvx);
    double t0 = now(), c0 = cpu();
    long done = 0;
    while (done < n) {
        long b = n - done < batch ? n - done : batch;
        for (long i = 0; i < b; i++)
            redisAppendCommand(c, "XADD rawbench * j %b", payload, sizeof payload);
        for (long i = 0; i < b; i++) {
            redisReply *r;
            if (redisGetReply(c, (void **)&r) != REDIS_OK) return 1;
            freeReplyObject(must(c, r));
        }
        redisReply *r =
            must(c, redisCommand(c, "XREADGROUP GROUP g c COUNT %ld STREAMS rawbench >", b));
        redisReply *entries = r->element[0]->element[1];
        argvx[0] = "XACK";
        argvx[1] = "rawbench";
        argvx[2] = "g";
        for (size_t i = 0; i < entries->elements; i++) {
            argvx[3 + i] = entries->element[i]->element[0]->str;
            lens[3 + i] = entries->element[i]->element[0]->len;
        }
        lens[0] = 4, lens[1] = 8, lens[2] = 1;
        freeReplyObject(must(c, redisCommandArgv(c, 3 + (int)entries->elements, argvx, lens)));
        done += (long)entries->elements;
        freeReplyObject(r);
    }
    double secs = now() - t0, cs = cpu() - c0;
    printf("%ld %.3f %.3f\n", n, secs, cs);
    freeReplyObject(redisCommand(c, "DEL rawbench"));
    redisFree(c);
    free(ids);
    free(lens);
    free(argvx);
    return 0;
}
