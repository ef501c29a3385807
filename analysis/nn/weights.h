/* weights.h — reading a model directory's tensors, with every name and shape checked.
 *
 * Two containers are supported: a flat little-endian float32 file described by a
 * JSON manifest (tensors[] with name, shape, dtype, offset, nbytes), and HDF5 files
 * read with libhdf5's C API (one float dataset per tensor, addressed by path).
 * Every failure leaves a one-line message that names the file and what is wrong:
 * missing or unreadable file, truncated file, bad JSON, unknown tensor, wrong shape.
 *
 * Not thread-safe (libhdf5 of Debian is built without thread safety): load models
 * once, at start-up, before starting analysis threads. */
#ifndef MQ_NN_WEIGHTS_H
#define MQ_NN_WEIGHTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mq_nn_store mq_nn_store;

/* Load and parse a JSON file; on failure NULL and a message naming the file and
 * the position of a syntax error. The caller owns the result (json_decref). */
json_t *mq_nn_json_load(const char *path, char *err, size_t errlen);

/* Open the flat weights file `dir/<manifest.weights_file>` described by manifest
 * (validated: every tensor inside the file, nbytes = 4 * product of shape). */
mq_nn_store *mq_nn_store_open_flat(const char *dir, const json_t *manifest, char *err,
                                   size_t errlen);

/* Open an HDF5 weights file. */
mq_nn_store *mq_nn_store_open_hdf5(const char *path, char *err, size_t errlen);

/* A new float array (caller frees) holding tensor `name`, which must have exactly
 * the shape dims[0..ndim); NULL and a message when missing or of another shape. */
float *mq_nn_store_get(mq_nn_store *s, const char *name, int ndim, const int *dims, char *err,
                       size_t errlen);

/* Release the store (the arrays returned by mq_nn_store_get stay valid). */
void mq_nn_store_close(mq_nn_store *s);

/* FNV-1a 32-bit hash of the store's file bytes (identifies the weights). */
uint32_t mq_nn_store_hash(const mq_nn_store *s);

/* Join dir and name into out (returns out; truncation gives an empty string). */
char *mq_nn_path(char *out, size_t outlen, const char *dir, const char *name);

/* Read a whole raw float32 little-endian file of exactly n values into a new
 * array (caller frees); NULL and a message when missing or of another size. */
float *mq_nn_read_f32(const char *path, size_t n, char *err, size_t errlen);

#endif
