/* meta.h - the queues' metadata in DATA/sqs.sqlite: queues, their attributes and tags, the
 * names deleted in the last minute (QueueDeletedRecently), and the key that authenticates
 * receipt handles.
 *
 * Opened at start-up on the main thread, then used by the service's control thread only. Each
 * API call that changes metadata is one transaction (sqsmeta_begin .. sqsmeta_commit). */
#ifndef KINESD_SQS_META_H
#define KINESD_SQS_META_H

#include <stdbool.h>
#include <stdint.h>

#define RECEIPT_KEY_LEN 32

int sqsmeta_open(const char *data_dir);
void sqsmeta_close(void);

/* The receipt-handle key, created on first use. -1 on error. */
int sqsmeta_receipt_key(unsigned char key[RECEIPT_KEY_LEN]);

typedef struct sqsmeta_queue_row {
    uint64_t uid;
    const char *region, *account, *name;
    int64_t created_ms, modified_ms, last_purge_ms;
} sqsmeta_queue_row;

/* Start-up: every queue, then every attribute and tag (by queue uid). -1 on error. */
int sqsmeta_each_queue(void (*fn)(const sqsmeta_queue_row *row, void *arg), void *arg);
int sqsmeta_each_attr(void (*fn)(uint64_t uid, const char *name, const char *value, void *arg),
                      void *arg);
int sqsmeta_each_tag(void (*fn)(uint64_t uid, const char *key, const char *value, void *arg),
                     void *arg);

int sqsmeta_begin(void);
int sqsmeta_commit(void);
void sqsmeta_rollback(void);

/* Inserts a queue and returns its new uid (never reused) in *uid. */
int sqsmeta_insert_queue(const char *region, const char *account, const char *name, int64_t now_ms,
                         uint64_t *uid);
/* Deletes a queue and remembers its name as deleted at now_ms. */
int sqsmeta_delete_queue(uint64_t uid, const char *region, const char *account, const char *name,
                         int64_t now_ms);
/* Whether the name was deleted after since_ms. */
bool sqsmeta_deleted_since(const char *region, const char *account, const char *name,
                           int64_t since_ms);
int sqsmeta_set_attr(uint64_t uid, const char *name, const char *value); /* NULL deletes */
int sqsmeta_set_tag(uint64_t uid, const char *key, const char *value);   /* NULL deletes */
int sqsmeta_set_times(uint64_t uid, int64_t modified_ms, int64_t last_purge_ms);

#endif
