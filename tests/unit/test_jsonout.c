/* Unit tests of common/jsonout.c: NaN-free numbers and byte-exact paths. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonout.h"

Test(jsonout, nonfinite_numbers_are_null) {
    json_t *a = mq_json_num(NAN), *b = mq_json_round(INFINITY, 2), *c = mq_json_round(-HUGE_VAL, 1);
    cr_assert(json_is_null(a) && json_is_null(b) && json_is_null(c));
    json_t *d = mq_json_round(1.23456, 2);
    cr_assert_float_eq(json_real_value(d), 1.23, 1e-12);
    json_decref(d);
}

Test(jsonout, utf8_validation) {
    cr_assert(mq_utf8_valid("caf\xc3\xa9", 5));
    cr_assert(!mq_utf8_valid("\xff\xfe", 2));
    cr_assert(!mq_utf8_valid("\xc0\xaf", 2), "overlong form");
    cr_assert(!mq_utf8_valid("\xed\xa0\x80", 3), "surrogate");
    cr_assert(!mq_utf8_valid("\xe2\x82", 2), "truncated sequence");
}

Test(jsonout, invalid_bytes_map_to_latin1_with_hex) {
    json_t *o = json_object();
    mq_json_set_path(o, "/m/\xff\xfe-\xc3\xa9.wav");
    const char *p = json_string_value(json_object_get(o, "path"));
    cr_assert_str_eq(p, "/m/\xc3\xbf\xc3\xbe-\xc3\xa9.wav");
    cr_assert_str_eq(json_string_value(json_object_get(o, "path_hex")),
                     "2f6d2ffffe2dc3a92e776176");
    json_decref(o);
}

Test(jsonout, valid_paths_have_no_hex) {
    json_t *o = json_object();
    mq_json_set_path(o, "/music/a b (1) & c.flac");
    cr_assert_null(json_object_get(o, "path_hex"));
    json_decref(o);
}
