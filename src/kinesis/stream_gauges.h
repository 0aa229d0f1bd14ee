/* stream_gauges.h - what the streams hold on disk, as gauges in kinesd's namespace ("kinesd"),
 * owned by each stream's account: StreamDiskBytes (the size of its shard logs' files) and
 * StreamSegments (their segment files), per StreamName; and OpenSegments, for all streams
 * together. Measured every STREAM_GAUGES_PERIOD_MS on the Kinesis control thread (it reads
 * directories: never on a loop). */
#ifndef KINESD_STREAM_GAUGES_H
#define KINESD_STREAM_GAUGES_H

#include <stdint.h>

#define STREAM_GAUGES_PERIOD_MS 10000

/* The Kinesis service's tick calls it; it measures when the period has passed. */
void stream_gauges_tick(int64_t now_ms);

#endif
