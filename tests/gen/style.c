/* style.c -- the table of styles and their patterns (see style.h). */
#include "style.h"

#include <string.h>
#include <strings.h>

static const gen_style styles[] = {
    {.name = "house", .meter = 4, .tempo_lo = 118, .tempo_hi = 130,
     .swing_lo = 0, .swing_hi = 0.04, .swing_grid = 16, .pad_p = 0.7, .melody_p = 0.4,
     .comp_wave = WAVE_KEYS,
     .kick = {"X...X...X...X...", "X...X...X...X..."},
     .snare = {"....x.......x...", "....x.......x..o"},
     .hat = {"..x...x...x...x.", ".g.g.g.g.g.g.g.g"},
     .open_hat = {"................", "..x...x...x...x."},
     .bass = {"..R-..R-..R-..R-", "R-..R-.OR-..R-.O"},
     .comp = {"...C..C....C..C.", "..C-..C-..C-..C-"}},
    {.name = "techno", .meter = 4, .tempo_lo = 125, .tempo_hi = 135,
     .swing_grid = 16, .pad_p = 0.8, .melody_p = 0.2, .comp_wave = WAVE_SAW,
     .kick = {"X...X...X...X...", "X...X...X...X..."},
     .snare = {"....o.......o...", "................"},
     .hat = {"..x...x...x...x.", "gggxgggxgggxgggx"},
     .open_hat = {"................", "..o...o...o...o."},
     .bass = {"..RR..RR..RR..RR", ".RRR.RRR.RRR.RRR"},
     .comp = {"......C.......C.", "C..C..C........."}},
    {.name = "dnb", .meter = 4, .tempo_lo = 170, .tempo_hi = 176,
     .swing_grid = 16, .pad_p = 1.0, .melody_p = 0.4, .comp_wave = WAVE_KEYS,
     .kick = {"X.........X.....", "X.........X..x.."},
     .snare = {"....X.......X...", "....X..g.g..X..g"},
     .hat = {"x.x.x.x.x.x.x.x.", "x.xgx.x.x.xgx.x."},
     .open_hat = {"................", "................"},
     .bass = {"R---------R-----", "R-------R---F---"},
     .comp = {"", ""}},
    {.name = "hiphop", .meter = 4, .tempo_lo = 85, .tempo_hi = 95,
     .swing_lo = 0.08, .swing_hi = 0.28, .swing_grid = 0, .pad_p = 0.5, .melody_p = 0.5,
     .comp_wave = WAVE_KEYS,
     .kick = {"X......x..x.....", "X..x......X...x."},
     .snare = {"....X.......X...", "....X.......X..g"},
     .hat = {"x.x.x.x.x.x.x.x.", "xgxgxgxgxgxgxgxg"}, .hat_follows_grid = 1,
     .open_hat = {"................", "................"},
     .bass = {"R-----.R--R-....", "R--R----..R-R---"},
     .comp = {"C-----....C-----", "C-------C-------"}},
    {.name = "rock", .meter = 4, .tempo_lo = 100, .tempo_hi = 140,
     .swing_grid = 8, .pad_p = 0.2, .melody_p = 0.5, .comp_wave = WAVE_GUITAR,
     .kick = {"X.......X.x.....", "X.x.....X.x....."},
     .snare = {"....X.......X...", "....X.......X..."},
     .hat = {"x.x.x.x.x.x.x.x.", "x.o.x.o.x.o.x.o."},
     .open_hat = {"................", "................"},
     .bass = {"R.R.R.R.R.R.R.R.", "R-R-R-R-R-R-F-O-"},
     .comp = {"C-C-C-C-C-C-C-C-", "C---C---C---C-C-"}},
    {.name = "ballad", .meter = 4, .tempo_lo = 60, .tempo_hi = 80,
     .swing_grid = 8, .pad_p = 0.8, .melody_p = 0.8, .comp_wave = WAVE_KEYS,
     .kick = {"X.......X.......", "X.....o.X......."},
     .snare = {"....o.......o...", "....o.......o..."},
     .hat = {"o.o.o.o.o.o.o.o.", "g.g.g.g.g.g.g.g."},
     .open_hat = {"................", "................"},
     .bass = {"R-------F-------", "R---------------"},
     .comp = {"C-------C-------", "C---C---C---C---"}},
    {.name = "waltz", .meter = 3, .tempo_lo = 84, .tempo_hi = 100, .tempo_lo2 = 150,
     .tempo_hi2 = 180, .swing_grid = 8, .pad_p = 0.6, .melody_p = 0.6,
     .comp_wave = WAVE_KEYS,
     .kick = {"X...........", "X.......o..."},
     .snare = {"....o...o...", "....o...o..."},
     .hat = {"o...x...x...", "o.g.x.g.x.g."},
     .open_hat = {"............", "............"},
     .bass = {"R---........", "R---....F---"},
     .comp = {"....C-..C-..", "....C---C---"}},
    {.name = "funk", .meter = 4, .tempo_lo = 98, .tempo_hi = 115,
     .swing_lo = 0, .swing_hi = 0.15, .swing_grid = 16, .pad_p = 0.3, .melody_p = 0.5,
     .comp_wave = WAVE_GUITAR,
     .kick = {"X.....x...X.....", "X..x......X..x.."},
     .snare = {"....X..g.g..X..g", "....X.g.....X.g."},
     .hat = {"xgxgxgxgxgxgxgxg", "x.x.x.x.x.x.x.x."},
     .open_hat = {"..............x.", "................"},
     .bass = {"R..O..R.F.R...O.", "R-.R..O.R..R.FO."},
     .comp = {"..C..C....C...C.", ".C..C..C..C..C.."}},
    {.name = "pop", .meter = 4, .tempo_lo = 100, .tempo_hi = 125,
     .swing_grid = 8, .pad_p = 0.6, .melody_p = 0.7, .comp_wave = WAVE_KEYS,
     .kick = {"X.......X.x.....", "X...X...X...X..."},
     .snare = {"....X.......X...", "....X.......X..."},
     .hat = {"x.x.x.x.x.x.x.x.", "x.o.x.o.x.o.x.o."},
     .open_hat = {"................", "................"},
     .bass = {"R--.R--.R--.R-R.", "R-------R---R---"},
     .comp = {"C--.C--.C--.C--.", "C-----C-------C-"}},
};

int style_count(void) {
    return (int)(sizeof styles / sizeof styles[0]);
}

const gen_style *style_at(int i) {
    return (i >= 0 && i < style_count()) ? &styles[i] : NULL;
}

const gen_style *style_find(const char *name) {
    for (int i = 0; i < style_count(); i++)
        if (!strcasecmp(styles[i].name, name))
            return &styles[i];
    return NULL;
}

const gen_style *style_for_tempo(double bpm, int meter) {
    if (meter == 3)
        return style_find("waltz");
    if (bpm >= 160)
        return style_find("dnb");
    if (bpm >= 118 && bpm <= 135)
        return style_find("house");
    if (bpm < 82)
        return style_find("ballad");
    return style_find("pop");
}
