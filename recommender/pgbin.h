/* pgbin.h -- decoding PostgreSQL's binary result format (libpq, resultFormat 1).
 *
 * Integers and floats arrive in network byte order; arrays as a header (dimensions,
 * null flag, element type, then size and lower bound per dimension) followed by each
 * element as a 4-byte length (-1 for NULL) and its bytes. Every decoder checks lengths,
 * so a malformed value is reported, never read past. */
#ifndef REC_PGBIN_H
#define REC_PGBIN_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

/* An int8/int4/int2 field (by its length) into *v. 0, or -1 when NULL or malformed. */
int rec_pgbin_int(const PGresult *r, int row, int col, int64_t *v);
/* A float4/float8 field into *v. 0, or -1 when NULL or malformed. */
int rec_pgbin_float(const PGresult *r, int row, int col, double *v);
/* A text field: its bytes (libpq terminates them), or NULL when NULL. */
const char *rec_pgbin_text(const PGresult *r, int row, int col);
/* A one-dimensional float4[] into out (room for max): the element count (NULL elements
 * become NaN, elements beyond max are counted but not stored), or -1 when NULL or
 * malformed. */
int rec_pgbin_float_array(const PGresult *r, int row, int col, float *out, int max);
/* A one-dimensional text[]: up to max pointers into the result (NUL-terminated copies in
 * buf of size buflen). Returns the count, or -1 when NULL or malformed. */
int rec_pgbin_text_array(const PGresult *r, int row, int col, const char **out, int max, char *buf,
                         size_t buflen);

#endif
