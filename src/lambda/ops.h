/* ops.h - the Lambda operations kinesd serves, and what they share.
 *
 *   ops_functions.c  create, read, list, update, publish and delete functions (control thread,
 *                    reads on loop threads)
 *   ops_settings.c   reserved concurrency and event invoke configurations
 *   ops_invoke.c     Invoke: synchronous (deferred until the environment answers), Event
 *                    (queued durably), DryRun */
#ifndef KINESD_LAMBDA_OPS_H
#define KINESD_LAMBDA_OPS_H

#include "../core/call.h"
#include "function.h"

/* The function the input's FunctionName (and Qualifier) names; false with err set. */
bool ops_ref(op_call *call, fn_ref *ref);
/* ResourceConflictException while $LATEST's update is in progress; false then. */
bool ops_not_updating(op_call *call, const fn_version *latest);
/* A Marker/MaxItems page: the first index and how many (MaxItems, else default_max). */
void ops_page(op_call *call, int default_max, int *first, int *max);
/* NextMarker after a page of `written` items from `first` on, when the page is full. */
void ops_next_marker(kenc *e, int first, int written, int max);

void op_create_function(op_call *call);
void op_get_function(op_call *call);
void op_get_function_configuration(op_call *call);
void op_list_functions(op_call *call);
void op_list_versions(op_call *call);
void op_update_function_code(op_call *call);
void op_update_function_configuration(op_call *call);
void op_publish_version(op_call *call);
void op_delete_function(op_call *call);

void op_put_concurrency(op_call *call);
void op_get_concurrency(op_call *call);
void op_delete_concurrency(op_call *call);
void op_put_event_invoke_config(op_call *call);
void op_update_event_invoke_config(op_call *call);
void op_get_event_invoke_config(op_call *call);
void op_delete_event_invoke_config(op_call *call);

void op_invoke(op_call *call);

#endif
