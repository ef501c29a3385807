/* Unit tests of the recommender's index, search, model and ranking together.
 * recommender/ is linked into its daemon, not a library, so the modules are compiled in. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "recommender/compat.c"
#include "recommender/index.c"
#include "recommender/map.c"
#include "recommender/model.c"
#include "recommender/rank.c"
#include "recommender/search.c"
#include "recommender/vec.c"

static rec_index *x;
static rec_model *m;
static rec_search *sr;

static void put(int64_t id, double bpm, const char *key, double energy, const char *title,
                const char *tag) {
    float emb[40];
    for (int i = 0; i < 40; i++) emb[i] = (float)((i * 7 + (tag[0] == 'h' ? 3 : 11)) % 13);
    rec_track_in t = {.id = id,
                      .title = title,
                      .artist = "Artist",
                      .album = "Album",
                      .tempo = bpm,
                      .key = rec_key_parse(key),
                      .energy = energy,
                      .loudness = -8,
                      .embedding = emb,
                      .n_embedding = 40,
                      .tags = {tag},
                      .n_tags = 1};
    int changed;
    uint32_t slot;
    cr_assert_eq(rec_index_put(x, &t, &changed, &slot), 0);
    if (changed) cr_assert_eq(rec_search_add(sr, x, slot), 0);
}

static void setup(void) {
    x = rec_index_new();
    m = rec_model_new();
    sr = rec_search_new();
    cr_assert(x && m && sr);
    put(1, 124, "8A", 0.5, "Daft Punk Around the World", "house");
    put(2, 125, "8A", 0.6, "Same key", "house");
    put(3, 126, "9A", 0.55, "Plus one", "house");
    put(4, 123, "8B", 0.4, "Relative", "house");
    put(5, 124, "3B", 0.5, "Clash", "house");
    put(6, 62.5, "7A", 0.5, "Half time", "hiphop");
    put(7, 160, "8A", 0.5, "Too fast", "house");
    put(8, 0, "8A", 0.5, "No tempo", "house");
}

static void teardown(void) {
    rec_index_del(x);
    rec_model_del(m);
    rec_search_del(sr);
}

static int rank(int64_t from, const char *user, int limit, const int64_t *ex, size_t nex,
                rec_scored *out) {
    rec_rank_opts o;
    rec_rank_opts_default(&o);
    rec_query q = {.from = from, .user = user, .limit = limit, .exclude = ex, .n_exclude = nex};
    rec_context c;
    cr_assert_eq(rec_model_context(m, user, from, rec_index_tag_count(x), &c), 0);
    size_t scored;
    int n = rec_rank_next(&o, x, m, &c, &q, out, &scored);
    rec_model_context_free(&c);
    return n;
}

static int64_t id_at(const rec_scored *s) { return rec_index_at(x, s->slot)->id; }

TestSuite(rec_rank, .init = setup, .fini = teardown);

Test(rec_rank, compatible_first_and_sorted) {
    rec_scored r[4];
    int n = rank(1, NULL, 4, NULL, 0, r);
    cr_assert_eq(n, 4);
    int64_t want[] = {2, 3, 4, 6}; /* compatible keys, tempo within 6% (6: half time) */
    for (int i = 0; i < n; i++) {
        int found = 0;
        for (int k = 0; k < 4; k++) found |= id_at(&r[i]) == want[k];
        cr_assert(found, "result %d is track %lld", i, (long long)id_at(&r[i]));
        if (i) cr_assert_geq(r[i - 1].score, r[i].score);
    }
}

Test(rec_rank, relaxes_when_too_few_and_excludes) {
    rec_scored r[7];
    int64_t ex[] = {2};
    int n = rank(1, NULL, 7, ex, 1, r);
    cr_assert_eq(n, 6, "every track but itself and the excluded one");
    for (int i = 0; i < n; i++) cr_assert(id_at(&r[i]) != 1 && id_at(&r[i]) != 2);
    /* The clash and the tempo outliers come last. */
    for (int i = 0; i < 3; i++) {
        int64_t id = id_at(&r[i]);
        cr_assert(id == 3 || id == 4 || id == 6, "rank %d: %lld", i, (long long)id);
    }
    cr_assert_eq(rank(99, NULL, 3, NULL, 0, r), -2, "unknown track");
}

Test(rec_rank, feedback_moves_a_transition_up_without_one_event_dominating) {
    rec_scored r[4];
    rank(1, "dj", 4, NULL, 0, r);
    double before = -1;
    int before_rank = -1;
    for (int i = 0; i < 4; i++)
        if (id_at(&r[i]) == 4) before = r[i].score, before_rank = i;
    cr_assert(before_rank > 0, "the relative-key track is not first at the start");
    rec_event e = {.row_id = 1,
                   .user = "dj",
                   .from = 1,
                   .to = 4,
                   .type = REC_EV_LIKE,
                   .rating = NAN,
                   .position = NAN};
    cr_assert_eq(rec_model_apply(m, x, &e), 1);
    cr_assert_eq(rec_model_apply(m, x, &e), 0, "a row is applied once");
    rank(1, "dj", 4, NULL, 0, r);
    double after = 0;
    for (int i = 0; i < 4; i++)
        if (id_at(&r[i]) == 4) after = r[i].score;
    cr_assert_gt(after, before);
    cr_assert_lt(after - before, 2.0, "one like moved the score by %g", after - before);
    for (int64_t k = 2; k < 30; k++) {
        e.row_id = k;
        rec_model_apply(m, x, &e);
    }
    rank(1, "dj", 4, NULL, 0, r);
    cr_assert_eq(id_at(&r[0]), 4, "many likes make it first for this listener");
    rank(1, "someone-else", 4, NULL, 0, r);
    cr_assert_eq(r[0].c[REC_C_TASTE] >= 0, 1);
}

Test(rec_rank, skips_push_down) {
    rec_scored r[4];
    for (int64_t k = 1; k < 20; k++) {
        rec_event e = {.row_id = k,
                       .user = "u",
                       .from = 1,
                       .to = 2,
                       .type = REC_EV_SKIP,
                       .rating = NAN,
                       .position = NAN};
        rec_model_apply(m, x, &e);
    }
    int n = rank(1, "u", 4, NULL, 0, r);
    cr_assert_neq(id_at(&r[0]), 2);
    cr_assert_lt(r[n - 1].c[REC_C_TRANSITION] + r[0].c[REC_C_TRANSITION], 0.001);
}

Test(rec_rank, event_values) {
    rec_event e = {.type = REC_EV_RATING, .rating = 5, .position = NAN};
    cr_assert_float_eq(rec_event_value(&e), 1, 1e-12);
    e.rating = 1;
    cr_assert_float_eq(rec_event_value(&e), -1, 1e-12);
    e.type = REC_EV_SKIP;
    e.position = 100;
    cr_assert_float_eq(rec_event_value(&e), -0.5, 1e-12, "a late skip counts less");
    cr_assert_eq(rec_event_type_parse("transition_rating"), REC_EV_RATING);
    cr_assert_eq(rec_event_type_parse("nope"), -1);
}

Test(rec_rank, index_update_remove_compact) {
    cr_assert_eq(rec_index_count(x), 8);
    put(3, 90, "1A", 0.9, "Plus one moved", "hiphop"); /* replaces: new cell, new text */
    cr_assert_eq(rec_index_count(x), 8);
    cr_assert_float_eq(rec_index_find(x, 3)->tempo, 90, 1e-6);
    cr_assert_eq(rec_index_remove(x, 5), 1);
    cr_assert_eq(rec_index_remove(x, 5), 0);
    cr_assert_eq(rec_index_count(x), 7);
    cr_assert_eq(rec_index_compact(x), 0);
    cr_assert_eq(rec_index_slots(x), 7);
    for (int64_t id = 1; id <= 8; id++) {
        const rec_track *t = rec_index_find(x, id);
        cr_assert_eq(t != NULL, id != 5);
        if (t) cr_assert_eq(t->id, id);
    }
    cr_assert_str_eq(rec_index_text(x, rec_index_find(x, 3), REC_TITLE), "Plus one moved");
    rec_scored r[3];
    cr_assert_geq(rank(1, NULL, 3, NULL, 0, r), 3);
}

Test(rec_rank, search_is_typo_tolerant) {
    rec_hit h[3];
    int n = rec_search_find(sr, x, "daft pnk arround", 0.5, h, 3);
    cr_assert_geq(n, 1);
    cr_assert_eq(rec_index_at(x, h[0].slot)->id, 1);
    cr_assert_eq(rec_search_find(sr, x, "zzzzqqqq", 0.5, h, 3), 0);
    cr_assert_eq(rec_search_find(sr, x, "", 0.5, h, 3), 0);
}

Test(rec_rank, weights_parse) {
    rec_weights w = {{0}};
    char err[200];
    cr_assert_eq(rec_weights_parse("harmonic=2,taste=-1.5", &w, err, sizeof err), 0);
    cr_assert_float_eq(w.w[REC_C_HARMONIC], 2, 1e-12);
    cr_assert_float_eq(w.w[REC_C_TASTE], -1.5, 1e-12);
    cr_assert_eq(rec_weights_parse("colour=1", &w, err, sizeof err), -1);
    cr_assert(strstr(err, "colour"));
    cr_assert_eq(rec_weights_parse("tempo=abc", &w, err, sizeof err), -1);
    cr_assert_eq(rec_weights_parse("tempo", &w, err, sizeof err), -1);
    cr_assert_eq(rec_weights_parse("tempo=1e9", &w, err, sizeof err), -1);
    rec_energy_dir d;
    cr_assert_eq(rec_energy_parse("up", &d), 0);
    cr_assert_eq(d, REC_ENERGY_UP);
    cr_assert_eq(rec_energy_parse("sideways", &d), -1);
}

Test(rec_vec, quantised_cosines) {
    float a[200], b[200], c[200];
    uint64_t s = 5;
    for (int i = 0; i < 200; i++) {
        s = rec_mix64(s + 1);
        a[i] = (float)((double)(s >> 11) * 0x1.0p-53 - 0.5);
        b[i] = a[i] * 3; /* same direction */
        s = rec_mix64(s + 1);
        c[i] = (float)((double)(s >> 11) * 0x1.0p-53 - 0.5); /* unrelated */
    }
    int8_t qa[REC_EMB_DIM], qb[REC_EMB_DIM], qc[REC_EMB_DIM];
    cr_assert_eq(rec_vec_project(a, 200, qa), 0);
    cr_assert_eq(rec_vec_project(b, 200, qb), 0);
    cr_assert_eq(rec_vec_project(c, 200, qc), 0);
    cr_assert_float_eq(rec_vec_cos_emb(qa, qb), 1.0, 0.02);
    cr_assert_lt(fabs(rec_vec_cos_emb(qa, qc)), 0.5, "unrelated vectors stay far apart");
    float zero[12] = {0}, bad[12] = {1, NAN};
    int8_t q[12];
    cr_assert_eq(rec_vec_q8(zero, 12, q), -1);
    cr_assert_eq(rec_vec_q8(bad, 12, q), -1);
    float m[12] = {3, -4};
    cr_assert_eq(rec_vec_q8(m, 12, q), 0);
    cr_assert_float_eq(rec_vec_cos_mfcc(q, q), 1.0, 0.02);
}
