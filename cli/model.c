/* model.c -- `mixq model check DIR`: verifies a model directory against its test vectors. */
#include <stdio.h>
#include <string.h>

#include "analysis/nn/check.h"
#include "cli/commands.h"

static const char usage[] =
    "usage: mixq model check DIR...\n"
    "\n"
    "Loads each neural-network model directory (manifest.json or model.json and its\n"
    "weights), runs the test vectors its README describes, and prints the largest error\n"
    "of each stage beside its tolerance. Exit status: 0 when every stage of every\n"
    "directory is within tolerance, 1 otherwise, 2 for usage errors.\n";

int cmd_model(int argc, char **argv) {
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc < 3 || strcmp(argv[1], "check") != 0) {
        fputs(usage, stderr);
        return 2;
    }
    int status = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--help")) {
            fputs(usage, stdout);
            return 0;
        }
        if (mq_model_check(argv[i], stdout) != 0) status = 1;
    }
    return status;
}
