/* main.c -- mixq-gen: deterministic labelled synthetic music for testing mixq.
 *
 *   mixq-gen track [options] --out FILE      one audio file, its labels on stdout
 *   mixq-gen catalogue --out DIR [options]   N varied tracks plus DIR/labels.json
 *
 * This file only parses options and drives track.c (choices), render.c (audio) and
 * labels.c (JSON). Exit status: 0 success, 1 failure (e.g. cannot write), 2 bad usage. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "labels.h"
#include "render.h"
#include "rng.h"
#include "style.h"
#include "track.h"

#define EXIT_USAGE 2
#define MAX_CATALOGUE 10000

static const char *prog = "mixq-gen";

static void usage_main(FILE *out) {
    fprintf(out,
            "usage: %s COMMAND [options]\n"
            "\n"
            "Deterministic labelled synthetic music (drums, bass, chords, melody) for testing\n"
            "mixq's tempo, beat and key analysis. Same arguments and seed, same bytes.\n"
            "\n"
            "commands:\n"
            "  track       write one audio file and print its labels (JSON) on stdout\n"
            "  catalogue   write N varied tracks and DIR/labels.json\n"
            "  help        this text; '%s COMMAND --help' describes a command\n",
            prog, prog);
}

static void usage_track(FILE *out) {
    fprintf(out,
            "usage: %s track --out FILE [options]\n"
            "\n"
            "Write one track and print its labels as one JSON object on stdout.\n"
            "Anything not given is chosen from the seed.\n"
            "\n"
            "  --out FILE           output file (required)\n"
            "  --tempo BPM          quarter-note tempo, 30..300\n"
            "  --key KEY            e.g. \"A minor\", \"Eb major\", \"F#m\", \"C\"\n"
            "  --meter 4|3          beats per bar (3 means the waltz style)\n"
            "  --style NAME         house techno dnb hiphop rock ballad waltz funk pop\n"
            "                       (default: from tempo and meter, else seeded)\n"
            "  --seconds S          duration, default 30\n"
            "  --rate HZ            sample rate, default 44100\n"
            "  --channels N         1..8, default 2\n"
            "  --seed N             default 0\n"
            "  --format FMT         wav (16-bit), flac (16-bit), ogg (Vorbis), mp3;\n"
            "                       default: from the file extension, else wav\n"
            "  --swing X            0..0.3: off-beat subdivisions delayed by X of one\n"
            "                       (beats never move); default: the style's\n"
            "  --no-drums           no drum kit\n"
            "  --melody, --no-melody  force the melody on or off (default: seeded)\n"
            "  --peak DB            peak level in dBFS, -60..-0.1 (default: seeded in\n"
            "                       -9..-0.5, -9..-1 for ogg/mp3)\n"
            "  -h, --help           this text\n",
            prog);
}

static void usage_catalogue(FILE *out) {
    fprintf(out,
            "usage: %s catalogue --out DIR [options]\n"
            "\n"
            "Write DIR/track000.EXT ... and DIR/labels.json (same shape as the dev corpus\n"
            "labels). Styles rotate over house techno dnb hiphop rock ballad waltz funk pop,\n"
            "keys over all 24, formats over --formats; rates 22050/44100/48000, mono and\n"
            "stereo, peak levels and tempos vary. Track i has seed SEED*1000+i and can be\n"
            "reproduced with 'track' and the options its labels show.\n"
            "\n"
            "  --out DIR            output folder (created if missing)\n"
            "  --count N            number of tracks, default 24\n"
            "  --seed N             default 1\n"
            "  --seconds S          duration of every track (default: seeded, 30..60)\n"
            "  --formats LIST       comma-separated, default wav,flac,ogg,mp3\n"
            "  --styles LIST        comma-separated subset of the styles (default: all)\n"
            "  -h, --help           this text\n",
            prog);
}

static int usage_error(void (*usage)(FILE *), const char *fmt, const char *arg) {
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n\n");
    usage(stderr);
    return EXIT_USAGE;
}

static int parse_double(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_int(const char *s, int *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < -1000000000L || v > 1000000000L)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_seed(const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    if (*s == '-' || *s == '+')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end != '\0' || v > (unsigned long long)INT64_MAX)
        return -1;
    *out = v;
    return 0;
}

static int print_json_line(json_t *j) {
    int rc = json_dumpf(j, stdout, JSON_COMPACT | LABELS_REAL_PRECISION);
    if (rc == 0 && (fputc('\n', stdout) == EOF || fflush(stdout) != 0))
        rc = -1;
    return rc;
}

/* ---- track ---------------------------------------------------------------------- */

enum {
    OPT_TEMPO = 256, OPT_KEY, OPT_METER, OPT_STYLE, OPT_SECONDS, OPT_RATE, OPT_CHANNELS,
    OPT_SEED, OPT_FORMAT, OPT_SWING, OPT_NO_DRUMS, OPT_MELODY, OPT_NO_MELODY, OPT_PEAK,
    OPT_OUT, OPT_COUNT, OPT_FORMATS, OPT_STYLES
};

static int cmd_track(int argc, char **argv) {
    static const struct option opts[] = {
        {"tempo", required_argument, 0, OPT_TEMPO},
        {"key", required_argument, 0, OPT_KEY},
        {"meter", required_argument, 0, OPT_METER},
        {"style", required_argument, 0, OPT_STYLE},
        {"seconds", required_argument, 0, OPT_SECONDS},
        {"rate", required_argument, 0, OPT_RATE},
        {"channels", required_argument, 0, OPT_CHANNELS},
        {"seed", required_argument, 0, OPT_SEED},
        {"format", required_argument, 0, OPT_FORMAT},
        {"swing", required_argument, 0, OPT_SWING},
        {"no-drums", no_argument, 0, OPT_NO_DRUMS},
        {"melody", no_argument, 0, OPT_MELODY},
        {"no-melody", no_argument, 0, OPT_NO_MELODY},
        {"peak", required_argument, 0, OPT_PEAK},
        {"out", required_argument, 0, OPT_OUT},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    gen_options o;
    track_options_default(&o);
    const char *out = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_TEMPO:
            if (parse_double(optarg, &o.tempo) || o.tempo < 30 || o.tempo > 300)
                return usage_error(usage_track, "--tempo: expected 30..300 BPM, got '%s'",
                                   optarg);
            break;
        case OPT_KEY:
            if (music_key_parse(optarg, &o.key) != 0)
                return usage_error(usage_track,
                                   "--key: expected a key like \"A minor\" or \"Eb major\", "
                                   "got '%s'",
                                   optarg);
            o.has_key = 1;
            break;
        case OPT_METER:
            if (parse_int(optarg, &o.meter) || (o.meter != 3 && o.meter != 4))
                return usage_error(usage_track, "--meter: expected 3 or 4, got '%s'", optarg);
            break;
        case OPT_STYLE:
            if (!style_find(optarg))
                return usage_error(usage_track, "--style: unknown style '%s'", optarg);
            o.style = optarg;
            break;
        case OPT_SECONDS:
            if (parse_double(optarg, &o.seconds) || o.seconds < 0.5 || o.seconds > 86400)
                return usage_error(usage_track, "--seconds: expected 0.5..86400, got '%s'",
                                   optarg);
            break;
        case OPT_RATE:
            if (parse_int(optarg, &o.rate) || o.rate < 8000 || o.rate > 192000)
                return usage_error(usage_track, "--rate: expected 8000..192000 Hz, got '%s'",
                                   optarg);
            break;
        case OPT_CHANNELS:
            if (parse_int(optarg, &o.channels) || o.channels < 1 || o.channels > 8)
                return usage_error(usage_track, "--channels: expected 1..8, got '%s'", optarg);
            break;
        case OPT_SEED:
            if (parse_seed(optarg, &o.seed))
                return usage_error(usage_track, "--seed: expected an integer 0..2^63-1, got '%s'",
                                   optarg);
            break;
        case OPT_FORMAT:
            if ((o.format = track_format_parse(optarg)) < 0)
                return usage_error(usage_track,
                                   "--format: expected wav, flac, ogg or mp3, got '%s'", optarg);
            break;
        case OPT_SWING:
            if (parse_double(optarg, &o.swing) || o.swing < 0 || o.swing > 0.3)
                return usage_error(usage_track, "--swing: expected 0..0.3, got '%s'", optarg);
            break;
        case OPT_NO_DRUMS:
            o.drums = 0;
            break;
        case OPT_MELODY:
            o.melody = 1;
            break;
        case OPT_NO_MELODY:
            o.melody = 0;
            break;
        case OPT_PEAK:
            if (parse_double(optarg, &o.peak_dbfs) || o.peak_dbfs < -60 || o.peak_dbfs > -0.1)
                return usage_error(usage_track, "--peak: expected -60..-0.1 dBFS, got '%s'",
                                   optarg);
            o.has_peak = 1;
            break;
        case OPT_OUT:
            out = optarg;
            break;
        case 'h':
            usage_track(stdout);
            return 0;
        case ':':
            return usage_error(usage_track, "option %s needs a value", argv[optind - 1]);
        default:
            return usage_error(usage_track, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error(usage_track, "unexpected argument '%s'", argv[optind]);
    if (!out || !*out)
        return usage_error(usage_track, "%s", "--out FILE is required");
    if (o.format < 0) {
        int f = track_format_from_path(out);
        o.format = f >= 0 ? f : GEN_WAV;
    }

    char err[512];
    gen_track t;
    if (track_init(&t, &o, err, sizeof err) != 0)
        return usage_error(usage_track, "%s", err);
    if (render_track(&t, out, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return 1;
    }
    json_t *j = labels_track(&t, out);
    if (!j || print_json_line(j) != 0) {
        fprintf(stderr, "%s: cannot write the labels\n", prog);
        json_decref(j);
        return 1;
    }
    json_decref(j);
    return 0;
}

/* ---- catalogue ------------------------------------------------------------------ */

/* Parse a comma-separated list with `parse` into idx[]; returns the count or -1. */
static int parse_list(const char *s, int (*parse)(const char *), int *idx, int max) {
    char buf[256];
    if (strlen(s) >= sizeof buf)
        return -1;
    strcpy(buf, s);
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int v = parse(tok);
        if (v < 0 || n >= max)
            return -1;
        for (int k = 0; k < n; k++)
            if (idx[k] == v)
                return -1;
        idx[n++] = v;
    }
    return n;
}

static int style_index(const char *name) {
    const gen_style *s = style_find(name);
    for (int i = 0; s && i < style_count(); i++)
        if (style_at(i) == s)
            return i;
    return -1;
}

static int make_dir(const char *dir) {
    struct stat st;
    if (mkdir(dir, 0777) == 0)
        return 0;
    if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    return -1;
}

static int write_labels(json_t *cat, const char *dir) {
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/labels.json", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (json_dump_file(cat, tmp, JSON_INDENT(1) | LABELS_REAL_PRECISION) != 0) {
        remove(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return -1;
    }
    return 0;
}

static int cmd_catalogue(int argc, char **argv) {
    static const struct option opts[] = {
        {"out", required_argument, 0, OPT_OUT},
        {"count", required_argument, 0, OPT_COUNT},
        {"seed", required_argument, 0, OPT_SEED},
        {"seconds", required_argument, 0, OPT_SECONDS},
        {"formats", required_argument, 0, OPT_FORMATS},
        {"styles", required_argument, 0, OPT_STYLES},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *dir = NULL;
    int count = 24;
    uint64_t seed = 1;
    double seconds = 0;
    int formats[GEN_FORMAT_COUNT] = {GEN_WAV, GEN_FLAC, GEN_OGG, GEN_MP3};
    int nformats = GEN_FORMAT_COUNT;
    int styles[32], nstyles = style_count();
    for (int i = 0; i < nstyles; i++)
        styles[i] = i;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_OUT:
            dir = optarg;
            break;
        case OPT_COUNT:
            if (parse_int(optarg, &count) || count < 1 || count > MAX_CATALOGUE)
                return usage_error(usage_catalogue, "--count: expected 1..10000, got '%s'",
                                   optarg);
            break;
        case OPT_SEED:
            if (parse_seed(optarg, &seed) || seed > (uint64_t)INT64_MAX / 1000 - 1)
                return usage_error(usage_catalogue,
                                   "--seed: expected an integer 0..9223372036854774, got '%s'",
                                   optarg);
            break;
        case OPT_SECONDS:
            if (parse_double(optarg, &seconds) || seconds < 0.5 || seconds > 86400)
                return usage_error(usage_catalogue, "--seconds: expected 0.5..86400, got '%s'",
                                   optarg);
            break;
        case OPT_FORMATS:
            if ((nformats = parse_list(optarg, track_format_parse, formats, GEN_FORMAT_COUNT)) < 1)
                return usage_error(usage_catalogue,
                                   "--formats: expected a list like wav,flac,ogg,mp3, got '%s'",
                                   optarg);
            break;
        case OPT_STYLES:
            if ((nstyles = parse_list(optarg, style_index, styles, 32)) < 1)
                return usage_error(usage_catalogue,
                                   "--styles: expected a list like house,waltz,funk, got '%s'",
                                   optarg);
            break;
        case 'h':
            usage_catalogue(stdout);
            return 0;
        case ':':
            return usage_error(usage_catalogue, "option %s needs a value", argv[optind - 1]);
        default:
            return usage_error(usage_catalogue, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error(usage_catalogue, "unexpected argument '%s'", argv[optind]);
    if (!dir || !*dir)
        return usage_error(usage_catalogue, "%s", "--out DIR is required");
    if (make_dir(dir) != 0) {
        fprintf(stderr, "%s: cannot create folder %s: %s\n", prog, dir, strerror(errno));
        return 1;
    }

    json_t *cat = labels_catalogue(seed, count);
    json_t *tracks = cat ? json_object_get(cat, "tracks") : NULL;
    if (!tracks) {
        fprintf(stderr, "%s: out of memory\n", prog);
        json_decref(cat);
        return 1;
    }
    gen_rng r;
    rng_init(&r, rng_derive(seed, 0x63617461, 0)); /* "cata" */
    int style_order[32], key_order[24], format_order[GEN_FORMAT_COUNT];
    static const int rates[3] = {22050, 44100, 48000};
    for (int i = 0; i < count; i++) {
        /* Each block of styles, keys and formats is a fresh shuffle, so every style,
         * key and format occurs equally often. */
        if (i % nstyles == 0) {
            memcpy(style_order, styles, sizeof(int) * nstyles);
            rng_shuffle(&r, style_order, nstyles);
        }
        if (i % 24 == 0) {
            for (int k = 0; k < 24; k++)
                key_order[k] = k;
            rng_shuffle(&r, key_order, 24);
        }
        if (i % nformats == 0) {
            memcpy(format_order, formats, sizeof(int) * nformats);
            rng_shuffle(&r, format_order, nformats);
        }
        int rate = rates[rng_int(&r, 3)];
        int channels = 1 + rng_int(&r, 2);
        double tempo_u = rng_uniform(&r), range_u = rng_uniform(&r), sec_u = rng_uniform(&r);

        const gen_style *st = style_at(style_order[i % nstyles]);
        double lo = st->tempo_lo, hi = st->tempo_hi;
        if (st->tempo_hi2 > 0 && range_u >= 0.5)
            lo = st->tempo_lo2, hi = st->tempo_hi2;
        gen_options o;
        track_options_default(&o);
        o.style = st->name;
        o.tempo = round((lo + (hi - lo) * tempo_u) * 10.0) / 10.0;
        o.has_key = 1;
        o.key = music_key_from_index(key_order[i % 24]);
        /* whole 20 ms steps: an integral number of frames at 22050, 44100 and 48000 Hz */
        o.seconds = seconds > 0 ? seconds : round((30.0 + 30.0 * sec_u) * 50.0) / 50.0;
        o.rate = rate;
        o.channels = channels;
        o.seed = seed * 1000 + (uint64_t)i;
        o.format = format_order[i % nformats];

        char err[512], file[64], path[4200];
        snprintf(file, sizeof file, "track%03d.%s", i, track_format_name(o.format));
        snprintf(path, sizeof path, "%s/%s", dir, file);
        gen_track t;
        if (track_init(&t, &o, err, sizeof err) != 0 ||
            render_track(&t, path, err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s: %s\n", prog, file, err);
            json_decref(cat);
            return 1;
        }
        json_t *j = labels_track(&t, file);
        if (!j || json_object_set_new(j, "corpus_seed", json_integer((json_int_t)seed)) ||
            json_object_set_new(j, "index", json_integer(i)) ||
            json_array_append_new(tracks, j) != 0) {
            fprintf(stderr, "%s: out of memory\n", prog);
            json_decref(cat);
            return 1;
        }
    }
    if (write_labels(cat, dir) != 0) {
        fprintf(stderr, "%s: cannot write %s/labels.json\n", prog, dir);
        json_decref(cat);
        return 1;
    }
    json_decref(cat);
    fprintf(stderr, "%s: wrote %d tracks and %s/labels.json\n", prog, count, dir);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2)
        return usage_error(usage_main, "%s", "missing command");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        usage_main(stdout);
        return 0;
    }
    if (!strcmp(cmd, "track"))
        return cmd_track(argc - 1, argv + 1);
    if (!strcmp(cmd, "catalogue") || !strcmp(cmd, "catalog"))
        return cmd_catalogue(argc - 1, argv + 1);
    return usage_error(usage_main, "unknown command '%s'", cmd);
}
