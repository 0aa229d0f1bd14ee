/* query.c - calls to the query-protocol APIs, IAM and STS: the form body, where it goes, and the
 * XML answer (see kines_call_query in kines.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/uri.h"
#include "error.h"
#include "wire.h"

#define FORM_CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"
#define IAM_SIGNING_REGION "us-east-1" /* IAM is global: AWS signs it for us-east-1 */

static void form_append(kbuf *form, const char *name, const char *value)
{
    if (form->len)
        kbuf_putc(form, '&');
    uri_encode(form, name, strlen(name), false);
    kbuf_putc(form, '=');
    uri_encode(form, value, strlen(value), false);
}

/* AWS's endpoint of the API when the client was given none (its endpoint then is the Kinesis
 * one of its region): NULL to use the client's. */
static char *aws_endpoint(const kines_config *cfg, const char *signing_name)
{
    if (strcmp(cfg->endpoint_source, "region") != 0)
        return NULL;
    kbuf url = KBUF_INIT;
    if (strcmp(signing_name, "iam") == 0)
        kbuf_puts(&url, "https://iam.amazonaws.com");
    else
        kbuf_printf(&url, "https://%s.%s.amazonaws.com", signing_name, cfg->region);
    return kbuf_detach(&url);
}

int kines_call_query(kines_client *c, const char *signing_name, const char *version,
                     const char *operation, const kines_param *params, size_t param_count,
                     char **response_xml, kines_error *err)
{
    kines_error_clear(err);
    kbuf form = KBUF_INIT, response = KBUF_INIT;
    form_append(&form, "Action", operation);
    form_append(&form, "Version", version);
    for (size_t i = 0; i < param_count; i++)
        form_append(&form, params[i].name, params[i].value);
    client_wire w = {.signing_name = signing_name, .content_type = FORM_CONTENT_TYPE};
    if (strcmp(signing_name, "iam") == 0)
        w.region = IAM_SIGNING_REGION;
    char *url = aws_endpoint(kines_client_config(c), signing_name), *host = NULL, *path = NULL;
    int rc = url ? client_split_endpoint(url, &host, &path, err) : 0;
    w.url = url;
    w.host = host;
    w.path = path;
    if (rc == 0)
        rc = client_send(c, &w, form.data, &response, err);
    if (rc == 0 && response_xml)
        *response_xml = kbuf_detach(&response);
    kbuf_free(&response);
    kbuf_free(&form);
    free(url);
    free(host);
    free(path);
    return rc;
}
