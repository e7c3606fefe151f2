// Runs a migration's statements one by one and records what PostgreSQL did: the locks the
// backend holds after each statement (pg_locks, inside the migration's transaction, before the
// commit releases them), the relations whose relfilenode changed (a rewrite), the tables a
// sequential scan read (pg_stat_xact_user_tables: a validation, a rewrite or an index build), the
// lock_timeout in force, and the error when a statement fails.
import type { LockMode, TransactionContext } from '../model/index.js';
import { lockStrength } from '../model/locks.js';
import type { PgFailure, TraceDb } from './db.js';
import type { TraceStatement } from './statements.js';

export interface ObservedLock {
  /** schema-qualified unless in public, e.g. `orders` or `billing.orders`. */
  relation: string;
  kind: 'table' | 'index' | 'sequence' | 'view' | 'other';
  mode: LockMode;
  /** The relation existed before the migration started (a new one has no traffic to block). */
  existed: boolean;
}

export interface Observation {
  /** Locks this statement took that were not held before it. */
  locks: ObservedLock[];
  /**
   * Locks on existing tables the transaction already held before the statement (from earlier
   * statements): PostgreSQL takes nothing new for them, so they do not show in `locks`.
   */
  held: ObservedLock[];
  /** Tables and indexes that existed before the statement and got a new relfilenode. */
  rewritten: string[];
  /** Tables read by a sequential scan during the statement. */
  scanned: string[];
  /** lock_timeout in force after the statement ('0' = wait forever). */
  lockTimeout: string;
  ms: number;
}

export type StatementStatus =
  | 'ran'
  /** CONCURRENTLY and the like: run outside the transaction, its locks already released when observed. */
  | 'ran-outside-transaction'
  | 'failed'
  /** The statement cannot be run (see TraceStatement.notRun). */
  | 'not-run'
  /** An earlier statement of the same body failed. */
  | 'skipped'
  /** BEGIN/COMMIT written in the migration: the trace opened or closed its own transaction there. */
  | 'transaction-control';

export interface StatementTrace {
  statement: TraceStatement;
  status: StatementStatus;
  failure?: PgFailure;
  observed?: Observation;
  /** Statements that ran after this one while its locks were held (until the commit). */
  heldFor?: number;
  note?: string;
}

export interface TracerOptions {
  /**
   * The whole trace runs inside one outer transaction that is rolled back at the end (a server
   * without --commit): migrations and autocommit statements become savepoints, and a statement
   * that cannot run in a transaction block is not run.
   */
  outerTransaction: boolean;
}

interface Rel {
  name: string;
  kind: ObservedLock['kind'];
  relfilenode: number;
}

// With each relation, the sequential scans this transaction made of it: pg_stat_xact_user_tables'
// seq_scan, read with the relations in one catalog pass instead of through the view (which
// aggregates every table's indexes, and was the trace's costliest query).
const RELATIONS = `SELECT c.oid::int8 AS oid, n.nspname, c.relname, c.relkind, c.relfilenode::int8 AS relfilenode,
    CASE WHEN c.relkind IN ('r', 't', 'm', 'p') THEN pg_stat_get_xact_numscans(c.oid)::int8 END AS seq_scan
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_temp%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp%'`;
const LOCKS = `SELECT relation::int8 AS oid, mode FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted AND relation IS NOT NULL`;

const KINDS: Record<string, ObservedLock['kind']> = { r: 'table', p: 'table', f: 'table', i: 'index', I: 'index', S: 'sequence', v: 'view', m: 'view' };

/** `AccessExclusiveLock` -> `ACCESS EXCLUSIVE`. */
export function lockModeOf(pgMode: string): LockMode | null {
  const words = pgMode.replace(/Lock$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
  const modes: LockMode[] = ['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'];
  return modes.find((m) => m === words) ?? null;
}

export class Tracer {
  constructor(
    readonly db: TraceDb,
    readonly opts: TracerOptions,
  ) {}

  private async relations(): Promise<Map<string, Rel>> {
    return (await this.relationsAndScans()).relations;
  }

  /** The relations, and the sequential scans of each table so far in this transaction. */
  private async relationsAndScans(): Promise<{ relations: Map<string, Rel>; scans: Map<string, number> }> {
    const rows = await this.db.rows<{ oid: string | number; nspname: string; relname: string; relkind: string; relfilenode: string | number; seq_scan: string | number | null }>(
      RELATIONS,
    );
    const relations = new Map<string, Rel>();
    const scans = new Map<string, number>();
    for (const r of rows) {
      relations.set(String(r.oid), {
        name: r.nspname === 'public' ? r.relname : `${r.nspname}.${r.relname}`,
        kind: KINDS[r.relkind] ?? 'other',
        relfilenode: Number(r.relfilenode),
      });
      if (r.seq_scan !== null) scans.set(String(r.oid), Number(r.seq_scan));
    }
    return { relations, scans };
  }

  private async locks(): Promise<Set<string>> {
    const rows = await this.db.rows<{ oid: string | number; mode: string }>(LOCKS);
    return new Set(rows.map((r) => `${r.oid}|${r.mode}`));
  }

  private async scans(): Promise<Map<string, number>> {
    return (await this.relationsAndScans()).scans;
  }

  private async must(sql: string): Promise<void> {
    const failure = await this.db.run(sql);
    if (failure) throw new Error(`trace: ${sql} failed: ${failure.message}`);
  }

  /** Opens the outer transaction of a server trace without --commit. */
  async beginOuter(): Promise<void> {
    if (this.opts.outerTransaction) await this.must('BEGIN');
  }

  async endOuter(commit: boolean): Promise<void> {
    if (this.opts.outerTransaction) await this.db.run(commit ? 'COMMIT' : 'ROLLBACK');
  }

  private async openUnit(): Promise<void> {
    await this.must(this.opts.outerTransaction ? 'SAVEPOINT migralint_unit' : 'BEGIN');
  }

  private async closeUnit(): Promise<void> {
    await this.must(this.opts.outerTransaction ? 'RELEASE SAVEPOINT migralint_unit' : 'COMMIT');
  }

  /**
   * Runs statements without observing them (the history before the traced migrations); returns
   * the failures. Each statement commits on its own, so one failure does not undo the others.
   */
  async replay(statements: readonly TraceStatement[]): Promise<{ statement: TraceStatement; failure: PgFailure }[]> {
    const failures: { statement: TraceStatement; failure: PgFailure }[] = [];
    for (const st of statements) {
      if (st.sql === null || st.control) continue;
      if (this.opts.outerTransaction) await this.must('SAVEPOINT migralint_stmt');
      const failure = await this.db.run(st.sql);
      if (this.opts.outerTransaction) await this.must(failure ? 'ROLLBACK TO SAVEPOINT migralint_stmt' : 'RELEASE SAVEPOINT migralint_stmt');
      if (failure) failures.push({ statement: st, failure });
    }
    return failures;
  }

  /**
   * Traces one body. `transaction` is how the runner wraps the migration: one transaction around
   * it (locks held until its end), or none (each statement commits, unless the file opens its
   * own transaction with BEGIN).
   */
  async trace(
    statements: readonly TraceStatement[],
    transaction: TransactionContext['mode'],
    /** Names of the relations that count as existing (a downgrade: those before its upgrade); default: all at the start. */
    existing?: ReadonlySet<string>,
  ): Promise<StatementTrace[]> {
    const out: StatementTrace[] = [];
    // Each body starts a fresh session as far as settings go: a downgrade runs in another
    // invocation of the runner, and must not inherit the upgrade's SET lock_timeout.
    await this.must('RESET ALL');
    const start = await this.relationsAndScans();
    const atStart = start.relations;
    let before = atStart;
    let scans = start.scans;
    let held = await this.locks();
    let inUnit = false;
    let unit: StatementTrace[] = [];
    let failed = false;

    const open = async () => {
      await this.openUnit();
      inUnit = true;
      unit = [];
    };
    const close = async () => {
      if (!inUnit) return;
      await this.closeUnit();
      inUnit = false;
      unit.forEach((t, i) => (t.heldFor = unit.length - 1 - i));
      unit = [];
      held = await this.locks();
    };
    if (transaction !== 'none') await open();

    for (const st of statements) {
      if (st.control) {
        const t: StatementTrace = { statement: st, status: 'transaction-control' };
        out.push(t);
        if (st.control === 'begin' && !inUnit) await open();
        else if (st.control === 'commit' || st.control === 'rollback') {
          await close();
          if (st.control === 'rollback') t.note = 'ROLLBACK: the trace commits here instead, so later statements meet the schema';
          if (transaction !== 'none') await open();
        }
        continue;
      }
      if (failed) {
        out.push({ statement: st, status: 'skipped', note: 'an earlier statement failed' });
        continue;
      }
      if (st.sql === null) {
        out.push({ statement: st, status: 'not-run', note: st.notRun ?? 'not runnable' });
        continue;
      }
      if (st.autocommit && inUnit) {
        // An autocommit block: the migration's transaction commits before it and reopens after.
        await close();
        const r = await this.trace([{ ...st, autocommit: false }], 'none');
        out.push(...r);
        if (r.some((x) => x.status === 'failed')) failed = true;
        ({ relations: before, scans } = await this.relationsAndScans());
        await open();
        continue;
      }
      const single = !inUnit;
      if (single) await open();
      await this.must('SAVEPOINT migralint_stmt');
      const t0 = performance.now();
      let failure = await this.db.run(st.sql);
      const ms = performance.now() - t0;
      if (failure) {
        await this.must('ROLLBACK TO SAVEPOINT migralint_stmt');
        if (failure.code === '25001') {
          // CREATE INDEX CONCURRENTLY, VACUUM...: commit what ran, run it on its own, go on.
          const r = await this.outside(st, before, failure);
          out.push(r.trace);
          before = r.after;
          scans = await this.scans();
          if (r.trace.status === 'failed') failed = true;
          if (single) await close();
          continue;
        }
        const trace: StatementTrace = { statement: st, status: 'failed', failure };
        out.push(trace);
        failed = true;
        if (single) await close();
        continue;
      }
      const locksNow = await this.locks();
      const { relations: after, scans: scansNow } = await this.relationsAndScans();
      await this.must('RELEASE SAVEPOINT migralint_stmt');
      const lockTimeout = String((await this.db.rows<{ v: string }>(`SELECT current_setting('lock_timeout') AS v`))[0]!.v);
      const observed: Observation = { locks: [], held: [], rewritten: [], scanned: [], lockTimeout, ms: Math.round(ms * 10) / 10 };
      for (const key of held) {
        const [oid, pgMode] = key.split('|') as [string, string];
        const rel = before.get(oid);
        const mode = lockModeOf(pgMode);
        if (!rel || !mode || !atStart.has(oid) || (existing && !existing.has(rel.name)) || (rel.kind !== 'table' && rel.kind !== 'view')) continue;
        // The strongest per relation: that is what the statement would not have to wait for.
        const same = observed.held.findIndex((h) => h.relation === rel.name);
        if (same < 0) observed.held.push({ relation: rel.name, kind: rel.kind, mode, existed: true });
        else if (lockStrength(mode) > lockStrength(observed.held[same]!.mode)) observed.held[same]!.mode = mode;
      }
      for (const key of locksNow) {
        if (held.has(key)) continue;
        const [oid, pgMode] = key.split('|') as [string, string];
        const rel = after.get(oid) ?? before.get(oid);
        const mode = lockModeOf(pgMode);
        if (!rel || !mode) continue; // a catalog relation, or our own queries
        observed.locks.push({ relation: rel.name, kind: rel.kind, mode, existed: atStart.has(oid) && (!existing || existing.has(rel.name)) });
      }
      observed.locks.sort((a, b) => (a.relation < b.relation ? -1 : a.relation > b.relation ? 1 : 0));
      for (const [oid, rel] of before) {
        const now = after.get(oid);
        if (now && rel.kind !== 'sequence' && rel.relfilenode !== 0 && now.relfilenode !== 0 && now.relfilenode !== rel.relfilenode) observed.rewritten.push(rel.name);
      }
      for (const [oid, n] of scansNow) {
        if (n > (scans.get(oid) ?? 0)) {
          const rel = after.get(oid) ?? before.get(oid);
          if (rel && before.has(oid)) observed.scanned.push(rel.name);
        }
      }
      held = locksNow;
      before = after;
      scans = scansNow;
      const trace: StatementTrace = { statement: st, status: 'ran', observed };
      out.push(trace);
      unit.push(trace);
      if (single) await close();
    }
    await close();
    return out;
  }

  /** A statement that cannot run in a transaction block: commit the unit, run it alone, reopen. */
  private async outside(st: TraceStatement, before: Map<string, Rel>, inside: PgFailure): Promise<{ trace: StatementTrace; after: Map<string, Rel> }> {
    if (this.opts.outerTransaction) {
      return {
        trace: { statement: st, status: 'not-run', note: `${inside.message}; the trace runs in one transaction that is rolled back (use --commit to run it)` },
        after: before,
      };
    }
    const wasOpen = true;
    await this.closeUnit();
    const t0 = performance.now();
    const failure = await this.db.run(st.sql!);
    const ms = performance.now() - t0;
    const after = await this.relations();
    if (wasOpen) await this.openUnit();
    if (failure) return { trace: { statement: st, status: 'failed', failure }, after };
    const rewritten: string[] = [];
    for (const [oid, rel] of before) {
      const now = after.get(oid);
      if (now && rel.kind !== 'sequence' && rel.relfilenode !== 0 && now.relfilenode !== 0 && now.relfilenode !== rel.relfilenode) rewritten.push(rel.name);
    }
    const lockTimeout = String((await this.db.rows<{ v: string }>(`SELECT current_setting('lock_timeout') AS v`))[0]!.v);
    return {
      trace: {
        statement: st,
        status: 'ran-outside-transaction',
        observed: { locks: [], held: [], rewritten, scanned: [], lockTimeout, ms: Math.round(ms * 10) / 10 },
        note: 'runs outside a transaction block: its locks are released before they can be read',
      },
      after,
    };
  }

  /** Names of the relations that exist now. */
  async relationNames(): Promise<Set<string>> {
    return new Set([...(await this.relations()).values()].map((r) => r.name));
  }

  /** The schema as text lines (tables, columns, constraints, indexes, views, types), to compare. */
  async catalog(): Promise<string[]> {
    const rows = await this.db.rows<{ item: string }>(CATALOG);
    return rows.map((r) => r.item);
  }
}

const USER_NS = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_%'`;
const CATALOG = `
SELECT n.nspname || '.' || c.relname || ' ' || CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' ELSE c.relkind::text END AS item
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
UNION ALL
SELECT n.nspname || '.' || c.relname || ' column ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
       || COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE ${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT n.nspname || '.' || c.relname || ' constraint ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
  FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_NS}
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_NS}
UNION ALL
SELECT 'type ' || n.nspname || '.' || t.typname || ' (' || string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) || ')'
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid WHERE ${USER_NS} GROUP BY n.nspname, t.typname
ORDER BY 1`;
