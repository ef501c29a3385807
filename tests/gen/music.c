/* music.c -- key names, Camelot codes, scales, chords and tuning (see music.h). */
#include "music.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const major_names[12] = {"C", "Db", "D", "Eb", "E", "F",
                                            "F#", "G", "Ab", "A", "Bb", "B"};
static const char *const minor_names[12] = {"C", "C#", "D", "Eb", "E", "F",
                                            "F#", "G", "G#", "A", "Bb", "B"};
static const int major_steps[7] = {0, 2, 4, 5, 7, 9, 11};
static const int minor_steps[7] = {0, 2, 3, 5, 7, 8, 10};

static int mod12(int x) {
    return ((x % 12) + 12) % 12;
}

int music_key_parse(const char *s, music_key *out) {
    static const int letter_pc[7] = {9, 11, 0, 2, 4, 5, 7}; /* A..G */
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    int c = toupper((unsigned char)*s);
    if (c < 'A' || c > 'G')
        return -1;
    int pc = letter_pc[c - 'A'];
    s++;
    if (*s == '#') {
        pc++;
        s++;
    } else if (*s == 'b') {
        pc--;
        s++;
    }
    while (isspace((unsigned char)*s) || *s == '-' || *s == '_')
        s++;
    size_t len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    music_mode mode;
    if (len == 0 || (len == 1 && s[0] == 'M') || (len == 5 && !strncasecmp(s, "major", 5)) ||
        (len == 3 && !strncasecmp(s, "maj", 3)))
        mode = MUSIC_MAJOR;
    else if ((len == 1 && s[0] == 'm') || (len == 5 && !strncasecmp(s, "minor", 5)) ||
             (len == 3 && !strncasecmp(s, "min", 3)))
        mode = MUSIC_MINOR;
    else
        return -1;
    out->pc = mod12(pc);
    out->mode = mode;
    return 0;
}

const char *music_tonic_name(music_key k) {
    return k.mode == MUSIC_MINOR ? minor_names[mod12(k.pc)] : major_names[mod12(k.pc)];
}

const char *music_mode_name(music_mode m) {
    return m == MUSIC_MINOR ? "minor" : "major";
}

void music_key_name(music_key k, char *buf, size_t n) {
    snprintf(buf, n, "%s %s", music_tonic_name(k), music_mode_name(k.mode));
}

void music_camelot(music_key k, char *buf, size_t n) {
    /* Each step round the circle of fifths (+7 semitones) is +1 on the Camelot wheel;
     * C major is 8B and A minor 8A. */
    int num = mod12(7 * k.pc + (k.mode == MUSIC_MINOR ? 5 : 8));
    if (num == 0)
        num = 12;
    snprintf(buf, n, "%d%c", num, k.mode == MUSIC_MINOR ? 'A' : 'B');
}

int music_key_index(music_key k) {
    return (k.mode == MUSIC_MINOR ? 12 : 0) + mod12(k.pc);
}

music_key music_key_from_index(int i) {
    i = ((i % 24) + 24) % 24;
    music_key k = {i % 12, i >= 12 ? MUSIC_MINOR : MUSIC_MAJOR};
    return k;
}

double music_midi_hz(double midi) {
    return 440.0 * pow(2.0, (midi - 69.0) / 12.0);
}

void music_scale(music_key k, int pcs[7]) {
    const int *steps = k.mode == MUSIC_MINOR ? minor_steps : major_steps;
    for (int i = 0; i < 7; i++)
        pcs[i] = mod12(k.pc + steps[i]);
}

int music_chord_parse(music_key k, const char *roman, music_chord *out) {
    static const char *const numerals[7] = {"VII", "III", "IV", "VI", "II", "V", "I"};
    static const int degrees[7] = {6, 2, 3, 5, 1, 4, 0};
    if (!roman)
        return -1;
    for (int i = 0; i < 7; i++) {
        size_t len = strlen(numerals[i]);
        if (strncasecmp(roman, numerals[i], len) != 0)
            continue;
        const char *rest = roman + len;
        int upper = isupper((unsigned char)roman[0]);
        music_quality q = upper ? CHORD_MAJOR : CHORD_MINOR;
        if (!strcmp(rest, "o") || !strcmp(rest, "\xc2\xb0") || !strcmp(rest, "dim"))
            q = CHORD_DIMINISHED;
        else if (*rest != '\0')
            continue;
        const int *steps = k.mode == MUSIC_MINOR ? minor_steps : major_steps;
        out->degree = degrees[i];
        out->root_pc = mod12(k.pc + steps[degrees[i]]);
        out->quality = q;
        return 0;
    }
    return -1;
}

void music_chord_tones(music_chord c, int pcs[3]) {
    pcs[0] = c.root_pc;
    pcs[1] = mod12(c.root_pc + (c.quality == CHORD_MAJOR ? 4 : 3));
    pcs[2] = mod12(c.root_pc + (c.quality == CHORD_DIMINISHED ? 6 : 7));
}
