/* Unit tests of Spotify references and ids (ingest/spimport.c), which decide what may
 * ever be put into an API URL. */
#include <criterion/criterion.h>
#include <string.h>

/* The sources, with what they use (ingest/ builds no library). */
#include "ingest/buf.c"
#include "ingest/db.c"
#include "ingest/pathidx.c"
#include "ingest/sphttp.c"
#include "ingest/spdb.c"
#include "ingest/spimport.c"
#include "ingest/spotify.c"
#include "ingest/sqlarr.c"
#include "ingest/text.c"

Test(ingest_spimport, references) {
    char kind[16], id[64];
    cr_assert_eq(ig_spimport_parse_ref("spotify:track:4uLU6hMCjMI75M1A2tKUQC", kind, id), 0);
    cr_assert_str_eq(kind, "track");
    cr_assert_str_eq(id, "4uLU6hMCjMI75M1A2tKUQC");
    cr_assert_eq(ig_spimport_parse_ref(
                     "https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M?si=abc", kind, id),
                 0);
    cr_assert_str_eq(kind, "playlist");
    cr_assert_str_eq(id, "37i9dQZF1DXcBWIGoYBM5M");
    cr_assert_eq(ig_spimport_parse_ref(
                     "https://open.spotify.com/intl-de/album/1DFixLWuPkv3KT3TnV35m3", kind, id),
                 0);
    cr_assert_str_eq(kind, "album");
    const char *bad[] = {
        "spotify:artist:abc",
        "spotify:track:",
        "spotify:track:a/../b",
        "https://example.com/track/abc",
        "spotify:track:ab%2Fcd",
        "track",
        "spotify:playlist:0123456789012345678901234567890123456789012345678901234567890123456789"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(ig_spimport_parse_ref(bad[i], kind, id), -1, "%s", bad[i]);
}

Test(ingest_spimport, ids) {
    cr_assert(ig_spimport_valid_id("4uLU6hMCjMI75M1A2tKUQC"));
    cr_assert(!ig_spimport_valid_id(""));
    cr_assert(!ig_spimport_valid_id("abc?x=1"));
    cr_assert(!ig_spimport_valid_id("a b"));
}

Test(ingest_spimport, links_stay_under_the_api_base) {
    ig_spotify_opts o = {"http://127.0.0.1:1", "http://127.0.0.1:2/", "id", "secret", 1, 1, 1, 0};
    char err[256];
    ig_spotify *s = ig_spotify_new(&o, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    cr_assert(under_api(s, "http://127.0.0.1:2/v1/x?offset=2"));
    cr_assert(!under_api(s, "http://127.0.0.1:23/v1/x"), "another port");
    cr_assert(!under_api(s, "http://evil.example/v1/x"));
    long status;
    cr_assert_null(ig_spotify_get(s, "http://evil.example/v1/x", &status, err, sizeof err));
    cr_assert(strstr(err, "outside the API base"));
    ig_spotify_del(s);
    ig_spotify_opts none = o;
    none.client_secret = "";
    cr_assert_null(ig_spotify_new(&none, err, sizeof err));
    cr_assert(strstr(err, "MIXQ_SPOTIFY_CLIENT_SECRET"));
}
