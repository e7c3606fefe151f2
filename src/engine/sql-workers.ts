// Parallel cold runs: when a run has many SQL texts that no cache holds, they are read by worker
// threads (one per core but one, at least one), each with its own PostgreSQL parser, while the
// main thread reads its own share. Below WORKERS_FROM texts a run stays single-threaded: starting
// a worker and its WASM parser costs ~100 ms, more than a few hundred statements take.
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { SqlParser } from '../frontends/sql/api.js';
import type { SqlRequest } from './cached-read.js';

/**
 * How many SQL texts a run needs before it uses worker threads; MIGRALINT_WORKERS_FROM overrides.
 * With one worker beside the main thread (a 2-core machine) the threads made a 1,712-file cold run
 * slower, not faster (1.8-3.1 s single-threaded, 3.6-4.5 s with a worker, on a loaded machine): a
 * probe pass, a second WASM parser and copying the operations back cost more than half the parsing
 * saves. So they are used only with two workers or more (3+ cores).
 */
export function workersFrom(): number {
  const env = process.env.MIGRALINT_WORKERS_FROM;
  if (env !== undefined && env !== '' && Number.isInteger(Number(env))) return Number(env);
  return workerCount() >= 2 ? 400 : Number.POSITIVE_INFINITY;
}

export function workerCount(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, cores - 1);
}

type Ops = ReturnType<SqlParser['toOperations']>;

/** A text's operations: as objects when read on this thread, as v8.serialize bytes from a worker. */
export type WorkerResult = { ops: Ops } | { bytes: Uint8Array };

/**
 * The operations of every request, in order: shares go to the workers and the first one is read
 * here with `parser`. A worker that fails leaves its share to this thread, so a run never depends
 * on threads being available.
 */
export async function readInWorkers(requests: readonly SqlRequest[], parser: () => Promise<SqlParser>): Promise<WorkerResult[]> {
  const n = workerCount();
  const size = Math.ceil(requests.length / (n + 1));
  const shares: SqlRequest[][] = [];
  for (let i = 0; i < requests.length; i += size) shares.push(requests.slice(i, i + size));
  // The worker module sits beside this one: dist/sql-worker.js when built, the .ts file under tsx.
  const here = import.meta.url;
  const script = new URL(here.endsWith('.ts') ? './sql-worker.ts' : './sql-worker.js', here);
  // Loaded here, not at the top: node:worker_threads costs ~2 ms to load, and most runs start no worker.
  const { Worker: WorkerThread } = process.getBuiltinModule('node:worker_threads');
  const pending = shares.slice(1).map(
    (share) =>
      new Promise<Uint8Array[] | null>((resolve) => {
        let worker: Worker;
        try {
          worker = new WorkerThread(script, { workerData: { requests: share.map((r) => ({ text: r.text, opts: r.opts })) } });
        } catch {
          resolve(null);
          return;
        }
        worker.once('message', (bytes: Uint8Array[]) => resolve(bytes));
        worker.once('error', () => resolve(null));
        worker.once('exit', () => resolve(null));
      }),
  );
  const main = await parser();
  const results: WorkerResult[] = shares[0]!.map((r) => ({ ops: main.toOperations(r.text, r.opts) }));
  const done = await Promise.all(pending);
  done.forEach((bytes, i) => {
    const share = shares[i + 1]!;
    if (bytes && bytes.length === share.length) for (const b of bytes) results.push({ bytes: b });
    else for (const r of share) results.push({ ops: main.toOperations(r.text, r.opts) });
  });
  return results;
}
