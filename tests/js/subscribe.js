// subscribe.js - SubscribeToShard with the AWS SDK for JavaScript v3 (@aws-sdk/client-kinesis),
// for tests/integration/test_tls.py: over https:// the SDK speaks HTTP/2 with TLS (ALPN h2) and
// trusts the CAs in NODE_EXTRA_CA_CERTS.
//
//   node subscribe.js ENDPOINT CONSUMER_ARN SHARD_ID COUNT
//
// Subscribes from TRIM_HORIZON and reads events until COUNT records arrived (or the subscription
// ended); prints one JSON line: {"records": [{"data": text, "partitionKey", "sequenceNumber"}],
// "events": number of SubscribeToShardEvents}. Exits 1 with the error on stderr on failure.
'use strict';

const {KinesisClient, SubscribeToShardCommand} = require('@aws-sdk/client-kinesis');

async function main() {
    const [endpoint, consumerArn, shardId, count] = process.argv.slice(2);
    const client = new KinesisClient({
        endpoint,
        region: 'us-east-1',
        credentials: {accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret'},
        maxAttempts: 1,
    });
    const out = await client.send(new SubscribeToShardCommand({
        ConsumerARN: consumerArn,
        ShardId: shardId,
        StartingPosition: {Type: 'TRIM_HORIZON'},
    }));
    const records = [];
    let events = 0;
    for await (const event of out.EventStream) {
        if (!event.SubscribeToShardEvent) {
            throw new Error('unexpected event: ' + JSON.stringify(event));
        }
        events++;
        for (const r of event.SubscribeToShardEvent.Records) {
            records.push({data: Buffer.from(r.Data).toString('utf8'), partitionKey: r.PartitionKey,
                          sequenceNumber: r.SequenceNumber});
        }
        if (records.length >= Number(count)) {
            break;
        }
    }
    console.log(JSON.stringify({records, events}));
    process.exit(0); /* the HTTP/2 session of the subscription would keep node running */
}

main().catch((err) => {
    console.error(err && err.stack ? err.stack : String(err));
    process.exit(1);
});
