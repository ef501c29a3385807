/* Unit tests of common/redis.c: Redis URLs. */
#include <criterion/criterion.h>
#include <string.h>

#include "common/redis.h"

Test(broker_redis, urls) {
    mq_redis_url u;
    char err[256];
    cr_assert_eq(mq_redis_url_parse("redis://127.0.0.1:6380/2", &u, err, sizeof err), 0);
    cr_assert_str_eq(u.host, "127.0.0.1");
    cr_assert_eq(u.port, 6380);
    cr_assert_eq(u.db, 2);
    cr_assert_eq(mq_redis_url_parse("redis://:s3cret@cache", &u, err, sizeof err), 0);
    cr_assert_str_eq(u.host, "cache");
    cr_assert_eq(u.port, 6379);
    cr_assert_str_eq(u.password, "s3cret");
    cr_assert_str_eq(u.user, "");
    cr_assert_eq(mq_redis_url_parse("redis://bob:pw@[::1]:7000/0", &u, err, sizeof err), 0);
    cr_assert_str_eq(u.host, "::1");
    cr_assert_eq(u.port, 7000);
    cr_assert_str_eq(u.user, "bob");
    cr_assert_eq(mq_redis_url_parse("unix:///run/redis.sock?db=3", &u, err, sizeof err), 0);
    cr_assert_str_eq(u.path, "/run/redis.sock");
    cr_assert_eq(u.db, 3);
    const char *bad[] = {"http://x",    "redis://host:0",  "redis://host:99999",
                         "redis://h/x", "unix://relative", "redis://h:12ab"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_eq(mq_redis_url_parse(bad[i], &u, err, sizeof err), -1, "%s", bad[i]);
    cr_assert(strstr(err, "not a Redis URL"));
}

Test(broker_redis, unavailable_server_is_not_fatal) {
    char err[256];
    mq_redis *r = mq_redis_new("redis://127.0.0.1:1/0", 200, err, sizeof err);
    cr_assert_not_null(r, "%s", err);
    cr_assert_null(mq_redis_get(r));
    cr_assert(!mq_redis_is_up(r));
    /* Within the back-off no new attempt is made. */
    cr_assert_null(mq_redis_get(r));
    const char *argv[] = {"PING"};
    cr_assert_null(mq_redis_cmd(r, 1, argv, NULL));
    mq_redis_del(r);
}
