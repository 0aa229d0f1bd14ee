/* client_fixture.h - what the libkines producer unit tests share: a producer on stream "s" of a
 * loopback endpoint, with dummy credentials and one attempt per call. Include after cmocka.h. */
#ifndef TESTS_CLIENT_FIXTURE_H
#define TESTS_CLIENT_FIXTURE_H

#include "kines/producer.h"

/* Fails the test when the producer cannot be made. */
static kines_producer *fixture_producer(const char *url, const kines_producer_options *o)
{
    kines_options client = {.endpoint_url = url,
                            .region = "us-east-1",
                            .access_key_id = "AKID",
                            .secret_access_key = "secret",
                            .max_attempts = 1};
    kines_error err;
    kines_producer *p = kines_producer_new(&client, "s", o, &err);
    assert_non_null(p);
    return p;
}

#endif
