/* Unit tests of worker/classify.c: every error a job can end with is permanent or
 * transient as docs/protocol.md and docs/worker.md say. The worker's module is compiled
 * into this test (unit tests link only the common and analysis libraries). */
#include <criterion/criterion.h>

#include "worker/classify.c"

#define PERM MIXQ__ERROR_KIND__ERROR_PERMANENT
#define TRANS MIXQ__ERROR_KIND__ERROR_TRANSIENT

Test(classify, bad_input_is_permanent) {
    mq_errcode perm[] = {MQ_ERR_UNSUPPORTED_FORMAT, MQ_ERR_DECODE,   MQ_ERR_EMPTY_AUDIO,
                         MQ_ERR_TOO_SHORT,          MQ_ERR_TOO_LONG, MQ_ERR_INVALID_SAMPLES};
    for (size_t i = 0; i < sizeof perm / sizeof *perm; i++)
        cr_assert_eq(wk_classify_analysis(perm[i]), PERM, "%s", mq_errcode_name(perm[i]));
}

Test(classify, what_may_pass_is_transient) {
    mq_errcode trans[] = {MQ_ERR_IO, MQ_ERR_TIMEOUT, MQ_ERR_NO_MEMORY, MQ_ERR_INTERNAL};
    for (size_t i = 0; i < sizeof trans / sizeof *trans; i++)
        cr_assert_eq(wk_classify_analysis(trans[i]), TRANS, "%s", mq_errcode_name(trans[i]));
    cr_assert_eq(wk_classify_analysis(MQ_OK), MIXQ__ERROR_KIND__ERROR_NONE);
    cr_assert_eq(wk_classify_analysis((mq_errcode)999), TRANS, "unknown codes are retried");
}

Test(classify, fetch_failures) {
    cr_assert_eq(wk_classify_fetch(MQ_FETCH_OK), MIXQ__ERROR_KIND__ERROR_NONE);
    cr_assert_eq(wk_classify_fetch(MQ_FETCH_BAD_URI), PERM);
    cr_assert_eq(wk_classify_fetch(MQ_FETCH_HTTP_STATUS), PERM);
    cr_assert_eq(wk_classify_fetch(MQ_FETCH_TOO_LARGE), PERM);
    cr_assert_eq(wk_classify_fetch(MQ_FETCH_FAILED), TRANS);
    cr_assert_eq(wk_classify_fetch(MQ_FETCH_TIMEOUT), TRANS);
    cr_assert_eq(wk_classify_fetch(MQ_FETCH_IO), TRANS);
    cr_assert_eq(wk_classify_fetch(MQ_FETCH_NO_MEMORY), TRANS);
}

Test(classify, codes_are_the_documented_names) {
    cr_assert_str_eq(mq_fetch_status_name(MQ_FETCH_FAILED), "http_error");
    cr_assert_str_eq(mq_fetch_status_name(MQ_FETCH_HTTP_STATUS), "http_status");
    cr_assert_str_eq(mq_fetch_status_name(MQ_FETCH_TOO_LARGE), "fetch_too_large");
    cr_assert_str_eq(mq_fetch_status_name(MQ_FETCH_IO), "io_error");
    cr_assert_str_eq(wk_error_kind_name(PERM), "permanent");
    cr_assert_str_eq(wk_error_kind_name(TRANS), "transient");
}
