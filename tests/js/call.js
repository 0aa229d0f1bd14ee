// call.js - Kinesis operations through the AWS SDK for JavaScript v3 (@aws-sdk/client-kinesis),
// whose model is newer than botocore's: tests/integration/test_distribution.py drives the
// operations botocore does not know (UpdateStreamRecordDistributionStrategy, the Channel ones).
//
//   node call.js ENDPOINT < calls.json
//
// calls.json is a list of {"op": "UpdateStreamRecordDistributionStrategy", "input": {...}}; a
// string "Data" member is sent as its UTF-8 bytes. Prints one JSON line per call:
// {"op", "output"} (without $metadata) or {"op", "error": name, "message", "status"}.
'use strict';

const kinesis = require('@aws-sdk/client-kinesis');

function withBytes(value) {
    if (Array.isArray(value)) {
        return value.map(withBytes);
    }
    if (value && typeof value === 'object') {
        const out = {};
        for (const [k, v] of Object.entries(value)) {
            out[k] = k === 'Data' && typeof v === 'string' ? Buffer.from(v, 'utf8') : withBytes(v);
        }
        return out;
    }
    return value;
}

async function main() {
    const calls = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    const client = new kinesis.KinesisClient({
        endpoint: process.argv[2],
        region: 'us-east-1',
        credentials: {accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret'},
        maxAttempts: 1,
    });
    for (const call of calls) {
        const Command = kinesis[call.op + 'Command'];
        try {
            const output = await client.send(new Command(withBytes(call.input)));
            delete output.$metadata;
            console.log(JSON.stringify({op: call.op, output}));
        } catch (err) {
            console.log(JSON.stringify({op: call.op, error: err.name, message: err.message,
                                        status: err.$metadata && err.$metadata.httpStatusCode}));
        }
    }
    client.destroy();
}

main().catch((err) => {
    console.error(err && err.stack ? err.stack : String(err));
    process.exit(1);
});
