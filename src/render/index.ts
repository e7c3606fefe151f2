// Renders a migration's upgrade or downgrade to the SQL PostgreSQL receives, from the model only:
// operations read from SQL keep their text as written; the others are rebuilt by the renderer of
// their kind (ops.ts). What cannot be told without running the code is a comment saying why.
import type { Migration, Operation } from '../model/index.js';
import { RENDERERS, trimStatement } from './ops.js';
import type { Direction, Piece, RenderContext, RenderedItem, RenderedMigration, Renderer } from './types.js';

export type * from './types.js';
export { RENDERERS } from './ops.js';
export { renderScript, runSteps, formatItem, type ScriptOptions, type RunStep } from './script.js';

export interface RenderOptions {
  direction: Direction;
}

/** One body of a migration, rendered (without the runner's BEGIN/COMMIT: see renderScript). */
export function renderMigration(migration: Migration, opts: RenderOptions): RenderedMigration {
  const body = opts.direction === 'up' ? migration.upgrade : migration.downgrade;
  const ctx: RenderContext = { migration, direction: opts.direction };
  const items: RenderedItem[] = [];
  let notRendered = 0;
  // A file that could not be read has no (or only some) operations: say so, never print an empty migration as if it were one.
  const e = migration.parseError;
  if (e) {
    items.push({ kind: 'comment', text: `migralint: not rendered: the file could not be read: ${e.message}`, loc: e.loc, file: e.loc.file ?? migration.file, opIndex: null, notRendered: true });
    notRendered++;
  }
  const ops = body.operations;
  // Statements held back until the operations of the same call are rendered (see Piece).
  let held: { items: RenderedItem[]; loc: Operation['loc'] } | null = null;
  const release = () => {
    if (held) items.push(...held.items);
    held = null;
  };
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (held && !sameCall(held.loc, op.loc)) release();
    const file = op.loc.file ?? migration.file;
    // Operations read from one SQL statement (a multi-clause ALTER TABLE, DROP TABLE a, b): the
    // statement once, as written.
    if (op.fromSql) {
      const group = [i];
      while (i + 1 < ops.length && sameStatement(op, ops[i + 1]!)) group.push(++i);
      const where = op.fromSql.statementLoc ?? op.loc;
      if (op.kind === 'sql_error') {
        items.push({ kind: 'comment', text: `migralint: PostgreSQL's parser rejects the next statement: ${op.message}`, loc: where, file, opIndex: group[0]! });
      }
      if (op.fromSql.hasHoles || op.conditional || op.repeated) {
        const why = whyNot(op) ?? 'the statement has parts filled in at run time (placeholders, f-string fields, parameters)';
        items.push(notRenderedItem(why, op, file, group[0]!, where));
        notRendered++;
        continue;
      }
      items.push({
        kind: 'sql',
        sql: trimStatement(op.fromSql.statement),
        loc: where,
        file,
        opIndex: group[0]!,
        opIndexes: group,
        transactional: op.transactional,
        origin: 'written',
      });
      continue;
    }
    const skip = whyNot(op);
    const pieces: Piece[] = skip ? [{ notRendered: skip }] : (RENDERERS[op.kind] as Renderer<Operation['kind']>)(op, ctx);
    for (const p of pieces) {
      if ('sql' in p) {
        const item: RenderedItem = { kind: 'sql', sql: p.sql, loc: op.loc, file, opIndex: i, opIndexes: [i], transactional: op.transactional, origin: op.kind === 'execute_sql' ? 'written' : 'rendered' };
        if (p.trailing) {
          held ??= { items: [], loc: op.loc };
          held.items.push(item);
        } else items.push(item);
      } else if ('notRendered' in p) {
        items.push(notRenderedItem(p.notRendered, op, file, i, op.loc));
        notRendered++;
      } else items.push({ kind: 'comment', text: p.comment, loc: op.loc, file, opIndex: i });
    }
  }
  release();
  return { migration, direction: opts.direction, transaction: migration.transaction, items, notRendered };
}

function sameCall(a: Operation['loc'], b: Operation['loc']): boolean {
  return a.line === b.line && a.column === b.column && a.endLine === b.endLine && a.endColumn === b.endColumn && a.file === b.file;
}

/** Why an operation's SQL cannot be told statically, whatever its kind; null when it can. */
function whyNot(op: Operation): string | null {
  if (op.unreadOptions?.length) {
    const opts = op.unreadOptions.map((o) => (o === '**' ? '**kwargs' : `${o}=`)).join(', ');
    return `${op.callee}(): migralint does not read ${opts}, which changes its SQL`;
  }
  // A loop is a condition too (it may run no time at all): say the stronger.
  if (op.repeated) return `${op.callee}() runs in a loop, as many times as the data says`;
  if (op.conditional) return `${op.callee}() runs only when a condition in the code holds`;
  return null;
}

function notRenderedItem(why: string, op: Operation, file: string, opIndex: number, loc: Operation['loc']): RenderedItem {
  return { kind: 'comment', text: `migralint: not rendered: ${why}`, loc, file, opIndex, notRendered: true };
}

function sameStatement(a: Operation, b: Operation): boolean {
  const x = a.fromSql!;
  const y = b.fromSql;
  if (!y || x.index !== y.index || x.statement !== y.statement) return false;
  if ((a.loc.file ?? '') !== (b.loc.file ?? '')) return false;
  const hx = x.host;
  const hy = y.host;
  if (hx || hy) return !!hx && !!hy && hx.line === hy.line && hx.column === hy.column;
  return true;
}
