// MikroORM migrations: `export class Migration20240101120000 extends Migration { async up() { ... } }`.
// `this.addSql(sql)` queues SQL and `this.execute(sql)` runs it at once in the same transaction:
// both are read as SQL (string/template literals, holes); anything else given to them (a knex
// builder from `this.getKnex()`, a variable) is an unknown operation. Other methods of the same
// class called on `this` are followed one level (`via`); other `this.*` calls are unknown.
// Transactions: MikroORM's docs (mikro-orm.io/docs/migrations): "By default, each migration will be
// executed inside a transaction, and all of them will be wrapped in one master transaction"
// (`transactional: true`, `allOrNothing: true` by default): mode 'single'. A migration opts out with
// `isTransactional(): boolean { return false; }`; MigrationRunner.run then runs it without the
// transaction context (`if (!options.transactional || !migration.isTransactional())`): mode 'none'.
// The Migrator's own options (`transactional: false`, `allOrNothing: false`) live in the ORM config,
// which is not read.
import type { Migration } from '../../model/types.js';
import {
  boolValue,
  readText,
  readUpDown,
  Walker,
  type Chain,
  type ClassInfo,
  type Ctx,
  type Handler,
  type ModuleShape,
  type Src,
  type TsNs,
} from './core.js';
import { understood, unlisted, type Understood } from '../understood.js';

/** The this.* methods the MikroORM reader understands, with what each becomes; any other is an `unknown` operation. */
export const MIKROORM_METHODS = {
  addSql: 'SQL text',
  execute: 'SQL text',
} as const satisfies Understood;

/** `this` methods that only read or build, never run SQL themselves. */
const QUIET = new Set(['getKnex', 'getEntityManager', 'getQueries', 'reset', 'isTransactional', 'setTransactionContext']);

class MikroormHandler implements Handler {
  constructor(
    readonly src: Src,
    readonly cls: ClassInfo | undefined,
  ) {}

  call(chain: Chain, _kind: string, ctx: Ctx, w: Walker): void {
    const src = this.src;
    const l = chain.links[0];
    if (!l) return;
    if (!l.call) {
      // `this.driver.execute(...)`, `this.ctx...`: not the migration's own queue.
      const last = chain.links[chain.links.length - 1];
      if (last?.call) w.unknown(chain.call, ctx, src.short(chain.call.expression), `this.${l.name}...${last.name}() is not an operation migralint understands`);
      return;
    }
    const callee = `this.${l.name}`;
    if (chain.links.length > 1) {
      // `this.getKnex().schema.createTable(...)` used on its own, `this.getEntityManager().find(...)`...
      const last = chain.links[chain.links.length - 1]!;
      if (!last.call) return;
      w.unknown(chain.call, ctx, src.short(chain.call.expression), `this.${l.name}()...${last.name}() is not an operation migralint understands`);
      return;
    }
    const known = understood(MIKROORM_METHODS, l.name);
    switch (known) {
      case 'addSql':
      case 'execute': {
        const arg = l.args[0];
        if (!readText(src, arg, w.consts)) {
          w.unknown(l.call, ctx, callee, arg ? `${callee}() is given ${src.short(arg, 40)}, not SQL text migralint can read (a knex builder, a variable...)` : `${callee}() without SQL`);
          return;
        }
        w.sql(l.call, ctx, callee, arg);
        return;
      }
      case undefined: {
        if (QUIET.has(l.name)) return;
        const m = this.cls?.methods.get(l.name);
        if (m && l.name !== 'up' && l.name !== 'down' && ctx.depth === 0) {
          for (const a of l.args) w.walk(a, ctx);
          w.fn(m, { ...ctx, via: l.name, depth: ctx.depth + 1 });
          return;
        }
        w.unknown(l.call, ctx, callee, `${callee}() is not an operation migralint understands`);
        break;
      }
      default:
        unlisted(known);
    }
  }
}

/** `isTransactional(): boolean { return false; }` → false; true, or null when it cannot be read. */
function isTransactional(src: Src, m: TsNs.MethodDeclaration): boolean | null {
  const t = src.t;
  const sts = m.body?.statements.filter((s) => !t.isEmptyStatement(s)) ?? [];
  const ret = sts.length === 1 && t.isReturnStatement(sts[0]!) ? sts[0] : null;
  return ret?.expression ? boolValue(t, ret.expression) : null;
}

export function readMikroorm(src: Src, shape: ModuleShape, m: Migration): void {
  const cls = shape.classes.find((c) => c.methods.has('up') || c.methods.has('down'));
  const txMethod = cls?.methods.get('isTransactional');
  const tx = txMethod ? isTransactional(src, txMethod) : null;
  if (tx === false) {
    m.transaction = { mode: 'none', reason: 'MikroORM: isTransactional() returns false (run outside the migration and master transactions)', file: m.file, loc: src.loc(txMethod!) };
  } else {
    const unread = txMethod && tx === null ? '; isTransactional() could not be read' : '';
    m.transaction = { mode: 'single', reason: `MikroORM runs each migration in a transaction inside one master transaction for all pending migrations (transactional and allOrNothing, the defaults)${unread}`, file: null, loc: null };
  }
  const transactional = m.transaction.mode !== 'none';
  readUpDown(src, m, shape, { fnOf: (key) => cls?.methods.get(key) ?? null, handler: () => new MikroormHandler(src, cls), roots: () => new Map([['this', 'migration']]), transactional });
}
