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
    "  submit [--priority interactive|bulk] FILE|DIR...\n"
    "                 register files in the catalogue and queue their analysis\n"
    "  status         queue depths, in-flight jobs, workers, rates and failures\n"
    "  migrate        apply the database migrations\n"
    "  keygen --out FILE\n"
    "                 make a CURVE key pair; prints the public key\n"
    "  model check DIR\n"
    "                 verify a neural-network model directory against its test vectors\n"
    "  apikey create NAME [--rate N/s] | list | revoke NAME\n"
    "                 API keys for the recommender (stored hashed)\n"
    "  recommend [--limit N] [--user ID] [--energy up|down|keep] TRACK\n"
    "                 the tracks that mix best after TRACK, as a table\n"
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
    if (!strcmp(cmd, "submit")) return cmd_submit(argc - 1, argv + 1);
    if (!strcmp(cmd, "status")) return cmd_status(argc - 1, argv + 1);
    if (!strcmp(cmd, "migrate")) return cmd_migrate(argc - 1, argv + 1);
    if (!strcmp(cmd, "keygen")) return cmd_keygen(argc - 1, argv + 1);
    if (!strcmp(cmd, "model")) return cmd_model(argc - 1, argv + 1);
    if (!strcmp(cmd, "apikey")) return cmd_apikey(argc - 1, argv + 1);
    if (!strcmp(cmd, "recommend")) return cmd_recommend(argc - 1, argv + 1);
    fprintf(stderr, "mixq: unknown command '%s'\n\n%s", cmd, usage);
    return 2;
}
