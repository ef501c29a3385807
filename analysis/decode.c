/* decode.c -- streaming audio decoding with libsndfile, with error classification.
 *
 * libsndfile's own error codes do not separate "not audio" from "audio, but broken",
 * so a failed open is classified by looking at the file's first bytes: a known
 * container signature means a corrupt or truncated file (decode_error), anything else
 * is unsupported_format. */
#include "analysis/decode.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct mq_decoder {
    SNDFILE *sf;
    int fd;
    int channels;
    uint64_t invalid;
};

/* True when the first bytes look like an audio container libsndfile knows. */
static int looks_like_audio(const unsigned char *b, size_t n) {
    if (n >= 4 && (!memcmp(b, "RIFF", 4) || !memcmp(b, "RIFX", 4) || !memcmp(b, "RF64", 4) ||
                   !memcmp(b, "fLaC", 4) || !memcmp(b, "OggS", 4) || !memcmp(b, "FORM", 4) ||
                   !memcmp(b, ".snd", 4) || !memcmp(b, "caff", 4)))
        return 1;
    if (n >= 3 && !memcmp(b, "ID3", 3)) return 1;
    if (n >= 2 && b[0] == 0xFF && (b[1] & 0xE0) == 0xE0) return 1; /* MPEG frame sync */
    return 0;
}

static void format_name(const SF_INFO *si, char *out, size_t len) {
    const char *major = "unknown", *sub = NULL;
    switch (si->format & SF_FORMAT_TYPEMASK) {
    case SF_FORMAT_WAV: case SF_FORMAT_WAVEX: case SF_FORMAT_RF64: major = "wav"; break;
    case SF_FORMAT_AIFF: major = "aiff"; break;
    case SF_FORMAT_FLAC: major = "flac"; break;
    case SF_FORMAT_OGG: major = "ogg"; break;
    case SF_FORMAT_MPEG: major = "mp3"; break;
    case SF_FORMAT_AU: major = "au"; break;
    case SF_FORMAT_CAF: major = "caf"; break;
    case SF_FORMAT_W64: major = "w64"; break;
    default: break;
    }
    switch (si->format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_VORBIS: sub = "vorbis"; break;
    case SF_FORMAT_OPUS: sub = "opus"; break;
    default: break;
    }
    if (sub) snprintf(out, len, "%s/%s", major, sub);
    else snprintf(out, len, "%s", major);
}

mq_decoder *mq_decoder_new(const char *path, mq_audio_info *info, mq_error *err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        mq_error_set(err, MQ_ERR_IO, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        mq_error_set(err, MQ_ERR_IO, "not a regular file");
        close(fd);
        return NULL;
    }
    if (st.st_size == 0) {
        mq_error_set(err, MQ_ERR_EMPTY_AUDIO, "the file is empty (0 bytes)");
        close(fd);
        return NULL;
    }
    unsigned char head[16];
    ssize_t nh = pread(fd, head, sizeof head, 0);
    if (nh < 0) {
        mq_error_set(err, MQ_ERR_IO, "cannot read: %s", strerror(errno));
        close(fd);
        return NULL;
    }

    SF_INFO si;
    memset(&si, 0, sizeof si);
    SNDFILE *sf = sf_open_fd(fd, SFM_READ, &si, 0);
    if (!sf) {
        const char *why = sf_strerror(NULL);
        if (looks_like_audio(head, (size_t)nh))
            mq_error_set(err, MQ_ERR_DECODE, "corrupt or truncated audio: %s", why);
        else
            mq_error_set(err, MQ_ERR_UNSUPPORTED_FORMAT, "not a recognised audio format: %s",
                         why);
        close(fd);
        return NULL;
    }
    if (si.channels < 1 || si.channels > 64 || si.samplerate < 1000 ||
        si.samplerate > 768000) {
        mq_error_set(err, MQ_ERR_UNSUPPORTED_FORMAT, "unsupported stream: %d Hz, %d channels",
                     si.samplerate, si.channels);
        sf_close(sf);
        close(fd);
        return NULL;
    }
    mq_decoder *d = calloc(1, sizeof *d);
    if (!d) {
        mq_error_set(err, MQ_ERR_NO_MEMORY, "out of memory");
        sf_close(sf);
        close(fd);
        return NULL;
    }
    d->sf = sf;
    d->fd = fd;
    d->channels = si.channels;
    /* Integer data read as float is scaled to [-1, 1); float data is passed through and
     * sanitised below. */
    sf_command(sf, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
    info->sample_rate = si.samplerate;
    info->channels = si.channels;
    info->frames_claimed = si.frames > 0 && si.frames < INT64_MAX ? si.frames : 0;
    format_name(&si, info->format, sizeof info->format);
    return d;
}

size_t mq_decoder_read(mq_decoder *d, float *buf, size_t max_frames) {
    sf_count_t n = sf_readf_float(d->sf, buf, (sf_count_t)max_frames);
    if (n <= 0) return 0;
    size_t ns = (size_t)n * (size_t)d->channels;
    /* Fast path: a block within full scale (always so for integer formats). The test is
     * written so that it vectorises and is false for NaN. */
    int ok = 1;
    for (size_t i = 0; i < ns; i++) ok &= (buf[i] >= -1.0f) & (buf[i] <= 1.0f);
    if (ok) return (size_t)n;
    for (size_t i = 0; i < ns; i++) {
        float x = buf[i];
        if (x >= -1.0f && x <= 1.0f) continue;
        if (!isfinite(x)) d->invalid++;
        buf[i] = isnan(x) ? 0.0f : (x > 0 ? 1.0f : -1.0f); /* clamp to full scale */
    }
    return (size_t)n;
}

uint64_t mq_decoder_invalid_samples(const mq_decoder *d) { return d->invalid; }

void mq_decoder_del(mq_decoder *d) {
    if (!d) return;
    sf_close(d->sf);
    close(d->fd);
    free(d);
}
