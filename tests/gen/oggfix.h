/* oggfix.h -- make libsndfile's Ogg output reproducible.
 *
 * libsndfile 1.2 gives every Ogg stream a serial number drawn from the clock, so two
 * identical encodes differ in the serial and the page checksums. oggfix_serial()
 * rewrites the serial of every page in place and recomputes each page's CRC. */
#ifndef MIXQ_GEN_OGGFIX_H
#define MIXQ_GEN_OGGFIX_H

#include <stddef.h>
#include <stdint.h>

/* Set the stream serial number of every page of the Ogg file at path. Returns 0, or
 * -1 with a message in err (not an Ogg file, I/O error). Memory: one page (< 64 KiB). */
int oggfix_serial(const char *path, uint32_t serial, char *err, size_t errlen);

#endif
