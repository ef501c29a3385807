/* walk.h -- recursive directory walk for audio files.
 *
 * Entries are visited in byte order of their names, so output is deterministic.
 * Symbolic links are followed, but a directory already on the current path or already
 * walked (same device and inode) is never entered twice: link loops end at once. */
#ifndef MQ_WALK_H
#define MQ_WALK_H

/* Called for each regular file found; return non-zero to stop the walk. */
typedef int (*mq_walk_fn)(const char *path, void *ud);
/* Called for each entry that cannot be read (errno-style message). */
typedef void (*mq_walk_err_fn)(const char *path, const char *why, void *ud);

/* True when the file name's extension is one of the audio formats mixq reads. */
int mq_walk_is_audio_name(const char *name);

/* Walks root. A regular file root is passed to fn whatever its name; in directories,
 * only files with audio extensions are. Returns 0, -1 if root cannot be read, or the
 * non-zero value fn returned. */
int mq_walk(const char *root, mq_walk_fn fn, mq_walk_err_fn on_err, void *ud);

#endif
