/* decode.h -- streaming audio decoding with libsndfile.
 *
 * A decoder reads a file block by block as interleaved float frames; nothing is
 * allocated from the sizes a header claims, so memory stays constant whatever the
 * file says or holds. Non-finite samples are replaced and counted. */
#ifndef MQ_DECODE_H
#define MQ_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/errors.h"

typedef struct mq_decoder mq_decoder;

/* What the file's header says. frames_claimed may be wrong (truncated files) or
 * unknown (0); the true length is known only once the file has been read. */
typedef struct mq_audio_info {
    int sample_rate;
    int channels;
    int64_t frames_claimed;
    char format[24]; /* "wav", "flac", "ogg/vorbis", "ogg/opus", "mp3", "aiff", ... */
} mq_audio_info;

/* Opens path for decoding. Returns NULL and fills err (classified) on failure.
 * The caller owns the decoder and frees it with mq_decoder_del(). */
mq_decoder *mq_decoder_new(const char *path, mq_audio_info *info, mq_error *err);

/* Reads up to max_frames interleaved float frames into buf (max_frames * channels
 * floats). Returns the number of frames read: 0 at the end of the audio. Samples are
 * finite and within [-1, 1]. */
size_t mq_decoder_read(mq_decoder *d, float *buf, size_t max_frames);

/* Samples that were NaN or infinite (replaced by 0 or full scale) so far. */
uint64_t mq_decoder_invalid_samples(const mq_decoder *d);

/* Closes the file and frees the decoder. Accepts NULL. */
void mq_decoder_del(mq_decoder *d);

#endif
