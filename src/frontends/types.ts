// The contract between the engine and a front end: bytes in, one Migration out.
import type { Dialect, Migration } from '../model/index.js';
import type { SqlParser } from './sql/api.js';

export interface FrontendInput {
  /** Absolute path. */
  file: string;
  /** The raw file content; the front end decodes it (BOM, UTF-8 errors, binary files). */
  bytes: Uint8Array;
  /** Directory treated as the project root (for telling application imports apart). */
  projectRoot: string;
  dialect: Dialect;
}

/** What a set-level front end is told about the directory it reads. */
export interface FrontendSetOptions {
  /** The directory's framework when the config names one (`directories`); detected otherwise. */
  framework?: string | undefined;
  /** The directory's dialect. */
  dialect: Dialect;
  /** Files named one by one on the command line (read even when no layout claims them). */
  named?: readonly string[] | undefined;
  /**
   * The directory was named on the command line or in the config: when no known layout claims it,
   * read it with the generic reader rather than leave its files out.
   */
  generic?: boolean | undefined;
  /**
   * Reads PostgreSQL SQL with this reader instead of the front end's own: the engine's cache,
   * which answers texts it has read before without the WASM parser.
   */
  sqlReader?: SqlParser | undefined;
}

export interface Frontend {
  framework: string;
  /** Never throws for bad input: a file that cannot be read or parsed gets `parseError`. */
  parse(input: FrontendInput): Migration;
  /** Loads what parsing needs (e.g. the WASM SQL parser); awaited before parse/parseSet of input that needs it. */
  prepare?(): Promise<void>;
  /**
   * Reads a whole directory at once, for frameworks whose migrations span several files (an up
   * and a down file) or whose order comes from the file names. Returns the migrations in history
   * order; files that are not migrations are left out.
   */
  parseSet?(inputs: FrontendInput[], dir: string, opts?: FrontendSetOptions): Migration[];
}
