/* stream_output.h - how the stream operations write what they describe: a Shard structure, the
 * StreamModeDetails and EnhancedMonitoring members, metric name lists, an empty output. Called
 * with the registry lock held. */
#ifndef KINESD_STREAM_OUTPUT_H
#define KINESD_STREAM_OUTPUT_H

#include "../protocol/encoder.h"
#include "../protocol/value.h"
#include "registry.h"

/* The Shard structure. */
void write_shard(kenc *e, const stream *s, const shard *sh);
/* "StreamModeDetails": {"StreamMode": ...} as a key and its value. */
void write_mode_details(kenc *e, const stream *s);
/* "EnhancedMonitoring": [{"ShardLevelMetrics": [...]}] as a key and its value. */
void write_enhanced_monitoring(kenc *e, const stream *s);
/* A list of the shard-level metric names whose bits are set. */
void write_metric_names(kenc *e, unsigned metrics);
/* The bits of the metric names in a MetricsNameList ("ALL" sets every metric). */
unsigned metric_bits(const kval *names);
/* An empty output structure: {}. */
void write_empty(kenc *e);

#endif
