// triggers.js - the event source mappings of an account and region with each shard's progress,
// from kinesd's triggers route (what `kinesctl triggers` prints), for the function and stream
// pages.
import { rest } from './aws.js';

const TRIGGERS_ROUTE = '/_kinesd/lambda/triggers/'; // + ACCOUNT/REGION

// [{UUID, FunctionArn, EventSourceArn, State, BatchSize, LastProcessingResult, Shards: [{ShardId,
// Phase, Checkpoint, ReadUpTo, Committed, Lag, IteratorAgeMilliseconds, Records, Filtered,
// BatchesOk, BatchesFailed, GivenUp, LastError}]}].
export async function listTriggers(account, region) {
  const answer = await rest('lambda', 'GET', `${TRIGGERS_ROUTE}${account}/${region}`);
  return answer.json.EventSourceMappings || [];
}

// The last part of an ARN's resource: a function's or a stream's name, a consumer's.
export function arnName(arn) {
  return arn.split(/[:/]/).filter(Boolean).pop();
}
