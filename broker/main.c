/* main.c -- mixq-broker: parse options, build the broker, run until SIGTERM/SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/options.h"
#include "common/log.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

int main(int argc, char **argv) {
    mq_broker_opts o;
    int rc = mq_broker_opts_parse(argc, argv, &o);
    if (rc) return rc == 1 ? 0 : 2;
    mq_log_init("broker", NULL);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[512];
    mq_broker *b = mq_broker_new(&o, err, sizeof err);
    if (!b) {
        mq_log(MQ_LOG_ERROR, "cannot start", "error", err, NULL);
        return 1;
    }
    rc = mq_broker_run(b, &stop_requested);
    mq_broker_del(b);
    return rc;
}
