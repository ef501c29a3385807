/* sniff.c -- audio recognition by extension and magic numbers (see sniff.h). */
#include "ingest/sniff.h"

#include <string.h>
#include <strings.h>

static const char *const audio_ext[] = {"wav",  "wave", "aif", "aiff", "aifc", "flac", "ogg",
                                        "oga",  "opus", "mp3", "au",   "snd",  "caf",  "w64",
                                        "rf64", "m4a",  "mp4", "aac",  NULL};

static const char *const other_ext[] = {
    "jpg",     "jpeg", "png", "gif",        "bmp", "webp",    "tif", "tiff", "txt",  "nfo",
    "log",     "cue",  "m3u", "m3u8",       "pls", "xspf",    "pdf", "htm",  "html", "xml",
    "json",    "db",   "ini", "sfv",        "md5", "accurip", "url", "lnk",  "doc",  "docx",
    "rtf",     "zip",  "rar", "7z",         "gz",  "tar",     "exe", "dll",  "iso",  "mkv",
    "avi",     "mov",  "wmv", "lrc",        "srt", "sh",      "py",  "c",    "h",    "ds_store",
    "torrent", "part", "tmp", "crdownload", "swp", NULL};

static int in_list(const char *ext, const char *const *list) {
    for (int i = 0; list[i]; i++)
        if (!strcasecmp(ext, list[i])) return 1;
    return 0;
}

ig_ext_class ig_sniff_ext(const char *name) {
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name || !dot[1]) return IG_EXT_UNKNOWN;
    if (in_list(dot + 1, audio_ext)) return IG_EXT_AUDIO;
    if (in_list(dot + 1, other_ext)) return IG_EXT_OTHER;
    return IG_EXT_UNKNOWN;
}

/* True when the 4 bytes at p are an MPEG audio frame header (layers I-III). */
static int mpeg_frame(const unsigned char *p) {
    if (p[0] != 0xFF || (p[1] & 0xE0) != 0xE0) return 0;
    int version = (p[1] >> 3) & 3, layer = (p[1] >> 1) & 3;
    int bitrate = p[2] >> 4, rate = (p[2] >> 2) & 3;
    return version != 1 && layer != 0 && bitrate != 15 && rate != 3;
}

const char *ig_sniff_content(const unsigned char *h, size_t n, int ext_audio) {
    if (n >= 12 && !memcmp(h, "RIFF", 4) && !memcmp(h + 8, "WAVE", 4)) return "wav";
    if (n >= 12 && !memcmp(h, "RF64", 4) && !memcmp(h + 8, "WAVE", 4)) return "rf64";
    if (n >= 16 && !memcmp(h, "riff\x2e\x91\xcf\x11", 8)) return "w64";
    if (n >= 12 && !memcmp(h, "FORM", 4) &&
        (!memcmp(h + 8, "AIFF", 4) || !memcmp(h + 8, "AIFC", 4)))
        return "aiff";
    if (n >= 4 && !memcmp(h, "fLaC", 4)) return "flac";
    if (n >= 36 && !memcmp(h, "OggS", 4)) {
        /* The first page holds the codec's identification header at offset 28. */
        const unsigned char *id = h + 28;
        if (!memcmp(id, "OpusHead", 8)) return "opus";
        if (!memcmp(id, "\x01vorbis", 7)) return "ogg";
        if (!memcmp(id,
                    "\x7f"
                    "FLAC",
                    5))
            return "flac";
        if (!memcmp(id, "Speex   ", 8)) return "ogg";
        return NULL; /* video or an unknown codec */
    }
    if (n >= 10 && !memcmp(h, "ID3", 3) && h[3] >= 2 && h[3] <= 4) return "mp3";
    if (n >= 12 && !memcmp(h + 4, "ftyp", 4)) {
        const unsigned char *brand = h + 8;
        if (!memcmp(brand, "M4A ", 4) || !memcmp(brand, "M4B ", 4) || !memcmp(brand, "M4P ", 4))
            return "m4a";
        if (ext_audio && (!memcmp(brand, "mp42", 4) || !memcmp(brand, "isom", 4) ||
                          !memcmp(brand, "mp41", 4) || !memcmp(brand, "dash", 4)))
            return "m4a";
        return NULL;
    }
    if (n >= 24 && !memcmp(h, ".snd", 4)) return "au";
    if (n >= 8 && !memcmp(h, "caff", 4)) return "caf";
    /* A raw MPEG stream: only trusted with an audio extension (and ADTS AAC likewise). */
    if (ext_audio && n >= 4 && mpeg_frame(h)) return "mp3";
    if (ext_audio && n >= 4 && h[0] == 0xFF && (h[1] & 0xF6) == 0xF0) return "aac";
    return NULL;
}
