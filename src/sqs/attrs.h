/* attrs.h - a queue's settable attributes: their names, defaults, valid values, and the
 * redrive policy's parts the data plane uses.
 *
 * Values are kept as the strings the client gave (GetQueueAttributes returns them verbatim, and
 * so does sqs.sqlite); the numbers and the dead-letter target are parsed once when set. */
#ifndef KINESD_SQS_ATTRS_H
#define KINESD_SQS_ATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    QA_DELAY_SECONDS,
    QA_MAXIMUM_MESSAGE_SIZE,
    QA_MESSAGE_RETENTION_PERIOD,
    QA_POLICY,
    QA_RECEIVE_MESSAGE_WAIT_TIME_SECONDS,
    QA_VISIBILITY_TIMEOUT,
    QA_REDRIVE_POLICY,
    QA_REDRIVE_ALLOW_POLICY,
    QA_KMS_MASTER_KEY_ID,
    QA_KMS_DATA_KEY_REUSE_PERIOD_SECONDS,
    QA_SQS_MANAGED_SSE_ENABLED,
    QA_COUNT
} queue_attr_id;

typedef struct queue_attrs {
    char *values[QA_COUNT]; /* as set; NULL: the default (or, for policies, none) */
    int delay_s;            /* DelaySeconds */
    int max_message_size;   /* MaximumMessageSize, bytes */
    int retention_s;        /* MessageRetentionPeriod */
    int wait_s;             /* ReceiveMessageWaitTimeSeconds */
    int visibility_s;       /* VisibilityTimeout */
    char *dlq_arn;          /* RedrivePolicy's deadLetterTargetArn; NULL: no redrive */
    int max_receive_count;  /* RedrivePolicy's maxReceiveCount */
} queue_attrs;

#define SQS_MAX_MESSAGE_SIZE 1048576 /* bytes: a message, and a batch's messages together */
#define SQS_MAX_VISIBILITY_S 43200   /* 12 hours */
#define SQS_MAX_DELAY_S 900
#define SQS_MAX_WAIT_S 20

void attrs_init(queue_attrs *a); /* the defaults */
void attrs_free(queue_attrs *a);

/* The attribute named so; -1 when it is not a settable attribute. */
int attrs_find(const char *name);
const char *attrs_name(queue_attr_id id);
/* The value GetQueueAttributes shows (the default when unset); NULL when it shows none. */
const char *attrs_value(const queue_attrs *a, queue_attr_id id);

/* Whether value is valid for the attribute (policies: well-formed JSON of the right shape;
 * the redrive target's existence is the caller's to check). On failure `reason` (when not
 * NULL) gets the reason AWS's InvalidParameterValue message gives for a redrive policy, or is
 * set to "" for the plain "Invalid value for the parameter X." */
bool attrs_check(queue_attr_id id, const char *value, char *reason, size_t reason_len);
/* The dead-letter target ARN and max receive count of a valid RedrivePolicy value. */
bool attrs_redrive_parts(const char *value, char **dlq_arn, int *max_receive_count);
/* Whether a RedriveAllowPolicy value lets source_arn use the queue as its dead-letter queue. */
bool attrs_redrive_allowed(const char *allow_policy, const char *source_arn);

/* Sets an attribute (value copied; NULL or "" unsets a policy); the value must be valid. */
void attrs_set(queue_attrs *a, queue_attr_id id, const char *value);

#endif
