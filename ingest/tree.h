/* tree.h -- the directory walk behind scan and watch.
 *
 * Visits a tree in byte order of names, following symbolic links, with the stat of every
 * entry: regular files go to the file callback, directories to the dir callback before
 * they are entered. A directory is entered at most once per walk (same device and inode),
 * so link loops end at once. Entries that cannot be used -- an unreadable directory, a
 * dangling or looping link, a FIFO or device -- go to the skip callback and the walk goes
 * on. Only one directory handle is open at a time, whatever the depth. Unlike
 * common/walk.c it hands out every file with its stat (scan decides what is audio, by
 * extension and content) and every directory (watch puts an inotify watch on each). */
#ifndef IG_TREE_H
#define IG_TREE_H

#include <stddef.h>
#include <sys/stat.h>

typedef struct ig_tree_cb {
    /* A regular file: its path (len bytes, NUL-terminated), its last component, its stat.
     * Return 0 to go on, non-zero to stop the walk with that value. */
    int (*file)(const char *path, size_t len, const char *name, const struct stat *st, void *ud);
    /* A directory about to be entered (the root included). Return 0 to enter it, 1 to skip
     * it, anything else to stop. May be NULL. */
    int (*dir)(const char *path, size_t len, const struct stat *st, void *ud);
    /* An entry skipped and why ("Permission denied", "dangling symbolic link", ...).
     * `loop` is set when it is a directory already walked (a link loop or a second link to
     * one directory), which is normal rather than an error. May be NULL. */
    void (*skip)(const char *path, const char *why, int loop, void *ud);
    void *ud;
} ig_tree_cb;

/* Walks root (a directory or a file). Returns 0 when done, -1 when root itself cannot be
 * read (after calling skip), -2 when out of memory, or the non-zero value a callback
 * returned. */
int ig_tree_walk(const char *root, const ig_tree_cb *cb);

#endif
