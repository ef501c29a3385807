/* Unit tests of key naming and Camelot codes (analysis/key.c). */
#include <criterion/criterion.h>

#include "analysis/key.h"

Test(key_names, camelot_wheel) {
    char b[4];
    struct { int tonic, minor; const char *code; } cases[] = {
        {0, 0, "8B"},  {9, 1, "8A"},  {7, 0, "9B"},  {4, 1, "9A"},  {5, 0, "7B"},
        {2, 1, "7A"},  {11, 0, "1B"}, {8, 1, "1A"},  {1, 1, "12A"}, {4, 0, "12B"},
        {3, 0, "5B"},  {10, 1, "3A"}, {6, 0, "2B"},  {3, 1, "2A"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mq_key_camelot(cases[i].tonic, cases[i].minor, b);
        cr_assert_str_eq(b, cases[i].code, "tonic %d minor %d", cases[i].tonic, cases[i].minor);
    }
}

Test(key_names, spellings_follow_mode) {
    cr_assert_str_eq(mq_key_tonic_name(1, 0), "Db");
    cr_assert_str_eq(mq_key_tonic_name(1, 1), "C#");
    cr_assert_str_eq(mq_key_tonic_name(8, 0), "Ab");
    cr_assert_str_eq(mq_key_tonic_name(8, 1), "G#");
    cr_assert_str_eq(mq_key_tonic_name(3, 1), "Eb");
    cr_assert_str_eq(mq_key_tonic_name(12, 0), "");
}
