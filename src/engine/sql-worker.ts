// A worker thread of engine/sql-workers.ts: reads its share of SQL texts with its own instance of
// PostgreSQL's parser and posts the operations back, in order.
import { parentPort, workerData } from 'node:worker_threads';
import { loadSqlParser, type SqlToOpsOptions } from '../frontends/sql/index.js';

const parser = await loadSqlParser();
const requests = (workerData as { requests: { text: string; opts: SqlToOpsOptions }[] }).requests;
parentPort!.postMessage(requests.map((r) => parser.toOperations(r.text, r.opts)));
