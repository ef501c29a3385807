/* weights.c — model tensors from a flat manifest-described file or from HDF5, with
 * names, shapes and sizes checked (see weights.h). */
#include "analysis/nn/weights.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MQ_NN_MAX_DIMS 8

typedef struct flat_tensor {
    char *name;
    int ndim;
    long long dims[MQ_NN_MAX_DIMS];
    size_t offset, nbytes;
} flat_tensor;

struct mq_nn_store {
    char path[1024];  /* the weights file */
    char mpath[1024]; /* flat: its manifest (shapes and names live there) */
    uint32_t hash;
    /* flat */
    unsigned char *bytes;
    size_t nbytes;
    flat_tensor *t;
    size_t nt;
    /* hdf5 */
    hid_t h5;
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

char *mq_nn_path(char *out, size_t outlen, const char *dir, const char *name)
{
    int n = snprintf(out, outlen, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= outlen)
        out[0] = '\0';
    return out;
}

static uint32_t fnv1a(const unsigned char *p, size_t n, uint32_t h)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

/* Read a whole file; NULL and a message on failure. */
static unsigned char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        seterr(err, errlen, "%s: %s file: %s", path, errno == ENOENT ? "missing" : "cannot open",
               strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        seterr(err, errlen, "%s: not a regular file", path);
        fclose(f);
        return NULL;
    }
    size_t n = (size_t)st.st_size;
    unsigned char *buf = malloc(n ? n : 1);
    if (!buf) {
        seterr(err, errlen, "%s: out of memory (%zu bytes)", path, n);
        fclose(f);
        return NULL;
    }
    if (n && fread(buf, 1, n, f) != n) {
        seterr(err, errlen, "%s: read error", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

json_t *mq_nn_json_load(const char *path, char *err, size_t errlen)
{
    size_t n;
    unsigned char *buf = read_file(path, &n, err, errlen);
    if (!buf)
        return NULL;
    json_error_t je;
    json_t *j = json_loadb((const char *)buf, n, 0, &je);
    free(buf);
    if (!j) {
        seterr(err, errlen, "%s: bad JSON at line %d column %d: %s", path, je.line, je.column,
               je.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        seterr(err, errlen, "%s: bad JSON: the top level is not an object", path);
        json_decref(j);
        return NULL;
    }
    return j;
}

float *mq_nn_read_f32(const char *path, size_t n, char *err, size_t errlen)
{
    size_t len;
    unsigned char *buf = read_file(path, &len, err, errlen);
    if (!buf)
        return NULL;
    if (len != n * sizeof(float)) {
        seterr(err, errlen, "%s: %zu bytes, expected %zu (%zu float32 values)", path, len,
               n * sizeof(float), n);
        free(buf);
        return NULL;
    }
    float *out = malloc(n ? n * sizeof *out : 1);
    if (out)
        memcpy(out, buf, n * sizeof *out);
    else
        seterr(err, errlen, "%s: out of memory", path);
    free(buf);
    return out;
}

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

static void shape_str(char *out, size_t len, int ndim, const long long *dims)
{
    size_t k = 0;
    k += (size_t)snprintf(out + k, len - k, "[");
    for (int i = 0; i < ndim && k < len; i++)
        k += (size_t)snprintf(out + k, len - k, "%s%lld", i ? "," : "", dims[i]);
    if (k < len)
        snprintf(out + k, len - k, "]");
}

static void store_free(mq_nn_store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nt; i++)
        free(s->t[i].name);
    free(s->t);
    free(s->bytes);
    if (s->h5 > 0)
        H5Fclose(s->h5);
    free(s);
}

mq_nn_store *mq_nn_store_open_flat(const char *dir, const json_t *manifest, char *err,
                                   size_t errlen)
{
    char mpath[1024];
    mq_nn_path(mpath, sizeof mpath, dir, "manifest.json");
    const char *wname = json_string_value(json_object_get(manifest, "weights_file"));
    if (!wname || !*wname || strchr(wname, '/')) {
        seterr(err, errlen, "%s: \"weights_file\" missing or not a plain file name", mpath);
        return NULL;
    }
    const char *order = json_string_value(json_object_get(manifest, "byte_order"));
    if (order && strcmp(order, "little") != 0) {
        seterr(err, errlen, "%s: byte_order \"%s\" is not supported (little only)", mpath, order);
        return NULL;
    }
    json_t *tensors = json_object_get(manifest, "tensors");
    if (!json_is_array(tensors) || json_array_size(tensors) == 0) {
        seterr(err, errlen, "%s: \"tensors\" missing or empty", mpath);
        return NULL;
    }
    mq_nn_store *s = calloc(1, sizeof *s);
    if (!s) {
        seterr(err, errlen, "out of memory");
        return NULL;
    }
    s->h5 = -1;
    mq_nn_path(s->path, sizeof s->path, dir, wname);
    snprintf(s->mpath, sizeof s->mpath, "%s", mpath);
    s->bytes = read_file(s->path, &s->nbytes, err, errlen);
    if (!s->bytes)
        goto fail;
    s->hash = fnv1a(s->bytes, s->nbytes, 2166136261u);
    json_t *wb = json_object_get(manifest, "weights_bytes");
    if (json_is_integer(wb) && (size_t)json_integer_value(wb) != s->nbytes) {
        seterr(err, errlen, "%s: truncated or wrong file: %zu bytes, manifest says %lld", s->path,
               s->nbytes, (long long)json_integer_value(wb));
        goto fail;
    }
    s->t = calloc(json_array_size(tensors), sizeof *s->t);
    if (!s->t) {
        seterr(err, errlen, "out of memory");
        goto fail;
    }
    size_t i;
    json_t *e;
    json_array_foreach(tensors, i, e)
    {
        flat_tensor *t = &s->t[s->nt];
        const char *name = json_string_value(json_object_get(e, "name"));
        json_t *shape = json_object_get(e, "shape");
        json_t *off = json_object_get(e, "offset"), *nb = json_object_get(e, "nbytes");
        const char *dtype = json_string_value(json_object_get(e, "dtype"));
        if (!name || !json_is_array(shape) || !json_is_integer(off) || !json_is_integer(nb)) {
            seterr(err, errlen, "%s: tensors[%zu] lacks name, shape, offset or nbytes", mpath, i);
            goto fail;
        }
        if (dtype && strcmp(dtype, "float32") != 0) {
            seterr(err, errlen, "%s: tensor '%s' has dtype %s, expected float32", mpath, name,
                   dtype);
            goto fail;
        }
        size_t nd = json_array_size(shape);
        if (nd > MQ_NN_MAX_DIMS) {
            seterr(err, errlen, "%s: tensor '%s' has %zu dimensions", mpath, name, nd);
            goto fail;
        }
        long long count = 1;
        for (size_t d = 0; d < nd; d++) {
            json_t *v = json_array_get(shape, d);
            long long x = json_is_integer(v) ? (long long)json_integer_value(v) : -1;
            if (x <= 0 || x > (1LL << 30) || count > (1LL << 32) / x) {
                seterr(err, errlen, "%s: tensor '%s' has an invalid shape", mpath, name);
                goto fail;
            }
            t->dims[d] = x;
            count *= x;
        }
        long long o = (long long)json_integer_value(off), n = (long long)json_integer_value(nb);
        if (o < 0 || n != 4 * count) {
            seterr(err, errlen, "%s: tensor '%s': nbytes %lld does not match its shape (%lld)",
                   mpath, name, n, 4 * count);
            goto fail;
        }
        if ((unsigned long long)o + (unsigned long long)n > s->nbytes) {
            seterr(err, errlen,
                   "%s: truncated file: %zu bytes, tensor '%s' needs bytes up to %lld", s->path,
                   s->nbytes, name, o + n);
            goto fail;
        }
        t->name = strdup(name);
        if (!t->name) {
            seterr(err, errlen, "out of memory");
            goto fail;
        }
        t->ndim = (int)nd;
        t->offset = (size_t)o;
        t->nbytes = (size_t)n;
        s->nt++;
    }
    return s;
fail:
    store_free(s);
    return NULL;
}

/* Suppress libhdf5's automatic error-stack printing while we work, restoring the
 * caller's setting afterwards. */
typedef struct h5_quiet {
    H5E_auto2_t fn;
    void *data;
} h5_quiet;
static h5_quiet h5_quiet_begin(void)
{
    h5_quiet q = {0};
    H5Eget_auto2(H5E_DEFAULT, &q.fn, &q.data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    return q;
}
static void h5_quiet_end(h5_quiet q) { H5Eset_auto2(H5E_DEFAULT, q.fn, q.data); }

mq_nn_store *mq_nn_store_open_hdf5(const char *path, char *err, size_t errlen)
{
    size_t n;
    unsigned char *bytes = read_file(path, &n, err, errlen);
    if (!bytes)
        return NULL;
    mq_nn_store *s = calloc(1, sizeof *s);
    if (!s) {
        free(bytes);
        seterr(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(s->path, sizeof s->path, "%s", path);
    s->hash = fnv1a(bytes, n, 2166136261u);
    free(bytes);
    h5_quiet q = h5_quiet_begin();
    htri_t is = H5Fis_hdf5(path);
    if (is <= 0) {
        seterr(err, errlen, "%s: not an HDF5 file (%zu bytes)", path, n);
        h5_quiet_end(q);
        s->h5 = -1;
        store_free(s);
        return NULL;
    }
    s->h5 = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    h5_quiet_end(q);
    if (s->h5 < 0) {
        seterr(err, errlen, "%s: cannot open the HDF5 file (truncated or corrupt, %zu bytes)",
               path, n);
        store_free(s);
        return NULL;
    }
    return s;
}

static float *get_flat(mq_nn_store *s, const char *name, int ndim, const int *dims, char *err,
                       size_t errlen)
{
    const flat_tensor *t = NULL;
    for (size_t i = 0; i < s->nt && !t; i++)
        if (strcmp(s->t[i].name, name) == 0)
            t = &s->t[i];
    if (!t) {
        seterr(err, errlen, "%s: tensor '%s' is missing", s->mpath, name);
        return NULL;
    }
    int same = t->ndim == ndim;
    for (int d = 0; same && d < ndim; d++)
        same = t->dims[d] == dims[d];
    if (!same) {
        char got[128], want[128];
        long long w[MQ_NN_MAX_DIMS];
        for (int d = 0; d < ndim && d < MQ_NN_MAX_DIMS; d++)
            w[d] = dims[d];
        shape_str(got, sizeof got, t->ndim, t->dims);
        shape_str(want, sizeof want, ndim, w);
        seterr(err, errlen, "%s: tensor '%s' has shape %s, expected %s", s->mpath, name, got,
               want);
        return NULL;
    }
    float *out = malloc(t->nbytes);
    if (!out) {
        seterr(err, errlen, "out of memory");
        return NULL;
    }
    memcpy(out, s->bytes + t->offset, t->nbytes);
    if (!host_is_little_endian()) {
        unsigned char *p = (unsigned char *)out;
        for (size_t i = 0; i + 3 < t->nbytes; i += 4) {
            unsigned char a = p[i], b = p[i + 1];
            p[i] = p[i + 3];
            p[i + 1] = p[i + 2];
            p[i + 2] = b;
            p[i + 3] = a;
        }
    }
    return out;
}

static float *get_hdf5(mq_nn_store *s, const char *name, int ndim, const int *dims, char *err,
                       size_t errlen)
{
    float *out = NULL;
    hid_t ds = -1, sp = -1, ty = -1;
    h5_quiet q = h5_quiet_begin();
    if (H5Lexists(s->h5, name, H5P_DEFAULT) <= 0) {
        /* H5Lexists fails on a missing intermediate group; check it first. */
        seterr(err, errlen, "%s: dataset '%s' is missing", s->path, name);
        goto done;
    }
    ds = H5Dopen2(s->h5, name, H5P_DEFAULT);
    if (ds < 0) {
        seterr(err, errlen, "%s: '%s' is not a readable dataset", s->path, name);
        goto done;
    }
    ty = H5Dget_type(ds);
    if (ty < 0 || H5Tget_class(ty) != H5T_FLOAT) {
        seterr(err, errlen, "%s: dataset '%s' is not floating point", s->path, name);
        goto done;
    }
    sp = H5Dget_space(ds);
    hsize_t hd[MQ_NN_MAX_DIMS];
    int nd = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
    if (nd < 0 || nd > MQ_NN_MAX_DIMS || H5Sget_simple_extent_dims(sp, hd, NULL) < 0) {
        seterr(err, errlen, "%s: dataset '%s' has an unreadable shape", s->path, name);
        goto done;
    }
    int same = nd == ndim;
    for (int d = 0; same && d < ndim; d++)
        same = hd[d] == (hsize_t)dims[d];
    if (!same) {
        char got[128], want[128];
        long long g[MQ_NN_MAX_DIMS], w[MQ_NN_MAX_DIMS];
        for (int d = 0; d < nd; d++)
            g[d] = (long long)hd[d];
        for (int d = 0; d < ndim && d < MQ_NN_MAX_DIMS; d++)
            w[d] = dims[d];
        shape_str(got, sizeof got, nd, g);
        shape_str(want, sizeof want, ndim, w);
        seterr(err, errlen, "%s: dataset '%s' has shape %s, expected %s", s->path, name, got,
               want);
        goto done;
    }
    size_t count = 1;
    for (int d = 0; d < ndim; d++)
        count *= (size_t)dims[d];
    out = malloc(count * sizeof *out);
    if (!out) {
        seterr(err, errlen, "out of memory");
        goto done;
    }
    if (H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0) {
        seterr(err, errlen, "%s: cannot read dataset '%s' (truncated or corrupt file)", s->path,
               name);
        free(out);
        out = NULL;
    }
done:
    if (sp >= 0)
        H5Sclose(sp);
    if (ty >= 0)
        H5Tclose(ty);
    if (ds >= 0)
        H5Dclose(ds);
    h5_quiet_end(q);
    return out;
}

float *mq_nn_store_get(mq_nn_store *s, const char *name, int ndim, const int *dims, char *err,
                       size_t errlen)
{
    if (ndim < 1 || ndim > MQ_NN_MAX_DIMS) {
        seterr(err, errlen, "internal: bad rank %d for '%s'", ndim, name);
        return NULL;
    }
    float *v = s->h5 >= 0 ? get_hdf5(s, name, ndim, dims, err, errlen)
                          : get_flat(s, name, ndim, dims, err, errlen);
    size_t n = 1;
    for (int d = 0; d < ndim; d++)
        n *= (size_t)dims[d];
    for (size_t i = 0; v && i < n; i++)
        if (!isfinite(v[i])) {
            seterr(err, errlen, "%s: tensor '%s' holds NaN or infinite values (corrupt file?)",
                   s->path, name);
            free(v);
            v = NULL;
        }
    return v;
}

void mq_nn_store_close(mq_nn_store *s) { store_free(s); }

uint32_t mq_nn_store_hash(const mq_nn_store *s) { return s->hash; }
