// `migralint trace`: run the pending migrations on PGlite (or a server, rolled back) and put what
// PostgreSQL did beside the static findings. PGlite, pg and the trace engine load only here.
import type { ResolvedConfig } from '../config/index.js';
import { TraceConnectionError } from '../trace/db.js';
import { countTrace, renderTrace, TRACE_FORMATS, type TraceFormat } from '../trace/report.js';
import { runTrace, TraceUsageError } from '../trace/run.js';

/** `--rows orders=10000`, repeatable. */
export function parseRows(values: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of values) {
    const m = /^([A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)?)=(\d+)$/.exec(v.trim());
    if (!m || Number(m[2]) < 1) throw new TraceUsageError(`--rows takes table=N with a whole number N of 1 or more, e.g. --rows orders=10000; got "${v}"`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

export async function runTraceCommand(opts: {
  cwd: string;
  paths: string[];
  config: ResolvedConfig;
  format: string | undefined;
  databaseUrl: string | undefined;
  /** Build the schema from this snapshot instead of the history (default: the config's `snapshot`). */
  snapshot: string | undefined;
  rows: string[];
  commit: boolean;
  stairway: boolean;
  cache: import('../cache/index.js').ResultCache | null;
  write: (s: string) => void;
}): Promise<number> {
  const format = (opts.format ?? 'stylish') as TraceFormat;
  if (!TRACE_FORMATS.includes(format)) throw new TraceUsageError(`trace: unknown format "${opts.format}"; expected one of ${TRACE_FORMATS.join(', ')}`);
  if (opts.commit && !opts.databaseUrl) throw new TraceUsageError('--commit applies to --database-url (PGlite runs in memory)');
  const rows = parseRows(opts.rows);
  let result;
  try {
    result = await runTrace({
      cwd: opts.cwd,
      paths: opts.paths,
      config: opts.config,
      ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
      ...(opts.snapshot !== undefined ? { snapshot: opts.snapshot } : {}),
      commit: opts.commit,
      rows,
      stairway: opts.stairway,
      cache: opts.cache,
    });
  } catch (err) {
    if (err instanceof TraceConnectionError) {
      process.stderr.write(`migralint: ${err.message}\nmigralint: nothing was traced.\n`);
      return 2;
    }
    throw err;
  }
  opts.write(renderTrace(result, format, opts.cwd));
  return countTrace(result).errors > 0 ? 1 : 0;
}
