// What a run could not understand, per file: the `unknown` operations of the migrations whose
// findings are reported. `--format json` lists them so a user can see what a clean run did not
// read, whether or not the unknown-operation rule is on.
import type { Migration } from '../model/index.js';

export interface UnknownOperation {
  line: number;
  column: number;
  /** The call as written, e.g. `op.create_table_comment`. */
  callee: string;
  reason: string;
  body: 'upgrade' | 'downgrade';
  /** The migration's revision id, null when it has none. */
  migration: string | null;
}

export interface UnknownInFile {
  /** Absolute path. */
  file: string;
  operations: UnknownOperation[];
}

/**
 * The unknown operations of migrations restored from the cache (engine/load-state.ts), listed when
 * they were stored (with their files), so that listing them does not read the operations back.
 */
export const knownUnknowns = new WeakMap<Migration, (UnknownOperation & { file?: string })[]>();

/** Files with at least one unknown operation, sorted by path; operations in source order. */
export function unknownOperations(migrations: readonly Migration[]): UnknownInFile[] {
  const byFile = new Map<string, UnknownOperation[]>();
  for (const m of migrations) {
    const known = knownUnknowns.get(m);
    if (known) {
      for (const { file, ...op } of known) {
        const at = file ?? m.file;
        let list = byFile.get(at);
        if (!list) byFile.set(at, (list = []));
        list.push(op);
      }
      continue;
    }
    for (const body of ['upgrade', 'downgrade'] as const) {
      for (const op of m[body].operations) {
        if (op.kind !== 'unknown') continue;
        const file = op.loc.file ?? m.file;
        let list = byFile.get(file);
        if (!list) byFile.set(file, (list = []));
        list.push({ line: op.loc.line, column: op.loc.column, callee: op.callee, reason: op.reason, body, migration: m.revision?.value ?? null });
      }
    }
  }
  return [...byFile]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([file, operations]) => ({ file, operations: operations.sort((a, b) => a.line - b.line || a.column - b.column) }));
}
