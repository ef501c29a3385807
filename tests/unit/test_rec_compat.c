/* Unit tests of recommender/compat.c: Camelot codes, moves, compatibility, tempo.
 * recommender/ is linked into its daemon, not a library, so the module is compiled in. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "recommender/compat.c"

Test(rec_compat, parse_and_name_round_trip) {
    char b[4];
    for (int k = 0; k < 24; k++) cr_assert_eq(rec_key_parse(rec_key_name(k, b)), k);
    cr_assert_eq(rec_key_parse("8A"), 14);
    cr_assert_eq(rec_key_parse("8b"), 15);
    cr_assert_eq(rec_key_parse("12B"), 23);
    cr_assert_eq(rec_key_parse("1A"), 0);
    const char *bad[] = {"", "0A", "13A", "8C", "8AA", "A8", "123B", "-1A", NULL};
    for (int i = 0; bad[i]; i++) cr_assert_eq(rec_key_parse(bad[i]), REC_KEY_NONE, "%s", bad[i]);
    cr_assert_eq(rec_key_parse(NULL), REC_KEY_NONE);
    cr_assert_str_eq(rec_key_name(REC_KEY_NONE, b), "?");
}

Test(rec_compat, tonic_and_mode_to_camelot) {
    char b[4];
    /* The wheel: C major 8B, A minor 8A, G major 9B, E minor 9A, F major 7B, B major 1B,
     * Ab major 4B, C minor 5A, F# minor 11A. */
    struct {
        int tonic, major;
        const char *code;
    } cases[] = {
        {0, 1, "8B"},  {9, 0, "8A"}, {7, 1, "9B"}, {4, 0, "9A"},  {5, 1, "7B"},
        {11, 1, "1B"}, {8, 1, "4B"}, {0, 0, "5A"}, {6, 0, "11A"}, {1, 0, "12A"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        cr_assert_str_eq(rec_key_name(rec_key_from_tonic(cases[i].tonic, cases[i].major), b),
                         cases[i].code, "tonic %d major %d", cases[i].tonic, cases[i].major);
    cr_assert_eq(rec_key_from_tonic(12, 1), REC_KEY_NONE);
    cr_assert_eq(rec_key_from_tonic(-1, 0), REC_KEY_NONE);
}

Test(rec_compat, moves) {
    int a = rec_key_parse("8A");
    cr_assert_eq(rec_key_move(a, rec_key_parse("8A")), REC_MOVE_SAME);
    cr_assert_eq(rec_key_move(a, rec_key_parse("9A")), REC_MOVE_UP);
    cr_assert_eq(rec_key_move(a, rec_key_parse("7A")), REC_MOVE_DOWN);
    cr_assert_eq(rec_key_move(a, rec_key_parse("8B")), REC_MOVE_RELATIVE);
    cr_assert_eq(rec_key_move(a, rec_key_parse("9B")), REC_MOVE_DIAGONAL);
    cr_assert_eq(rec_key_move(a, rec_key_parse("10A")), REC_MOVE_BOOST);
    cr_assert_eq(rec_key_move(a, rec_key_parse("3B")), REC_MOVE_CLASH);
    cr_assert_eq(rec_key_move(a, REC_KEY_NONE), REC_MOVE_UNKNOWN);
    /* The wheel wraps: 12A -> 1A is +1, 1B -> 12B is -1. */
    cr_assert_eq(rec_key_move(rec_key_parse("12A"), rec_key_parse("1A")), REC_MOVE_UP);
    cr_assert_eq(rec_key_move(rec_key_parse("1B"), rec_key_parse("12B")), REC_MOVE_DOWN);
}

Test(rec_compat, compatible_keys_are_the_documented_four) {
    int out[4];
    cr_assert_eq(rec_key_compatible(rec_key_parse("12B"), out), 4);
    const char *want[4] = {"12B", "1B", "11B", "12A"};
    char b[4];
    for (int i = 0; i < 4; i++) cr_assert_str_eq(rec_key_name(out[i], b), want[i]);
    cr_assert_eq(rec_key_compatible(REC_KEY_NONE, out), 0);
    for (int k = 0; k < 24; k++) {
        rec_key_compatible(k, out);
        for (int i = 0; i < 4; i++) cr_assert(rec_key_move(k, out[i]) <= REC_MOVE_RELATIVE);
    }
}

Test(rec_compat, describe_in_words) {
    char buf[128];
    rec_move_describe(rec_key_parse("8A"), rec_key_parse("9A"), buf, sizeof buf);
    cr_assert_str_eq(buf, "8A \u2192 9A, +1 on the Camelot wheel");
    rec_move_describe(rec_key_parse("8A"), rec_key_parse("8B"), buf, sizeof buf);
    cr_assert_str_eq(buf, "8A \u2192 8B, relative major");
}

Test(rec_compat, tempo_half_and_double) {
    double rel, f;
    cr_assert_eq(rec_tempo_relation(124, 126, &rel, &f), 0);
    cr_assert_float_eq(rel, 2.0 / 124, 1e-12);
    cr_assert_eq(f, 1);
    cr_assert_eq(rec_tempo_relation(124, 63, &rel, &f), 0);
    cr_assert_eq(f, 2, "63 BPM is half time of 124");
    cr_assert_float_eq(rel, 2.0 / 124, 1e-12);
    cr_assert_eq(rec_tempo_relation(87, 172, &rel, &f), 0);
    cr_assert_eq(f, 0.5, "172 BPM is double time of 87");
    cr_assert_eq(rec_tempo_relation(0, 120, &rel, &f), -1);
    cr_assert_eq(rec_tempo_relation(120, NAN, &rel, &f), -1);
    cr_assert_eq(rec_tempo_relation(INFINITY, 120, &rel, &f), -1);
}
