// The contract between the engine and a front end: bytes in, one Migration out.
import type { Dialect, Migration } from '../model/index.js';

export interface FrontendInput {
  /** Absolute path. */
  file: string;
  /** The raw file content; the front end decodes it (BOM, UTF-8 errors, binary files). */
  bytes: Uint8Array;
  /** Directory treated as the project root (for telling application imports apart). */
  projectRoot: string;
  dialect: Dialect;
}

export interface Frontend {
  framework: string;
  /** Never throws for bad input: a file that cannot be read or parsed gets `parseError`. */
  parse(input: FrontendInput): Migration;
}
