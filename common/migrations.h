/* migrations.h -- the SQL migrations of db/, embedded at build time (mk/embed-sql). */
#ifndef MQ_MIGRATIONS_H
#define MQ_MIGRATIONS_H

typedef struct mq_migration {
    int version;      /* the number in the file name, e.g. 1 for 001_init.sql */
    const char *name; /* the file name without .sql */
    const char *sql;  /* its text */
} mq_migration;

extern const mq_migration mq_migrations[]; /* in ascending version order */
extern const int mq_migrations_count;

#endif
