// Loads the PostgreSQL SQL reader: the only module that imports libpg-query (a 1.7 MB WASM build of
// PostgreSQL's parser). Load it with `await import()` and only when there is SQL to read.
//
// libpg-query instantiates its WASM module when it is imported (not at loadModule()), so the flag
// must be set before the import. By default V8 then recompiles the module with TurboFan on
// background threads, which keeps a short CLI run alive ~100 ms longer on two cores.
// `--liftoff-only` keeps the baseline compiler only (measured: a process that loads the reader and
// reads one string, +54 ms over an empty node process instead of +146 ms; loadSqlParser() itself
// ~40 ms), for ~20 % slower parsing.
import type { SqlParser } from './api.js';
import { createSqlParser } from './reader.js';

export type { SqlParser, SqlToOpsOptions } from './api.js';

let loading: Promise<SqlParser> | null = null;

export async function loadSqlParser(): Promise<SqlParser> {
  loading ??= (async () => {
    // node:v8 is loaded only here (~2 ms): most runs never set a flag.
    process.getBuiltinModule('node:v8').setFlagsFromString('--liftoff-only');
    const pg = await import('libpg-query');
    await pg.loadModule();
    return createSqlParser({ parseSync: pg.parseSync, scanSync: pg.scanSync });
  })();
  try {
    return await loading;
  } catch (err) {
    loading = null;
    throw err;
  }
}
