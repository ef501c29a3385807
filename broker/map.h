/* map.h -- an intrusive hash map from NUL-terminated string keys to nodes.
 *
 * A struct stored in a map embeds an mq_map_node (MQ_CONTAINER from list.h gets the
 * struct back), so putting needs no allocation. The key must stay valid while the node
 * is in the map (typically it lives in the same struct, e.g. a job's id). Chained
 * buckets, doubled when the load passes 1. */
#ifndef MQ_BROKER_MAP_H
#define MQ_BROKER_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct mq_map_node {
    const char *key;
    uint32_t hash;
    struct mq_map_node *next;
} mq_map_node;

typedef struct mq_map mq_map;

/* A new, empty map; NULL when out of memory. */
mq_map *mq_map_new(void);

/* The node stored under key, or NULL. */
mq_map_node *mq_map_get(const mq_map *m, const char *key);

/* Stores node n under key (which must not be present). */
void mq_map_put(mq_map *m, mq_map_node *n, const char *key);

/* Removes node n (which must be in the map). */
void mq_map_remove(mq_map *m, mq_map_node *n);

/* Number of entries. */
size_t mq_map_count(const mq_map *m);

/* Calls fn(node, ud) for every node; fn may free the node it is given (the map is
 * then to be freed without further use) but must not change the map. */
void mq_map_each(const mq_map *m, void (*fn)(mq_map_node *n, void *ud), void *ud);

/* Frees the map (not the nodes). Accepts NULL. */
void mq_map_free(mq_map *m);

#endif
