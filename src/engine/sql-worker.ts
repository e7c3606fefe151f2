// A worker thread of engine/sql-workers.ts: reads its share of SQL texts with its own instance of
// PostgreSQL's parser and posts back each text's operations already serialised (v8.serialize),
// in order: the main thread stores those bytes in the cache as they are, instead of receiving an
// object graph (a structured clone) and serialising it again.
import v8 from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { loadSqlParser, type SqlToOpsOptions } from '../frontends/sql/index.js';

const parser = await loadSqlParser();
const requests = (workerData as { requests: { text: string; opts: SqlToOpsOptions }[] }).requests;
parentPort!.postMessage(requests.map((r) => v8.serialize(parser.toOperations(r.text, r.opts))));
