/* fuzz_analyze.c -- libFuzzer target over the whole decode-and-analyse path.
 *
 * Each input is written to an in-memory file (memfd) and analysed as a file would be by
 * `mixq analyze`; the JSON line is built too, so its code is exercised. Any crash,
 * sanitizer report, leak or time-out is a bug. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analysis/analyzer.h"
#include "common/features_json.h"

static mq_analyzer *an;
static mq_features *feat;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    mq_analysis_global_init();
    mq_analyzer_opts o = {.max_duration_s = 600};
    an = mq_analyzer_new(&o);
    feat = malloc(sizeof *feat);
    return an && feat ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int fd = memfd_create("fuzz-input", 0);
    if (fd < 0) return 0;
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) break;
        off += (size_t)w;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    mq_error err;
    json_t *o = mq_analyzer_run(an, path, feat, &err) == MQ_OK ? mq_features_to_json(path, feat)
                                                              : mq_error_to_json(path, &err);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    free(s);
    json_decref(o);
    close(fd);
    return 0;
}
