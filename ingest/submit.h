/* submit.h -- ingest's broker client: analysis jobs out, acknowledgements back.
 *
 * A DEALER socket to the broker (docs/protocol.md, "Producers"). Jobs go out in Submits of
 * up to 1,000; a Submit counts as done only when its SubmitAck says the jobs are durable.
 * A SubmitAck with an error, or none within the timeout, means the same jobs are sent
 * again (pausing 0.5 s doubling to 5 s) until the give-up time: sending a job twice is
 * harmless, losing one is not. CURVE is used when the broker's key is given; plain
 * connections are refused off this machine unless explicitly allowed. */
#ifndef IG_SUBMIT_H
#define IG_SUBMIT_H

#include <stddef.h>
#include <stdint.h>

typedef struct ig_broker_opts {
    const char *endpoint;       /* ZeroMQ endpoint of the broker */
    const char *curve_key_file; /* this producer's key pair (mixq keygen), or NULL */
    const char *broker_key;     /* the broker's public key: Z85 or a key file; NULL: plain */
    int allow_plain;            /* allow plain mode off loopback */
    int ack_timeout_ms;         /* wait for one SubmitAck before sending again */
    int give_up_s;              /* stop retrying a Submit after this long */
} ig_broker_opts;

/* One job: the track and where its audio is. The job id is "<track_id>:<version>". */
typedef struct ig_job {
    int64_t track_id;
    const char *uri;
} ig_job;

typedef struct ig_submitter ig_submitter;

/* Connects (ZeroMQ connects lazily: an absent broker shows as a timeout later). Returns
 * NULL with a message in err for bad options or keys. */
ig_submitter *ig_submitter_new(const ig_broker_opts *o, char *err, size_t errlen);

/* Submits n jobs for analyser `version` with interactive or bulk priority, blocking until
 * every Submit is acknowledged. *accepted and *refused count the broker's answers.
 * Returns 0, or -1 with a message in err when the broker did not acknowledge in time
 * (some batches may have been accepted: *accepted says how many jobs). */
int ig_submitter_send(ig_submitter *s, const ig_job *jobs, size_t n, const char *version,
                      int interactive, size_t *accepted, size_t *refused, char *err, size_t errlen);

/* Closes the socket and frees s. Accepts NULL. */
void ig_submitter_del(ig_submitter *s);

#endif
