/* Unit tests of analysis/decode.c: streaming reads and classified open errors. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/decode.h"
#include "audio_util.h"

static char dir[512];
static void setup(void) { tmpdir_make(dir, sizeof dir); }
TestSuite(decode, .init = setup);

static mq_errcode open_code(const char *path) {
    mq_audio_info info;
    mq_error err = {MQ_OK, ""};
    mq_decoder *d = mq_decoder_new(path, &info, &err);
    if (d) {
        mq_decoder_del(d);
        return MQ_OK;
    }
    cr_assert_neq(err.message[0], 0, "an error has a message");
    return err.code;
}

static void write_bytes(const char *path, const void *b, size_t n) {
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(b, 1, n, f), n);
    fclose(f);
}

Test(decode, classifies_open_errors) {
    char p[600];
    snprintf(p, sizeof p, "%s/missing.wav", dir);
    cr_assert_eq(open_code(p), MQ_ERR_IO);
    cr_assert_eq(open_code(dir), MQ_ERR_IO, "a directory is not audio");
    snprintf(p, sizeof p, "%s/empty.wav", dir);
    write_bytes(p, "", 0);
    cr_assert_eq(open_code(p), MQ_ERR_EMPTY_AUDIO);
    snprintf(p, sizeof p, "%s/text.wav", dir);
    const char txt[] = "this is not audio at all, just some text\n";
    write_bytes(p, txt, sizeof txt - 1);
    cr_assert_eq(open_code(p), MQ_ERR_UNSUPPORTED_FORMAT);

    /* A real WAV cut inside its header is corrupt audio, not an unknown format. */
    char full[600];
    snprintf(full, sizeof full, "%s/full.wav", dir);
    double f = 440;
    write_audio(full, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, 0.5, sig_sine, &f);
    unsigned char head[30];
    FILE *in = fopen(full, "rb");
    cr_assert_eq(fread(head, 1, sizeof head, in), sizeof head);
    fclose(in);
    snprintf(p, sizeof p, "%s/cut.wav", dir);
    write_bytes(p, head, sizeof head);
    cr_assert_eq(open_code(p), MQ_ERR_DECODE);
}

Test(decode, reads_every_frame_in_blocks) {
    char p[600];
    snprintf(p, sizeof p, "%s/tone.flac", dir);
    double f = 1000;
    write_audio(p, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100, 2, 1.0, sig_sine, &f);
    mq_audio_info info;
    mq_error err;
    mq_decoder *d = mq_decoder_new(p, &info, &err);
    cr_assert_not_null(d, "%s", err.message);
    cr_assert_eq(info.sample_rate, 44100);
    cr_assert_eq(info.channels, 2);
    cr_assert_str_eq(info.format, "flac");
    float buf[1000 * 2];
    size_t total = 0, n;
    while ((n = mq_decoder_read(d, buf, 1000)) > 0) total += n;
    cr_assert_eq(total, 44100);
    mq_decoder_del(d);
}

static void sig_bad_floats(float *x, long n, int rate, void *ud) {
    for (long i = 0; i < n; i++) x[i] = (float)(0.25 * sin(i * 0.05));
    x[10] = NAN;
    x[20] = INFINITY;
    x[30] = -INFINITY;
    x[40] = 3e38f;
}

Test(decode, non_finite_samples_are_replaced_and_counted) {
    char p[600];
    snprintf(p, sizeof p, "%s/nan.wav", dir);
    write_audio(p, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 8000, 1, 0.1, sig_bad_floats, NULL);
    mq_audio_info info;
    mq_error err;
    mq_decoder *d = mq_decoder_new(p, &info, &err);
    cr_assert_not_null(d, "%s", err.message);
    float buf[800];
    size_t n = mq_decoder_read(d, buf, 800);
    cr_assert_eq(n, 800);
    for (size_t i = 0; i < n; i++) cr_assert(isfinite(buf[i]) && fabsf(buf[i]) <= 1.0f);
    cr_assert_eq(buf[10], 0.0f);
    cr_assert_eq(buf[20], 1.0f);
    cr_assert_eq(buf[30], -1.0f);
    cr_assert_eq(mq_decoder_invalid_samples(d), 3, "3e38 is finite: clamped, not counted");
    mq_decoder_del(d);
}
