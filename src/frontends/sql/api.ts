// The contract of the PostgreSQL SQL reader (libpg-query), shared by every front end that meets
// SQL: raw .sql migration files, and SQL strings found in Alembic/TypeScript code. Its
// implementation is loaded lazily (`loadSqlParser` in ./index.ts) because the WASM parser costs
// ~80 ms to start: a run that meets no SQL never pays it.
import type { Loc, Operation, OperationBase } from '../../model/index.js';

export interface SqlToOpsOptions {
  /**
   * Where each character of the SQL text sits in the host file, as an offset into `source`
   * (-1 where unknown); null when the text IS the host file (a raw .sql file, offsets identical).
   */
  offsets: Int32Array | null;
  /** The host file's text (LF line endings), to turn offsets into lines and columns. */
  source: string;
  /** Ranges [start, end) of the text that stand for values unknown statically (f-string fields). */
  holes: [number, number][];
  /** Fields copied onto every operation produced (conditional, transactional, batch, via, callee...). */
  base: Omit<OperationBase, 'loc' | 'fromSql'>;
  /** Where to point when a position cannot be mapped (the whole string literal). */
  fallback: Loc;
}

export interface SqlParser {
  /**
   * Splits the text into statements with PostgreSQL's own scanner and parser and turns each into
   * model operations, in order. Never throws: a statement that does not parse becomes a
   * `sql_error` operation at PostgreSQL's position, and the other statements are still read.
   */
  toOperations(text: string, opts: SqlToOpsOptions): Operation[];
}
