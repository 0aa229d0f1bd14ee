// kpl_agg.js - the aws-kinesis-agg side of the KPL aggregation cross-check (tests/integration/
// test_libkines_aggregation.py). Reads JSON lines on stdin, writes JSON lines on stdout.
//
//   node kpl_agg.js deaggregate   {"Data": b64, "SequenceNumber", "PartitionKey"} per Kinesis record
//                                 -> {"partitionKey", "data": b64, "sequenceNumber",
//                                     "subSequenceNumber"} per user record (checksums verified)
//   node kpl_agg.js aggregate     {"partitionKey", "data": b64} per user record
//                                 -> {"partitionKey", "explicitHashKey", "data": b64} per
//                                    aggregated Kinesis record
'use strict';

const agg = require('aws-kinesis-agg');

function readLines() {
    return require('fs').readFileSync(0, 'utf8').split('\n').filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l));
}

function deaggregate() {
    for (const rec of readLines()) {
        const v2 = {data: rec.Data, sequenceNumber: rec.SequenceNumber, partitionKey: rec.PartitionKey};
        agg.deaggregateSync(v2, true, (err, users) => {
            if (err) {
                throw err;
            }
            for (const u of users) {
                console.log(JSON.stringify({partitionKey: u.partitionKey, data: u.data,
                                            sequenceNumber: u.sequenceNumber,
                                            subSequenceNumber: u.subSequenceNumber}));
            }
        });
    }
}

function aggregate() {
    const records = readLines().map((r) => ({partitionKey: r.partitionKey,
                                             data: Buffer.from(r.data, 'base64')}));
    agg.aggregate(records, (encoded, done) => {
        console.log(JSON.stringify({partitionKey: encoded.partitionKey,
                                    explicitHashKey: encoded.explicitHashKey,
                                    data: Buffer.from(encoded.data).toString('base64')}));
        done();
    }, () => {}, (err) => { throw err; });
}

const mode = process.argv[2];
if (mode === 'deaggregate') {
    deaggregate();
} else if (mode === 'aggregate') {
    aggregate();
} else {
    console.error('usage: node kpl_agg.js deaggregate|aggregate < records.jsonl');
    process.exit(2);
}
