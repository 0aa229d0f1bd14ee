/* test_kinesis_consumers.c - stream consumers, account settings and warm throughput, called as
 * the dispatcher calls them: a JSON body decoded against the model, the handler from op_lookup,
 * the output written as JSON and read back with json-c. Each test gets a fresh data directory;
 * status transitions are driven by registry_tick with a made-up clock. */
#include "kinesis_fixture.h"
#include "kinesis_ops_fixture.h"
#include "kinesis/consumer.h"

#define STREAM_ARN(name) "arn:aws:kinesis:us-east-1:123456789012:stream/" name

static void done(json_object *o)
{
    json_object_put(o);
}

static void create(const char *name)
{
    done(ok("CreateStream", "{\"StreamName\":\"%s\",\"ShardCount\":1}", name));
}

/* Registers a consumer and returns its ARN (static storage). */
static const char *reg(const char *stream, const char *name)
{
    static char arn[512];
    json_object *o =
        ok("RegisterStreamConsumer",
           "{\"StreamARN\":\"" STREAM_ARN("%s") "\",\"ConsumerName\":\"%s\"}", stream, name);
    snprintf(arn, sizeof(arn), "%s", str_at(o, "Consumer.ConsumerARN"));
    done(o);
    return arn;
}

static const char *status_of(const char *arn)
{
    static char status[16];
    json_object *o = ok("DescribeStreamConsumer", "{\"ConsumerARN\":\"%s\"}", arn);
    snprintf(status, sizeof(status), "%s", str_at(o, "ConsumerDescription.ConsumerStatus"));
    done(o);
    return status;
}

static int64_t consumer_count(const char *stream)
{
    json_object *o = ok("DescribeStreamSummary", "{\"StreamName\":\"%s\"}", stream);
    int64_t n = int_at(o, "StreamDescriptionSummary.ConsumerCount");
    done(o);
    return n;
}

/* Moves the clock past the transition delay and lets the registry apply it. */
static void pass_transition(void)
{
    now_ms += kinesd_cfg.transition_ms + 1;
    registry_tick(now_ms);
}

/* ---- register, describe, deregister -------------------------------------------------------- */

static void test_register_describe(void **state)
{
    (void)state;
    create("s1");
    json_object *o = ok("RegisterStreamConsumer",
                        "{\"StreamARN\":\"" STREAM_ARN("s1") "\",\"ConsumerName\":\"c1\"}");
    char want_arn[256];
    snprintf(want_arn, sizeof(want_arn), STREAM_ARN("s1") "/consumer/c1:%lld",
             (long long)(now_ms / 1000));
    assert_string_equal(str_at(o, "Consumer.ConsumerName"), "c1");
    assert_string_equal(str_at(o, "Consumer.ConsumerARN"), want_arn);
    assert_string_equal(str_at(o, "Consumer.ConsumerStatus"), "ACTIVE");
    assert_non_null(at(o, "Consumer.ConsumerCreationTimestamp"));
    assert_null(at(o, "Consumer.StreamARN"));
    done(o);

    o = ok("DescribeStreamConsumer", "{\"ConsumerARN\":\"%s\"}", want_arn);
    assert_string_equal(str_at(o, "ConsumerDescription.ConsumerName"), "c1");
    assert_string_equal(str_at(o, "ConsumerDescription.ConsumerARN"), want_arn);
    assert_string_equal(str_at(o, "ConsumerDescription.StreamARN"), STREAM_ARN("s1"));
    assert_string_equal(str_at(o, "ConsumerDescription.ConsumerStatus"), "ACTIVE");
    done(o);
    o = ok("DescribeStreamConsumer",
           "{\"StreamARN\":\"" STREAM_ARN("s1") "\",\"ConsumerName\":\"c1\"}");
    assert_string_equal(str_at(o, "ConsumerDescription.ConsumerARN"), want_arn);
    done(o);
    o = ok(
        "DescribeStreamConsumer",
        "{\"StreamARN\":\"" STREAM_ARN("s1") "\",\"ConsumerName\":\"c1\",\"ConsumerARN\":\"%s\"}",
        want_arn);
    done(o);
    assert_int_equal(consumer_count("s1"), 1);

    done(ok("DeregisterStreamConsumer", "{\"ConsumerARN\":\"%s\"}", want_arn));
    assert_int_equal(consumer_count("s1"), 0);
    fails_with("ResourceNotFoundException",
               "Consumer c1 under stream s1 and account " ACCOUNT " not found.",
               "DescribeStreamConsumer",
               "{\"StreamARN\":\"" STREAM_ARN("s1") "\",\"ConsumerName\":\"c1\"}");
}

static void test_register_errors(void **state)
{
    (void)state;
    create("s1");
    fails_with("ResourceNotFoundException", "Stream nope under account " ACCOUNT " not found.",
               "RegisterStreamConsumer",
               "{\"StreamARN\":\"" STREAM_ARN("nope") "\",\"ConsumerName\":\"c\"}");
    fails_with("AccessDeniedException",
               "User: arn:aws:iam::" ACCOUNT ":root is not authorized to access resource: "
               "arn:aws:kinesis:us-east-1:999999999999:stream/s1",
               "RegisterStreamConsumer",
               "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:999999999999:stream/s1\","
               "\"ConsumerName\":\"c\"}");
    reg("s1", "dup");
    fails_with("ResourceInUseException",
               "Consumer dup under stream s1 and account " ACCOUNT " already exists.",
               "RegisterStreamConsumer",
               "{\"StreamARN\":\"" STREAM_ARN("s1") "\",\"ConsumerName\":\"dup\"}");
    assert_int_equal(consumer_count("s1"), 1);
}

static void test_lookup_errors(void **state)
{
    (void)state;
    create("s1");
    create("s2");
    const char *arn = reg("s1", "c1");
    char arn1[512];
    snprintf(arn1, sizeof(arn1), "%s", arn);
    const char *neither = "Either ConsumerARN or both ConsumerName and StreamARN must be provided.";
    fails_with("InvalidArgumentException", neither, "DescribeStreamConsumer", "{}");
    fails_with("InvalidArgumentException", neither, "DescribeStreamConsumer",
               "{\"ConsumerName\":\"c1\"}");
    fails_with("InvalidArgumentException", neither, "DeregisterStreamConsumer",
               "{\"StreamARN\":\"" STREAM_ARN("s1") "\"}");
    char body[1024], message[1024];
    snprintf(body, sizeof(body), "{\"ConsumerARN\":\"%s\",\"ConsumerName\":\"other\"}", arn1);
    snprintf(message, sizeof(message),
             "ConsumerARN %s does not match the given StreamARN and ConsumerName.", arn1);
    fails_with("InvalidArgumentException", message, "DescribeStreamConsumer", body);
    snprintf(body, sizeof(body), "{\"ConsumerARN\":\"%s\",\"StreamARN\":\"" STREAM_ARN("s2") "\"}",
             arn1);
    fails_with("InvalidArgumentException", message, "DeregisterStreamConsumer", body);
    const char *unknown = STREAM_ARN("s1") "/consumer/c1:1";
    snprintf(body, sizeof(body), "{\"ConsumerARN\":\"%s\"}", unknown);
    snprintf(message, sizeof(message), "Consumer %s not found.", unknown);
    fails_with("ResourceNotFoundException", message, "DescribeStreamConsumer", body);
    fails_with("ResourceNotFoundException", message, "DeregisterStreamConsumer", body);
    fails_with("ResourceNotFoundException",
               "Consumer c1 under stream s2 and account " ACCOUNT " not found.",
               "DeregisterStreamConsumer",
               "{\"StreamARN\":\"" STREAM_ARN("s2") "\",\"ConsumerName\":\"c1\"}");
    assert_string_equal(status_of(arn1), "ACTIVE");
}

/* ---- limits -------------------------------------------------------------------------------- */

static void test_limits(void **state)
{
    (void)state;
    kinesd_cfg.transition_ms = 100;
    create("s1");
    pass_transition();
    char name[16];
    for (int i = 0; i < CONSUMERS_CREATING_MAX; i++) {
        snprintf(name, sizeof(name), "c%02d", i);
        reg("s1", name);
    }
    fails_with("LimitExceededException",
               "Stream s1 under account " ACCOUNT
               " already has 5 consumers in CREATING status; try "
               "again when one of them is ACTIVE.",
               "RegisterStreamConsumer",
               "{\"StreamARN\":\"" STREAM_ARN("s1") "\",\"ConsumerName\":\"late\"}");
    for (int i = CONSUMERS_CREATING_MAX; i < CONSUMERS_PER_STREAM; i++) {
        if (i % CONSUMERS_CREATING_MAX == 0)
            pass_transition();
        snprintf(name, sizeof(name), "c%02d", i);
        reg("s1", name);
    }
    pass_transition();
    fails_with("LimitExceededException",
               "Stream s1 under account " ACCOUNT " already has the maximum number of 20 consumers "
               "registered.",
               "RegisterStreamConsumer",
               "{\"StreamARN\":\"" STREAM_ARN("s1") "\",\"ConsumerName\":\"late\"}");
    assert_int_equal(consumer_count("s1"), CONSUMERS_PER_STREAM);
    /* the limit is per stream */
    create("s2");
    pass_transition();
    reg("s2", "c00");
}

/* ---- listing ------------------------------------------------------------------------------- */

static void test_list_paging(void **state)
{
    (void)state;
    create("s1");
    const char *names[] = {"e", "a", "d", "b", "c"};
    for (size_t i = 0; i < 5; i++)
        reg("s1", names[i]);
    json_object *o = ok("ListStreamConsumers", "{\"StreamARN\":\"" STREAM_ARN("s1") "\"}");
    assert_int_equal(json_object_array_length(at(o, "Consumers")), 5);
    assert_string_equal(str_at(o, "Consumers.0.ConsumerName"), "a");
    assert_string_equal(str_at(o, "Consumers.4.ConsumerName"), "e");
    assert_string_equal(str_at(o, "Consumers.0.ConsumerStatus"), "ACTIVE");
    assert_null(at(o, "NextToken"));
    assert_null(at(o, "Consumers.0.StreamARN"));
    done(o);

    char seen[8] = "";
    char token[1024] = "";
    do {
        if (token[0])
            o = ok("ListStreamConsumers",
                   "{\"StreamARN\":\"" STREAM_ARN("s1") "\",\"MaxResults\":2,\"NextToken\":\"%s\"}",
                   token);
        else
            o = ok("ListStreamConsumers",
                   "{\"StreamARN\":\"" STREAM_ARN("s1") "\",\"MaxResults\":2}");
        size_t n = json_object_array_length(at(o, "Consumers"));
        assert_true(n <= 2);
        for (size_t i = 0; i < n; i++)
            strncat(seen,
                    json_object_get_string(
                        at(json_object_array_get_idx(at(o, "Consumers"), i), "ConsumerName")),
                    1);
        const char *next = str_at(o, "NextToken");
        snprintf(token, sizeof(token), "%s", next ? next : "");
        done(o);
    } while (token[0]);
    assert_string_equal(seen, "abcde");
}

static void test_list_errors(void **state)
{
    (void)state;
    create("s1");
    create("s2");
    reg("s1", "a");
    reg("s1", "b");
    json_object *o =
        ok("ListStreamConsumers", "{\"StreamARN\":\"" STREAM_ARN("s1") "\",\"MaxResults\":1}");
    char token[1024];
    snprintf(token, sizeof(token), "%s", str_at(o, "NextToken"));
    done(o);
    char body[2048], message[1200];
    snprintf(body, sizeof(body), "{\"StreamARN\":\"" STREAM_ARN("s2") "\",\"NextToken\":\"%s\"}",
             token);
    snprintf(message, sizeof(message), "Invalid NextToken: %s", token);
    fails_with("InvalidArgumentException", message, "ListStreamConsumers", body);
    fails_with("InvalidArgumentException", "Invalid NextToken: bogus", "ListStreamConsumers",
               "{\"StreamARN\":\"" STREAM_ARN("s1") "\",\"NextToken\":\"bogus\"}");
    snprintf(body, sizeof(body),
             "{\"StreamARN\":\"" STREAM_ARN("s1") "\",\"NextToken\":\"%s\","
                                                  "\"StreamCreationTimestamp\":1}",
             token);
    fails_with("InvalidArgumentException",
               "NextToken and StreamCreationTimestamp cannot be provided together.",
               "ListStreamConsumers", body);
    now_ms += 301 * 1000;
    snprintf(body, sizeof(body), "{\"StreamARN\":\"" STREAM_ARN("s1") "\",\"NextToken\":\"%s\"}",
             token);
    fails_with("ExpiredNextTokenException", "The NextToken has expired.", "ListStreamConsumers",
               body);
    fails_with("ResourceNotFoundException", "Stream s1 under account " ACCOUNT " not found.",
               "ListStreamConsumers",
               "{\"StreamARN\":\"" STREAM_ARN("s1") "\",\"StreamCreationTimestamp\":1000}");
    fails_with("ResourceNotFoundException", "Stream s9 under account " ACCOUNT " not found.",
               "ListStreamConsumers", "{\"StreamARN\":\"" STREAM_ARN("s9") "\"}");
}

static void test_list_by_creation_time(void **state)
{
    (void)state;
    create("s1");
    reg("s1", "a");
    json_object *o = ok("DescribeStreamSummary", "{\"StreamName\":\"s1\"}");
    double created =
        json_object_get_double(at(o, "StreamDescriptionSummary.StreamCreationTimestamp"));
    done(o);
    o = ok("ListStreamConsumers",
           "{\"StreamARN\":\"" STREAM_ARN("s1") "\",\"StreamCreationTimestamp\":%.3f}", created);
    assert_int_equal(json_object_array_length(at(o, "Consumers")), 1);
    done(o);
}

/* ---- transitions and persistence ----------------------------------------------------------- */

static void test_transitions_and_restart(void **state)
{
    (void)state;
    kinesd_cfg.transition_ms = 100;
    create("s1");
    fails_with("ResourceInUseException",
               "Stream s1 under account " ACCOUNT " not ACTIVE, instead in state CREATING",
               "RegisterStreamConsumer",
               "{\"StreamARN\":\"" STREAM_ARN("s1") "\",\"ConsumerName\":\"c\"}");
    pass_transition();
    char arn[512];
    snprintf(arn, sizeof(arn), "%s", reg("s1", "c"));
    assert_string_equal(status_of(arn), "CREATING");
    consumer *c = consumer_find_arn(arn);
    assert_non_null(c);
    aws_error err;
    aws_error_init(&err);
    assert_false(consumer_require_active(c, "s1", ACCOUNT, &err));
    assert_string_equal(err.type, "ResourceInUseException");
    aws_error_free(&err);
    pass_transition();
    assert_string_equal(status_of(arn), "ACTIVE");

    close_registry();
    open_registry();
    assert_string_equal(status_of(arn), "ACTIVE");
    done(ok("DeregisterStreamConsumer", "{\"ConsumerARN\":\"%s\"}", arn));
    assert_string_equal(status_of(arn), "DELETING");
    char message[700];
    snprintf(message, sizeof(message), "Consumer c under stream s1 and account %s not found.",
             ACCOUNT);
    char body[700];
    snprintf(body, sizeof(body), "{\"ConsumerARN\":\"%s\"}", arn);
    fails_with("ResourceNotFoundException", message, "DeregisterStreamConsumer", body);
    close_registry();
    open_registry();
    assert_string_equal(status_of(arn), "DELETING");
    pass_transition();
    snprintf(message, sizeof(message), "Consumer %s not found.", arn);
    fails_with("ResourceNotFoundException", message, "DescribeStreamConsumer", body);
    close_registry();
    open_registry();
    assert_int_equal(consumer_count("s1"), 0);
}

/* ---- DeleteStream -------------------------------------------------------------------------- */

static void test_delete_stream(void **state)
{
    (void)state;
    kinesd_cfg.transition_ms = 100;
    create("s1");
    pass_transition();
    char arn[512];
    snprintf(arn, sizeof(arn), "%s", reg("s1", "c"));
    const char *in_use = "DeleteStream can't delete " STREAM_ARN(
        "s1") " because there are consumers associated "
              "with this data stream. To delete s1 anyway, set the EnforceConsumerDeletion "
              "parameter "
              "to true to force the deletion of all the consumers that are associated with it.";
    pass_transition();
    fails_with("ResourceInUseException", in_use, "DeleteStream", "{\"StreamName\":\"s1\"}");
    fails_with("ResourceInUseException", in_use, "DeleteStream",
               "{\"StreamName\":\"s1\",\"EnforceConsumerDeletion\":false}");
    assert_string_equal(status_of(arn), "ACTIVE");
    done(ok("DeleteStream", "{\"StreamName\":\"s1\",\"EnforceConsumerDeletion\":true}"));
    assert_string_equal(status_of(arn), "DELETING");
    pass_transition();
    assert_null(consumer_find_arn(arn));

    /* a stream recreated under the same name has no consumers */
    create("s1");
    pass_transition();
    assert_int_equal(consumer_count("s1"), 0);
    close_registry();
    open_registry();
    assert_int_equal(consumer_count("s1"), 0);
    reg("s1", "c");
    kinesd_cfg.transition_ms = 0;
    done(ok("DeleteStream", "{\"StreamName\":\"s1\",\"EnforceConsumerDeletion\":true}"));
    close_registry();
    open_registry();
    create("s1");
    assert_int_equal(consumer_count("s1"), 0);
}

/* ---- account settings and warm throughput -------------------------------------------------- */

static void test_account_settings(void **state)
{
    (void)state;
    json_object *o = ok("DescribeAccountSettings", "{}");
    assert_string_equal(str_at(o, "MinimumThroughputBillingCommitment.Status"), "DISABLED");
    assert_null(at(o, "MinimumThroughputBillingCommitment.StartedAt"));
    done(o);
    int64_t started = now_ms;
    o = ok("UpdateAccountSettings", "{\"MinimumThroughputBillingCommitment\":{\"Status\":"
                                    "\"ENABLED\"}}");
    assert_string_equal(str_at(o, "MinimumThroughputBillingCommitment.Status"), "ENABLED");
    assert_int_equal(int_at(o, "MinimumThroughputBillingCommitment.StartedAt"), started / 1000);
    assert_int_equal(int_at(o, "MinimumThroughputBillingCommitment.EarliestAllowedEndAt"),
                     (started + 24 * 3600 * 1000LL) / 1000);
    done(o);
    now_ms += 3600 * 1000;
    o = ok("UpdateAccountSettings", "{\"MinimumThroughputBillingCommitment\":{\"Status\":"
                                    "\"DISABLED\"}}");
    assert_string_equal(str_at(o, "MinimumThroughputBillingCommitment.Status"),
                        "ENABLED_UNTIL_EARLIEST_ALLOWED_END");
    done(o);
    close_registry();
    open_registry();
    o = ok("DescribeAccountSettings", "{}");
    assert_string_equal(str_at(o, "MinimumThroughputBillingCommitment.Status"),
                        "ENABLED_UNTIL_EARLIEST_ALLOWED_END");
    done(o);
    now_ms += 24 * 3600 * 1000;
    o = ok("DescribeAccountSettings", "{}");
    assert_string_equal(str_at(o, "MinimumThroughputBillingCommitment.Status"), "DISABLED");
    assert_int_equal(int_at(o, "MinimumThroughputBillingCommitment.EndedAt"),
                     (started + 24 * 3600 * 1000LL) / 1000);
    assert_null(at(o, "MinimumThroughputBillingCommitment.EarliestAllowedEndAt"));
    done(o);
}

/* A stream CreateStream refused must not exist. */
static void assert_no_stream(const char *name)
{
    char body[256], message[256];
    snprintf(body, sizeof(body), "{\"StreamName\":\"%s\"}", name);
    snprintf(message, sizeof(message), "Stream %s under account %s not found.", name, ACCOUNT);
    fails_with("ResourceNotFoundException", message, "DescribeStreamSummary", body);
}

static void test_create_with_warm_throughput(void **state)
{
    (void)state;
    const char *on_demand = "{\"StreamName\":\"od\",\"WarmThroughputMiBps\":50,"
                            "\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"}}";
    fails_with("ValidationException",
               "CreateStream requires MinimumThroughputBillingCommitment to be enabled for "
               "account " ACCOUNT ".",
               "CreateStream", on_demand);
    assert_no_stream("od");
    done(ok("UpdateAccountSettings", "{\"MinimumThroughputBillingCommitment\":{\"Status\":"
                                     "\"ENABLED\"}}"));
    fails_with("ValidationException",
               "CreateStream is not supported for stream prov under account " ACCOUNT
               " because it is in PROVISIONED capacity mode.",
               "CreateStream",
               "{\"StreamName\":\"prov\",\"ShardCount\":1,\"WarmThroughputMiBps\":5}");
    assert_no_stream("prov");
    fails_with("LimitExceededException",
               "Requested warm throughput of 20000 MiBps for stream big under account " ACCOUNT
               " exceeds the limit of 10240 MiBps.",
               "CreateStream",
               "{\"StreamName\":\"big\",\"WarmThroughputMiBps\":20000,"
               "\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"}}");
    assert_no_stream("big");
    kinesd_cfg.transition_ms = 100;
    done(ok("CreateStream", "%s", on_demand));
    json_object *o = ok("DescribeStreamSummary", "{\"StreamName\":\"od\"}");
    assert_int_equal(int_at(o, "StreamDescriptionSummary.WarmThroughput.TargetMiBps"), 50);
    assert_int_equal(int_at(o, "StreamDescriptionSummary.WarmThroughput.CurrentMiBps"), 0);
    done(o);
    pass_transition();
    o = ok("DescribeStreamSummary", "{\"StreamName\":\"od\"}");
    assert_int_equal(int_at(o, "StreamDescriptionSummary.WarmThroughput.CurrentMiBps"), 50);
    done(o);
}

static void test_warm_throughput(void **state)
{
    (void)state;
    create("prov");
    done(ok("CreateStream",
            "{\"StreamName\":\"od\",\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"}}"));
    fails_with(
        "ValidationException",
        "UpdateStreamWarmThroughput requires MinimumThroughputBillingCommitment to be enabled "
        "for account " ACCOUNT ".",
        "UpdateStreamWarmThroughput", "{\"StreamName\":\"od\",\"WarmThroughputMiBps\":100}");
    done(ok("UpdateAccountSettings", "{\"MinimumThroughputBillingCommitment\":{\"Status\":"
                                     "\"ENABLED\"}}"));
    fails_with("ValidationException",
               "UpdateStreamWarmThroughput is not supported for stream prov under account " ACCOUNT
               " because it is in PROVISIONED capacity mode.",
               "UpdateStreamWarmThroughput",
               "{\"StreamName\":\"prov\",\"WarmThroughputMiBps\":100}");
    fails_with("LimitExceededException",
               "Requested warm throughput of 10241 MiBps for stream od under account " ACCOUNT
               " exceeds the limit of 10240 MiBps.",
               "UpdateStreamWarmThroughput",
               "{\"StreamName\":\"od\",\"WarmThroughputMiBps\":10241}");
    json_object *o = ok("DescribeStreamSummary", "{\"StreamName\":\"od\"}");
    assert_null(at(o, "StreamDescriptionSummary.WarmThroughput"));
    done(o);

    kinesd_cfg.transition_ms = 100;
    o = ok("UpdateStreamWarmThroughput", "{\"StreamName\":\"od\",\"WarmThroughputMiBps\":200}");
    assert_string_equal(str_at(o, "StreamName"), "od");
    assert_string_equal(str_at(o, "StreamARN"), STREAM_ARN("od"));
    assert_int_equal(int_at(o, "WarmThroughput.TargetMiBps"), 200);
    assert_int_equal(int_at(o, "WarmThroughput.CurrentMiBps"), 0);
    done(o);
    fails_with("ResourceInUseException",
               "Stream od under account " ACCOUNT " not ACTIVE, instead in state UPDATING",
               "UpdateStreamWarmThroughput", "{\"StreamName\":\"od\",\"WarmThroughputMiBps\":300}");
    pass_transition();
    close_registry();
    open_registry();
    o = ok("DescribeStreamSummary", "{\"StreamName\":\"od\"}");
    assert_string_equal(str_at(o, "StreamDescriptionSummary.StreamStatus"), "ACTIVE");
    assert_int_equal(int_at(o, "StreamDescriptionSummary.WarmThroughput.TargetMiBps"), 200);
    assert_int_equal(int_at(o, "StreamDescriptionSummary.WarmThroughput.CurrentMiBps"), 200);
    done(o);
}

int main(void)
{
    if (!model_get(MODEL_KINESIS))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_register_describe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_by_creation_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transitions_and_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_account_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_with_warm_throughput, setup, teardown),
        cmocka_unit_test_setup_teardown(test_warm_throughput, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    model_unload();
    return failed;
}
