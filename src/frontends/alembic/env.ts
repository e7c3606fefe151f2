// Reads an Alembic env.py statically for what decides how revisions run: whether each revision
// gets its own transaction (`transaction_per_migration`), whether DDL is transactional at all
// (`transactional_ddl=False`), and the lock_timeout / statement_timeout the connection sets
// before running migrations (warehouse: `connection.execute(text("SET lock_timeout = 4000"))`).
import type { Dialect, Loc, RunnerSetting, TransactionContext } from '../../model/types.js';
import { dialectOfUrl } from '../../model/queries.js';
import { parsePython, walkNodes } from './python.js';
import { decodeSource, SourceText } from './text.js';

export interface EnvInfo {
  transaction: TransactionContext;
  settings: RunnerSetting[];
  /** The dialect of the database URLs written in env.py, when they all name the same one. */
  dialect: Dialect | null;
}

const SET_STATEMENT = /\bSET\s+(?:SESSION\s+)?(lock_timeout|statement_timeout|idle_in_transaction_session_timeout|timezone)\s*(?:=|\bTO\b)\s*'?([^';"\s]+)/gi;
const SET_TIME_ZONE = /\bSET\s+(?:SESSION\s+)?TIME\s+ZONE\s+'?([^';"\s]+)/gi;
// libpq's `options` (connect_args={"options": "-c timezone=utc"}, or in the URL).
const OPTIONS_FLAG = /-c\s*(lock_timeout|statement_timeout|timezone)\s*=\s*([^\s'"&]+)/gi;

/** What Alembic does when env.py says nothing: one transaction around the whole upgrade run. */
export function defaultAlembicTransaction(reason = 'Alembic runs all pending revisions in one transaction by default'): TransactionContext {
  return { mode: 'single', reason, file: null, loc: null };
}

/** A URL's query may carry the options percent-encoded (`?options=-c%20timezone%3DUTC`). */
function urlDecoded(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function readEnv(bytes: Uint8Array, file: string): EnvInfo {
  const info: EnvInfo = { transaction: defaultAlembicTransaction(`${'env.py'} sets neither transaction_per_migration nor transactional_ddl`), settings: [], dialect: null };
  const dialects = new Set<Dialect>();
  const decoded = decodeSource(bytes);
  if (!decoded.ok) return info;
  const parsed = parsePython(decoded.text);
  if (!parsed.ok) return info;
  const src = new SourceText(decoded.text);

  // context.configure(...) calls; the online one (with connection=) decides when there are several.
  const configures: { keywords: Map<string, any>; online: boolean; loc: Loc }[] = [];
  for (const node of walkNodes(parsed.module)) {
    if (node.nodeType === 'Call' && node.func?.nodeType === 'Attribute' && node.func.attr === 'configure') {
      const keywords = new Map<string, any>();
      for (const k of node.keywords ?? []) if (k.arg) keywords.set(k.arg, k.value);
      configures.push({ keywords, online: keywords.has('connection'), loc: src.loc(node as never) });
    }
    if (node.nodeType === 'Constant' && typeof node.value === 'string') {
      const fromUrl = dialectOfUrl(node.value);
      if (fromUrl) dialects.add(fromUrl);
      const text = urlDecoded(node.value);
      for (const re of [SET_STATEMENT, SET_TIME_ZONE, OPTIONS_FLAG]) {
        re.lastIndex = 0;
        for (let m = re.exec(text); m; m = re.exec(text)) {
          const [name, value] = re === SET_TIME_ZONE ? ['timezone', m[1]!] : [m[1]!.toLowerCase(), m[2]!];
          if (!info.settings.some((s) => s.name === name)) {
            info.settings.push({ name, value, origin: file, loc: src.loc(node as never) });
          }
        }
      }
    }
  }
  // Several dialects (a test default beside the real one): none is trusted.
  if (dialects.size === 1) info.dialect = [...dialects][0]!;
  const chosen = configures.find((c) => c.online) ?? configures[0];
  if (chosen) {
    const flag = (name: string): boolean | null => {
      const v = chosen.keywords.get(name);
      return v?.nodeType === 'Constant' && typeof v.value === 'boolean' ? v.value : null;
    };
    if (flag('transactional_ddl') === false) {
      info.transaction = { mode: 'none', reason: 'env.py configures transactional_ddl=False', file, loc: chosen.loc };
    } else if (flag('transaction_per_migration') === true) {
      info.transaction = { mode: 'per-migration', reason: 'env.py configures transaction_per_migration=True', file, loc: chosen.loc };
    } else {
      info.transaction = { ...defaultAlembicTransaction('env.py does not set transaction_per_migration: all pending revisions run in one transaction'), file, loc: chosen.loc };
    }
  }
  return info;
}

/** The dialect of `sqlalchemy.url` in alembic.ini (every section that sets one must agree), or null. */
export function alembicIniDialect(text: string): Dialect | null {
  const found = new Set<Dialect>();
  for (const m of text.matchAll(/^[ \t]*sqlalchemy\.url[ \t]*[=:][ \t]*(.*)$/gm)) {
    const d = dialectOfUrl(m[1]!);
    if (d) found.add(d);
  }
  return found.size === 1 ? [...found][0]! : null;
}
