/* main.c -- the `mixq` command: dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "cli/commands.h"

static const char usage[] =
    "usage: mixq COMMAND [options] [args]\n"
    "\n"
    "Commands:\n"
    "  analyze [--threads N] [--max-duration S] [--model-dir DIR] FILE|DIR...\n"
    "                 analyse audio files with no server; one JSON line per file\n"
    "  model check DIR\n"
    "                 verify a neural-network model directory against its test vectors\n"
    "\n"
    "Run `mixq COMMAND --help` for a command's options. Docs: docs/ in the source tree.\n";

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("mixq %s\n", MQ_ANALYZER_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "analyze")) return cmd_analyze(argc - 1, argv + 1);
    if (!strcmp(cmd, "model")) return cmd_model(argc - 1, argv + 1);
    fprintf(stderr, "mixq: unknown command '%s'\n\n%s", cmd, usage);
    return 2;
}
