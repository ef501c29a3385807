/* Unit tests of recommender/jsonw.c: the text is valid JSON with the right values.
 * recommender/ is linked into its daemon, not a library, so the module is compiled in. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "recommender/jsonw.c"

static json_t *parse(rec_jw *w) {
    size_t n;
    char *s = rec_jw_finish(w, &n);
    cr_assert_not_null(s);
    json_error_t e;
    json_t *j = json_loadb(s, n, JSON_DECODE_ANY, &e);
    cr_assert_not_null(j, "%s: %s", s, e.text);
    free(s);
    return j;
}

Test(rec_jsonw, structure_and_values) {
    rec_jw w;
    rec_jw_init(&w);
    rec_jw_obj(&w);
    rec_jw_key(&w, "a");
    rec_jw_arr(&w);
    rec_jw_int(&w, -42);
    rec_jw_int(&w, INT64_MAX);
    rec_jw_num(&w, 1.25, 3);
    rec_jw_num(&w, -0.0004, 3);
    rec_jw_num(&w, NAN, 2);
    rec_jw_bool(&w, 1);
    rec_jw_null(&w);
    rec_jw_obj(&w);
    rec_jw_end_obj(&w);
    rec_jw_end_arr(&w);
    rec_jw_key(&w, "s \"q\"");
    rec_jw_str(&w, "tab\there \\ \xe2\x86\x92 \x01");
    rec_jw_key(&w, "n");
    rec_jw_str(&w, NULL);
    rec_jw_end_obj(&w);
    json_t *j = parse(&w);
    json_t *a = json_object_get(j, "a");
    cr_assert_eq(json_array_size(a), 8);
    cr_assert_eq(json_integer_value(json_array_get(a, 0)), -42);
    cr_assert_eq(json_integer_value(json_array_get(a, 1)), INT64_MAX);
    cr_assert_float_eq(json_number_value(json_array_get(a, 2)), 1.25, 1e-12);
    cr_assert_float_eq(json_number_value(json_array_get(a, 3)), 0, 1e-12);
    cr_assert(json_is_null(json_array_get(a, 4)));
    cr_assert(json_is_true(json_array_get(a, 5)));
    cr_assert_str_eq(json_string_value(json_object_get(j, "s \"q\"")),
                     "tab\there \\ \xe2\x86\x92 \x01");
    cr_assert(json_is_null(json_object_get(j, "n")));
    json_decref(j);
}

Test(rec_jsonw, numbers_round_and_trim) {
    const struct {
        double v;
        int d;
        const char *want;
    } c[] = {
        {0.5, 3, "0.5"},     {2, 2, "2.0"},      {123.456789, 2, "123.46"},
        {-1.005, 1, "-1.0"}, {0.0004, 3, "0.0"}, {1e14, 0, "100000000000000"},
        {1e16, 2, "null"},
    };
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        rec_jw w;
        rec_jw_init(&w);
        rec_jw_num(&w, c[i].v, c[i].d);
        size_t n;
        char *s = rec_jw_finish(&w, &n);
        cr_assert_str_eq(s, c[i].want, "%g with %d decimals", c[i].v, c[i].d);
        free(s);
    }
}

Test(rec_jsonw, not_utf8_becomes_latin1) {
    rec_jw w;
    rec_jw_init(&w);
    rec_jw_str(&w, "caf\xe9");
    json_t *j = parse(&w);
    cr_assert_str_eq(json_string_value(j), "caf\xc3\xa9");
    json_decref(j);
}

Test(rec_jsonw, unbalanced_fails) {
    rec_jw w;
    rec_jw_init(&w);
    rec_jw_obj(&w);
    size_t n;
    cr_assert_null(rec_jw_finish(&w, &n));
    rec_jw_init(&w);
    for (int i = 0; i < REC_JW_DEPTH + 1; i++) rec_jw_arr(&w);
    for (int i = 0; i < REC_JW_DEPTH + 1; i++) rec_jw_end_arr(&w);
    cr_assert_null(rec_jw_finish(&w, &n), "too deep");
}
