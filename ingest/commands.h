/* commands.h -- the mixq-ingest commands, each run from main() with its own arguments
 * (argv[0] is the command's name). Each returns the process exit status: 0 success,
 * 1 failure, 2 usage error. */
#ifndef IG_COMMANDS_H
#define IG_COMMANDS_H

/* `scan DIR...`: one pass over folders (cmd_scan.c). */
int ig_cmd_scan(int argc, char **argv);

/* `watch DIR...`: the daemon following folders with inotify (cmd_watch.c). stop is the
 * flag main()'s signal handler sets. */
int ig_cmd_watch(int argc, char **argv, volatile int *stop);

/* `spotify SUBCOMMAND ...`: Web API import, export import, linking, report
 * (cmd_spotify.c). */
int ig_cmd_spotify(int argc, char **argv);

#endif
