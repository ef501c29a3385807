/* features_json.h -- the JSON form of an analysis result (the `mixq analyze` line).
 *
 * Field names, units and methods are documented in docs/features.md. */
#ifndef MQ_FEATURES_JSON_H
#define MQ_FEATURES_JSON_H

#include <jansson.h>

#include "analysis/analyzer.h"

/* The JSON object for the features of the file at path. New reference, NULL when out
 * of memory. */
json_t *mq_features_to_json(const char *path, const mq_features *f);

/* The JSON line of a file that could not be analysed: path and error. */
json_t *mq_error_to_json(const char *path, const mq_error *err);

#endif
