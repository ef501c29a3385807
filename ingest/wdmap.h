/* wdmap.h -- inotify watch descriptors and the directory path each one watches.
 *
 * An open-addressing map from wd to a malloc'd path, with removal (backward-shift, no
 * tombstones) and iteration, so that a renamed directory's descendants can be re-pathed
 * and a removed subtree's watches found. */
#ifndef IG_WDMAP_H
#define IG_WDMAP_H

#include <stddef.h>

typedef struct ig_wdmap ig_wdmap;

/* A new, empty map. NULL when out of memory. */
ig_wdmap *ig_wdmap_new(void);

/* Sets wd's path to a copy of path (replacing any). Returns 0 or -1 (out of memory). */
int ig_wdmap_set(ig_wdmap *m, int wd, const char *path);

/* The path of wd, or NULL. Valid until wd is set again or removed. */
const char *ig_wdmap_get(const ig_wdmap *m, int wd);

/* Forgets wd (no-op when absent). */
void ig_wdmap_remove(ig_wdmap *m, int wd);

/* Number of watches. */
size_t ig_wdmap_count(const ig_wdmap *m);

/* Iteration: slot i in [0, ig_wdmap_slots) holds a watch when ig_wdmap_at returns a path;
 * its wd goes to *wd. Removing the current entry during iteration may move a later one
 * into this slot: iterate again from the start after removals. */
size_t ig_wdmap_slots(const ig_wdmap *m);
const char *ig_wdmap_at(const ig_wdmap *m, size_t i, int *wd);

/* Frees the map and its paths. Accepts NULL. */
void ig_wdmap_del(ig_wdmap *m);

#endif
