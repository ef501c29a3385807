/* commands.h -- the subcommands of the `mixq` tool, one function each.
 *
 * Each takes the arguments after its name (argv[0] is the subcommand's name) and
 * returns the process exit status. */
#ifndef MQ_COMMANDS_H
#define MQ_COMMANDS_H

/* `mixq analyze [options] FILE|DIR...`: JSON Lines of features; 0 ok, 1 some failed, 2 usage. */
int cmd_analyze(int argc, char **argv);

/* `mixq submit [options] FILE|DIR...`: register files, queue their jobs; 0 ok, 1 failed, 2 usage. */
int cmd_submit(int argc, char **argv);

/* `mixq status [options]`: the broker's queues, workers and rates; 0 ok, 1 no answer, 2 usage. */
int cmd_status(int argc, char **argv);

/* `mixq migrate [--pg DSN]`: apply the db/ migrations; 0 ok, 1 failed, 2 usage. */
int cmd_migrate(int argc, char **argv);

/* `mixq keygen --out FILE`: a CURVE key pair; prints the public key; 0 ok, 1 failed, 2 usage. */
int cmd_keygen(int argc, char **argv);

/* `mixq model check DIR`: runs a model directory's test vectors; 0 within tolerance. */
int cmd_model(int argc, char **argv);

/* `mixq apikey create NAME [--rate N/s] | list | revoke NAME`: API keys for the
 * recommender, stored hashed; 0 ok, 1 failed, 2 usage. */
int cmd_apikey(int argc, char **argv);

/* `mixq recommend [options] TRACK`: the next tracks after TRACK as a table; 0 ok, 1 failed,
 * 2 usage. */
int cmd_recommend(int argc, char **argv);

#endif
