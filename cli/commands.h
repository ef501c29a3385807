/* commands.h -- the subcommands of the `mixq` tool, one function each.
 *
 * Each takes the arguments after its name (argv[0] is the subcommand's name) and
 * returns the process exit status. */
#ifndef MQ_COMMANDS_H
#define MQ_COMMANDS_H

/* `mixq analyze [options] FILE|DIR...`: JSON Lines of features; 0 ok, 1 some failed, 2 usage. */
int cmd_analyze(int argc, char **argv);

/* `mixq model check DIR`: runs a model directory's test vectors; 0 within tolerance. */
int cmd_model(int argc, char **argv);

#endif
