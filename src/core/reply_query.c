/* reply_query.c - how the query protocols (IAM, STS, SQS, CloudWatch) answer (see
 * core_internal.h): XML, the handler's output inside <OperationResult> inside
 * <OperationResponse xmlns="the model's namespace">, followed by <ResponseMetadata> with the
 * request id; errors as <ErrorResponse><Error><Type>Sender|Receiver</Type><Code>..</Code>
 * <Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse>.
 *
 * The core raises its own errors (signature, authorization, validation) with the JSON protocols'
 * types; the query protocols name them differently, and answer some with another status. */
#include <string.h>

#include "core_internal.h"

/* The query protocols' code (and status) of an error the core raised. */
static const struct {
    const char *type;
    const char *code;
    int status;
} query_codes[] = {
    {"UnrecognizedClientException", "InvalidClientTokenId", 403},
    {"InvalidSignatureException", "SignatureDoesNotMatch", 403},
    {"ExpiredTokenException", "ExpiredToken", 403},
    {"AccessDeniedException", "AccessDenied", 403},
    {"MissingAuthenticationTokenException", "MissingAuthenticationToken", 403},
    {"IncompleteSignatureException", "IncompleteSignature", 400},
    {"ValidationException", "ValidationError", 400},
    {"UnknownOperationException", "InvalidAction", 400},
    {"InternalFailure", "ServiceFailure", 500},
};

static void restate(aws_error *err)
{
    for (size_t i = 0; i < sizeof query_codes / sizeof query_codes[0]; i++) {
        if (strcmp(err->type, query_codes[i].type) == 0) {
            err->type = query_codes[i].code;
            err->status = query_codes[i].status;
            return;
        }
    }
}

static const char *xml_namespace(const op_call *call)
{
    const char *ns = call->service ? model_xml_namespace(call->service->schema) : NULL;
    return ns ? ns : "";
}

static void query_write_error(op_call *call, kbuf *body, aws_error *err, const char *request_id)
{
    restate(err);
    kbuf_reset(body);
    kbuf_printf(body, "<ErrorResponse xmlns=\"%s\"><Error><Type>%s</Type><Code>%s</Code>",
                xml_namespace(call), err->status >= 500 ? "Receiver" : "Sender", err->type);
    kbuf_puts(body, "<Message>");
    enc_xml_escape(body, err->message.data ? err->message.data : "", err->message.len);
    kbuf_printf(body, "</Message></Error><RequestId>%s</RequestId></ErrorResponse>", request_id);
}

static void query_finish_body(op_call *call, kbuf *body, const char *request_id)
{
    const model_op *op = model_find_op(call->service->schema, call->operation);
    const char *wrapper = op ? model_op_result_wrapper(op) : NULL;
    kbuf out = KBUF_INIT;
    kbuf_printf(&out, "<%sResponse xmlns=\"%s\">", call->operation, xml_namespace(call));
    if (wrapper) {
        kbuf_printf(&out, "<%s>", wrapper);
        kbuf_append(&out, body->data ? body->data : "", body->len);
        kbuf_printf(&out, "</%s>", wrapper);
    }
    kbuf_printf(&out, "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>",
                request_id, call->operation);
    kbuf_free(body);
    *body = out;
}

const reply_format reply_query = {"Content-Type: text/xml", NULL, ENC_XML,
                                  .write_error = query_write_error,
                                  .finish_body = query_finish_body};
