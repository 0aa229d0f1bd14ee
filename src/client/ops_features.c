/* ops_features.c - stream features: enhanced monitoring, KMS encryption, the maximum record size
 * and warm throughput. */
#include <string.h>

#include "json.h"
#include "kines/kines.h"
#include "mem.h"
#include "ops_shapes.h"

static int monitoring_call(kines_client *c, const char *operation, const kines_stream_ref *stream,
                           const char *const *metrics, size_t count, kines_monitoring *out,
                           kines_error *err)
{
    json_object *req = request_for_stream(stream);
    json_object_object_add(req, "ShardLevelMetrics", json_string_array(metrics, count));
    return call_and_read(c, operation, req, read_monitoring, out, sizeof *out, err);
}

int kines_enable_enhanced_monitoring(kines_client *c, const kines_stream_ref *stream,
                                     const char *const *metrics, size_t count,
                                     kines_monitoring *out, kines_error *err)
{
    return monitoring_call(c, "EnableEnhancedMonitoring", stream, metrics, count, out, err);
}

int kines_disable_enhanced_monitoring(kines_client *c, const kines_stream_ref *stream,
                                      const char *const *metrics, size_t count,
                                      kines_monitoring *out, kines_error *err)
{
    return monitoring_call(c, "DisableEnhancedMonitoring", stream, metrics, count, out, err);
}

void kines_monitoring_free(kines_monitoring *m)
{
    kines_mem_free(m->mem);
    memset(m, 0, sizeof *m);
}

static int encryption_call(kines_client *c, const char *operation, const kines_stream_ref *stream,
                           const char *key_id, kines_error *err)
{
    json_object *req = request_for_stream(stream);
    json_add_str(req, "EncryptionType", "KMS");
    json_add_str(req, "KeyId", key_id);
    return json_call(c, operation, req, NULL, err);
}

int kines_start_stream_encryption(kines_client *c, const kines_stream_ref *stream,
                                  const char *key_id, kines_error *err)
{
    return encryption_call(c, "StartStreamEncryption", stream, key_id, err);
}

int kines_stop_stream_encryption(kines_client *c, const kines_stream_ref *stream,
                                 const char *key_id, kines_error *err)
{
    return encryption_call(c, "StopStreamEncryption", stream, key_id, err);
}

int kines_update_max_record_size(kines_client *c, const char *stream_arn, int kib, kines_error *err)
{
    json_object *req = request_for_stream(&(kines_stream_ref){.arn = stream_arn});
    json_add_int(req, "MaxRecordSizeInKiB", kib);
    return json_call(c, "UpdateMaxRecordSize", req, NULL, err);
}

int kines_update_stream_warm_throughput(kines_client *c, const kines_stream_ref *stream, int mibps,
                                        kines_warm_throughput *out, kines_error *err)
{
    json_object *req = request_for_stream(stream);
    json_add_int(req, "WarmThroughputMiBps", mibps);
    return call_and_read(c, "UpdateStreamWarmThroughput", req, read_warm_throughput, out,
                         sizeof *out, err);
}

void kines_warm_throughput_free(kines_warm_throughput *w)
{
    kines_mem_free(w->mem);
    memset(w, 0, sizeof *w);
}
