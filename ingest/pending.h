/* pending.h -- files the watch daemon has seen change and will read once they are
 * completely written.
 *
 * A file is due when it has been quiet (no event, same size and time) for the settle time
 * after its writer closed it (IN_CLOSE_WRITE), or for the longer open timeout when no
 * close was seen (a hard link, or a writer that keeps it open). Every event on a path
 * pushes its due time back. Lookups are by exact path bytes through a hash index. */
#ifndef IG_PENDING_H
#define IG_PENDING_H

#include <stddef.h>
#include <stdint.h>

typedef struct ig_pending_ent {
    char *path;   /* owned; NULL for a dropped entry */
    double due;   /* when to look at it again (monotonic seconds) */
    int writing;  /* opened for writing and not yet closed, as far as we know */
    int attempts; /* times found still changing */
} ig_pending_ent;

typedef struct ig_pending ig_pending;

/* A new, empty set. NULL when out of memory. */
ig_pending *ig_pending_new(void);

/* Records an event on path at time now: adds it if absent, and sets its due time to
 * now + delay. writing is 1 (opened/modified), 0 (closed or moved in) or -1 (unknown:
 * keep what is known). Returns the entry or NULL when out of memory. */
ig_pending_ent *ig_pending_touch(ig_pending *p, const char *path, int writing, double now,
                                 double delay);

/* Forgets path, or with is_dir every path below it. */
void ig_pending_drop(ig_pending *p, const char *path, int is_dir);

/* Renames path from to to, or with is_dir every path below from. */
int ig_pending_rename(ig_pending *p, const char *from, const char *to, int is_dir);

/* Calls fn on each entry due at now. fn returns 1 to remove it, 0 to keep it (after
 * setting a new due time), -1 to stop the pass. Returns the number of entries left. */
size_t ig_pending_run(ig_pending *p, double now, int (*fn)(ig_pending_ent *e, void *ud), void *ud);

/* The earliest due time, or a negative number when empty. */
double ig_pending_next(const ig_pending *p);

/* Number of entries. */
size_t ig_pending_count(const ig_pending *p);

/* Frees everything. Accepts NULL. */
void ig_pending_del(ig_pending *p);

#endif
