/* keygen.c -- `mixq keygen`: a CURVE key pair for a broker, worker or producer. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "common/curve.h"

static const char usage[] =
    "usage: mixq keygen --out FILE [--force]\n"
    "\n"
    "Makes a CURVE key pair and writes it to FILE (mode 0600: \"public KEY\" and\n"
    "\"secret KEY\" lines), then prints the public key. Give a broker's public key to its\n"
    "clients (--broker-key), and list clients' public keys in the broker's allow file.\n"
    "\n"
    "Options:\n"
    "  -o, --out FILE   where to write the key pair\n"
    "  -f, --force      replace FILE if it exists\n"
    "  -h, --help       this help\n";

int cmd_keygen(int argc, char **argv) {
    static const struct option longopts[] = {{"out", required_argument, NULL, 'o'},
                                             {"force", no_argument, NULL, 'f'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int force = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:fh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'f': force = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (!out || optind < argc) {
        fprintf(stderr, "mixq keygen: %s\n\n%s",
                out ? "unexpected argument" : "--out FILE is required", usage);
        return 2;
    }
    if (!force && access(out, F_OK) == 0) {
        fprintf(stderr, "mixq keygen: %s exists; use --force to replace it\n", out);
        return 1;
    }
    mq_curve_key k;
    char err[512];
    if (mq_curve_keygen(&k) != 0) {
        fputs("mixq keygen: this libzmq has no CURVE support\n", stderr);
        return 1;
    }
    if (force) unlink(out); /* so the new file gets mode 0600 whatever the old had */
    if (mq_curve_key_save(&k, out, err, sizeof err) != 0) {
        fprintf(stderr, "mixq keygen: %s\n", err);
        return 1;
    }
    printf("%s\n", k.pub);
    memset(&k, 0, sizeof k);
    return 0;
}
