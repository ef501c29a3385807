/* prof.h — optional per-stage timing (thread CPU time) of a forward pass (for `mq_model_bench` and
 * docs/deep.md). A disabled profile costs one branch per stage. */
#ifndef MQ_NN_PROF_H
#define MQ_NN_PROF_H

#include <time.h>

#define MQ_NN_PROF_MAX 16

typedef struct mq_nn_prof {
    int on;                             /* timing enabled */
    int n;                              /* stages used */
    const char *name[MQ_NN_PROF_MAX];   /* stage names (static strings) */
    double sec[MQ_NN_PROF_MAX];         /* accumulated seconds per stage */
    struct timespec t0;
} mq_nn_prof;

static inline void mq_nn_prof_start(mq_nn_prof *p)
{
    if (p && p->on)
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &p->t0);
}

/* Add the time since the last start/mark to stage i (named name) and restart. */
static inline void mq_nn_prof_mark(mq_nn_prof *p, int i, const char *name)
{
    if (!p || !p->on || i < 0 || i >= MQ_NN_PROF_MAX)
        return;
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    p->sec[i] += (double)(t.tv_sec - p->t0.tv_sec) + 1e-9 * (double)(t.tv_nsec - p->t0.tv_nsec);
    p->name[i] = name;
    if (i + 1 > p->n)
        p->n = i + 1;
    p->t0 = t;
}

#endif
