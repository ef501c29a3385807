/* main.c -- mixq-ingest: brings local music folders and Spotify metadata into the
 * catalogue and submits the analysis jobs they need. Dispatches to a command. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "common/fetch.h"
#include "ingest/commands.h"
#include "ingest/tags.h"

static const char usage[] =
    "usage: mixq-ingest COMMAND [options] [args]\n"
    "\n"
    "Commands:\n"
    "  scan DIR...        bring folders into the catalogue once; submit missing analyses\n"
    "  watch DIR...       the daemon: follow folders with inotify and ingest changes\n"
    "  spotify ...        Spotify: `import` from the Web API, `export` files of \"download\n"
    "                     your data\", `link` to local tracks, `report`\n"
    "\n"
    "Run `mixq-ingest COMMAND --help` for a command's options. Docs: docs/ingest.md.\n";

/* Set by SIGINT/SIGTERM; the watch daemon polls it. The only mutable global. */
static volatile int stop_requested;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

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
        printf("mixq-ingest %s\n", MQ_ANALYZER_VERSION);
        return 0;
    }
    ig_tags_global_init();
    mq_fetch_global_init(); /* libcurl, for the Spotify client */
    signal(SIGPIPE, SIG_IGN);
    if (!strcmp(cmd, "scan")) return ig_cmd_scan(argc - 1, argv + 1);
    if (!strcmp(cmd, "spotify")) return ig_cmd_spotify(argc - 1, argv + 1);
    if (!strcmp(cmd, "watch")) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        return ig_cmd_watch(argc - 1, argv + 1, &stop_requested);
    }
    fprintf(stderr, "mixq-ingest: unknown command '%s'\n\n%s", cmd, usage);
    return 2;
}
