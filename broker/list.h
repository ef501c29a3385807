/* list.h -- intrusive doubly linked lists with a count (header only).
 *
 * A struct that can be on a list embeds an mq_link; MQ_CONTAINER gets the struct back
 * from its link. A link is on at most one list at a time. */
#ifndef MQ_BROKER_LIST_H
#define MQ_BROKER_LIST_H

#include <stddef.h>

typedef struct mq_link {
    struct mq_link *prev, *next;
} mq_link;

typedef struct mq_list {
    mq_link head; /* sentinel: head.next is the first element */
    size_t n;
} mq_list;

#define MQ_CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* Makes l empty. */
static inline void mq_list_init(mq_list *l) {
    l->head.prev = l->head.next = &l->head;
    l->n = 0;
}

/* Appends k at the tail. */
static inline void mq_list_push_back(mq_list *l, mq_link *k) {
    k->prev = l->head.prev;
    k->next = &l->head;
    l->head.prev->next = k;
    l->head.prev = k;
    l->n++;
}

/* Inserts k at the head. */
static inline void mq_list_push_front(mq_list *l, mq_link *k) {
    k->next = l->head.next;
    k->prev = &l->head;
    l->head.next->prev = k;
    l->head.next = k;
    l->n++;
}

/* Unlinks k from l (k must be on l). */
static inline void mq_list_remove(mq_list *l, mq_link *k) {
    k->prev->next = k->next;
    k->next->prev = k->prev;
    k->prev = k->next = NULL;
    l->n--;
}

/* The first link, or NULL when l is empty. */
static inline mq_link *mq_list_first(const mq_list *l) { return l->n ? l->head.next : NULL; }

/* The link after k on l, or NULL at the end. */
static inline mq_link *mq_list_next(const mq_list *l, const mq_link *k) {
    return k->next == &l->head ? NULL : k->next;
}

#endif
