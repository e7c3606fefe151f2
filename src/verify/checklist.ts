// `migralint verify`: the pre-deploy checklist. Reads the migrations statically, reads the
// database about to be migrated (its version table and its timeouts), and says, item by item
// with the evidence, whether it is safe to run the pending migrations now.
import type { ResultCache } from '../cache/index.js';
import path from 'node:path';
import type { ResolvedConfig } from '../config/index.js';
import { rulesForFile } from '../config/index.js';
import { buildGraph } from '../graph/index.js';
import { lockBlocks, lockOf, normalizeName } from '../model/index.js';
import type { Migration, MigrationSet, Operation } from '../model/index.js';
import { formatMessage, type Finding, type LockState, type ProjectView } from '../rule-api/index.js';
import { lint, loadMigrations } from '../engine/run.js';
import { fingerprint, readLock } from '../engine/lockfile.js';
import { loadRule } from '../engine/registry.js';
import type { Database } from './drivers.js';
import { readVersionTable, versionSpecFor, type VersionState } from './version-table.js';
import { appliedSet, type AppliedSet } from './applied.js';
import { resolvePolicy } from './policy.js';

export type ItemId = 'single-head' | 'known-revision' | 'lock' | 'pending' | 'policy' | 'reversible' | 'timeouts' | 'large-tables' | 'backup';
export type ItemStatus = 'pass' | 'fail' | 'skipped';

export interface ItemFinding {
  rule: string;
  severity: string;
  file: string;
  line: number;
  column: number;
  message: string;
  migration: string | null;
}

export interface ChecklistItem {
  id: ItemId;
  title: string;
  /** pass: holds; fail: does not; skipped: could not be checked (counts as not holding). */
  status: ItemStatus;
  ok: boolean;
  required: boolean;
  /** One line: the verdict in words. */
  summary: string;
  /** What the verdict rests on, one fact a line. */
  evidence: string[];
  findings?: ItemFinding[];
}

export interface Checklist {
  ok: boolean;
  database: {
    url: string;
    driver: Database['kind'];
    server: string | null;
    versionTable: string;
    versionTableKind: string;
    versionTableExists: boolean;
    current: string[];
  };
  migrations: { directory: string; framework: string; heads: string[] };
  policy: string;
  pending: { revision: string | null; file: string; message: string | null }[] | null;
  attestations: Record<string, string>;
  items: ChecklistItem[];
  summary: { passed: number; failed: number; skipped: number };
}

export interface VerifyOptions {
  cwd: string;
  paths: string[];
  /** The active configuration. */
  config: ResolvedConfig;
  /** --policy: a preset name or a config file; default the active configuration. */
  policy?: string;
  /** null: no lock file (item 3 then fails once anything is applied). */
  lockfile: string | null;
  db: Database;
  /** --attest key=value pairs, e.g. { backup: 'snap-2024-06-01' }. */
  attest: Record<string, string>;
  versionTable?: string;
  /** The persistent cache of what was read (src/cache), for reading the chain and linting it. */
  cache?: ResultCache | null;
}

export class VerifyUsageError extends Error {
  override name = 'UsageError';
}

/** The reversibility rules: item 6 runs them on the pending migrations whatever the policy's levels. */
const REVERSIBILITY = ['irreversible-downgrade', 'incomplete-downgrade', 'lossy-downgrade'];
/** Rules whose concern has an item of its own, left out of item 5: multiple-heads is item 1 (the lock rule is item 3). */
const COVERED_ELSEWHERE = ['multiple-heads'];

/** The migration chain the database belongs to: exactly one. */
export async function loadChain(opts: { cwd: string; paths: string[]; config: ResolvedConfig; cache?: ResultCache | null }): Promise<MigrationSet> {
  const { sets, missing } = await loadMigrations(opts);
  if (missing.length > 0) throw new VerifyUsageError(`no such file or directory: ${missing.join(', ')}`);
  const chains = sets.filter((s) => s.migrations.length > 0);
  if (chains.length === 0) throw new VerifyUsageError('no migrations found; name the migration directory, e.g. migralint verify migrations/versions');
  if (chains.length > 1) {
    const list = chains.map((s) => path.relative(opts.cwd, s.dir) || '.').join(', ');
    throw new VerifyUsageError(`a database has one migration history, and ${chains.length} were found (${list}); name the directory of this database's migrations`);
  }
  return chains[0]!;
}

export async function readState(db: Database, chain: MigrationSet, versionTable: string | undefined) {
  const spec = versionSpecFor(chain.framework, versionTable);
  const state = await readVersionTable(db, spec);
  const graph = buildGraph(chain.migrations);
  return { spec, state, graph, applied: appliedSet(state, chain.migrations, graph) };
}

export async function verify(opts: VerifyOptions): Promise<Checklist> {
  const { cwd, db } = opts;
  const rel = (file: string) => path.relative(cwd, file).split(path.sep).join('/') || file;
  const chain = await loadChain(opts);
  const policy = await resolvePolicy(cwd, opts.config, opts.policy);
  const { spec, state, graph, applied } = await readState(db, chain, opts.versionTable);
  const settings = await connectionSettings(db);
  const byId = (id: string) => graph.nodes.get(id)?.migration ?? null;
  const describe = (id: string) => {
    const m = byId(id);
    return m ? `${id} (${rel(m.file)})` : id;
  };
  const items: ChecklistItem[] = [];
  const item = (i: ItemInput) => items.push(makeItem(i));

  // 1. One head.
  {
    const heads = [...graph.heads].sort();
    if (heads.length === 1) {
      item({ id: 'single-head', title: 'The revision graph has exactly one head', status: 'pass', summary: heads[0]!, evidence: [`head: ${describe(heads[0]!)}`] });
    } else if (heads.length === 0) {
      item({
        id: 'single-head',
        title: 'The revision graph has exactly one head',
        status: 'fail',
        summary: 'no head: every revision has a child (a cycle)',
        evidence: graph.cycles.map((c) => `cycle: ${c.join(' -> ')}`),
      });
    } else {
      const advice =
        chain.framework === 'alembic'
          ? 'merge them before deploying: `alembic merge heads -m "merge heads"`, commit the merge revision, and verify again'
          : 'give the migrations one order before deploying';
      item({
        id: 'single-head',
        title: 'The revision graph has exactly one head',
        status: 'fail',
        summary: `${heads.length} heads: ${heads.join(', ')}`,
        evidence: [...heads.map((h) => `head: ${describe(h)}`), advice],
      });
    }
  }

  // 2. The database's revision is in the code.
  {
    const title = "The database's current revision exists in the code";
    const evidence: string[] = [];
    let status: ItemStatus = 'pass';
    let summary: string;
    if (!state.exists) {
      summary = 'fresh database: no migration applied yet';
      evidence.push(`no table ${spec.table}: no migration was applied (a fresh database)`);
    } else if (state.heads.length === 0 && state.listed.length === 0 && state.failed.length === 0) {
      summary = 'no migration applied yet';
      evidence.push(`${spec.table} is empty (${state.rows} rows): no migration applied`);
    } else {
      for (const u of applied.unknown) {
        evidence.push(
          `Can't locate revision identified by '${u}': ${spec.table} records it, but no migration in ${rel(chain.dir)} declares it (the database was migrated from another branch, or the revision was deleted or renamed)`,
        );
      }
      for (const f of state.failed) {
        evidence.push(`${f} started and did not finish (${spec.kind === 'golang-migrate' ? 'dirty' : 'failed'} in ${spec.table}): repair it by hand before migrating`);
      }
      const known = applied.current.filter((c) => graph.nodes.has(c));
      if (known.length > 0) {
        evidence.unshift(
          `${spec.table}: ${known.length === 1 ? 'at' : 'at the revisions'} ${known.map(describe).join(', ')}` +
            (state.listed.length > 0 ? `; ${state.listed.length} applied versions recorded` : ''),
        );
      }
      if (applied.unknown.length > 0) {
        status = 'fail';
        summary = `Can't locate revision ${applied.unknown.map((u) => `'${u}'`).join(', ')}`;
      } else if (state.failed.length > 0) {
        status = 'fail';
        summary = `unfinished migration ${state.failed.join(', ')}`;
      } else {
        summary = `at ${applied.current.join(', ')}`;
      }
    }
    item({ id: 'known-revision', title, status, summary, evidence });
  }

  // 3. The lock file: nothing applied or locked was edited, and everything applied is locked.
  items.push(await lockItem(opts, chain, graph, applied, rel));

  // 4. The pending migrations, in order.
  const pending = applied.pending;
  if (pending === null) {
    item({
      id: 'pending',
      title: 'The pending migrations are known, in order',
      status: 'skipped',
      summary: "not checked: the database's revision is not in the code",
      evidence: ['which migrations would run depends on a revision this checkout does not have'],
    });
  } else {
    const from = applied.current.length > 0 ? applied.current.join(', ') : 'an empty database';
    const to = graph.heads.length > 0 ? [...graph.heads].sort().join(', ') : '(no head)';
    item({
      id: 'pending',
      title: 'The pending migrations are known, in order',
      status: 'pass',
      summary: pending.length === 0 ? 'nothing to run: the database is at the head' : `${pending.length} to run, from ${from} to ${to}`,
      evidence: pending.map((m, i) => `${i + 1}. ${label(m)} ${rel(m.file)}${m.message ? ` (${firstLine(m.message)})` : ''}`),
    });
  }

  // 5 and 6. One lint run over the pending migrations: the policy, with the reversibility rules forced on.
  if (pending === null) {
    const why = "which migrations would run is unknown (the database's revision is not in the code)";
    const summary = 'not checked: the pending migrations are unknown';
    item({ id: 'policy', title: `The pending migrations pass the policy (${policy.label})`, status: 'skipped', summary, evidence: [why] });
    item({ id: 'reversible', title: 'The pending migrations are reversible and their downgrades lose no data', status: 'skipped', summary, evidence: [why] });
  } else if (pending.length === 0) {
    item({ id: 'policy', title: `The pending migrations pass the policy (${policy.label})`, status: 'pass', summary: 'nothing to run', evidence: [] });
    item({ id: 'reversible', title: 'The pending migrations are reversible and their downgrades lose no data', status: 'pass', summary: 'nothing to run', evidence: [] });
  } else {
    const rules = { ...policy.config.rules };
    for (const id of REVERSIBILITY) if (rules[id]) rules[id] = { ...rules[id]!, severity: 'error' };
    for (const id of COVERED_ELSEWHERE) if (rules[id]) rules[id] = { ...rules[id]!, severity: 'off' };
    const lintConfig: ResolvedConfig = { ...policy.config, rules };
    const files = new Set(pending.flatMap((m) => [m.file, ...m.companions.map((c) => c.file)]));
    const result = await lint({ cwd, paths: pending.map((m) => m.file), config: lintConfig, lockfile: null, cache: opts.cache ?? null });
    const mine = result.findings.filter((f) => files.has(f.file));
    const toItem = (f: Finding): ItemFinding => ({
      rule: f.ruleId,
      severity: f.severity,
      file: rel(f.file),
      line: f.line,
      column: f.column,
      message: f.message,
      migration: f.migration,
    });
    const policyErrors = mine.filter((f) => {
      if (!REVERSIBILITY.includes(f.ruleId)) return f.severity === 'error';
      // A reversibility rule counts for the policy only at the level the policy itself gives it.
      return rulesForFile(policy.config, f.file)[f.ruleId]?.severity === 'error';
    });
    const reversibility = mine.filter((f) => REVERSIBILITY.includes(f.ruleId));
    const line = (f: ItemFinding) => `${f.file}:${f.line}:${f.column} ${f.rule}: ${f.message}`;
    item({
      id: 'policy',
      title: `The pending migrations pass the policy (${policy.label})`,
      status: policyErrors.length === 0 ? 'pass' : 'fail',
      summary:
        policyErrors.length === 0
          ? `no error-level finding in ${pending.length} pending migration${pending.length === 1 ? '' : 's'}`
          : `${policyErrors.length} error-level finding${policyErrors.length === 1 ? '' : 's'}`,
      evidence: policyErrors.map(toItem).map(line),
      findings: policyErrors.map(toItem),
    });
    const downs = pending.map((m) => `${label(m)}: ${downgradeShape(m)}`);
    item({
      id: 'reversible',
      title: 'The pending migrations are reversible and their downgrades lose no data',
      status: reversibility.length === 0 ? 'pass' : 'fail',
      summary:
        reversibility.length === 0
          ? `every pending downgrade is present, complete and keeps the data (${REVERSIBILITY.join(', ')})`
          : `${reversibility.length} finding${reversibility.length === 1 ? '' : 's'} of ${[...new Set(reversibility.map((f) => f.ruleId))].join(', ')}`,
      evidence: reversibility.length === 0 ? downs : reversibility.map(toItem).map(line),
      findings: reversibility.map(toItem),
    });
  }

  // 7. Timeouts on the connection the migrations will run on, or set by the migrations.
  items.push(timeoutItem(settings, chain, pending, rel));

  // 8. Statements that block traffic, on tables the live database says are large.
  items.push(await largeTablesItem(db, pending, policy.config.sizes, rel));

  // 9. A backup, attested by whoever took it.
  {
    const backup = opts.attest.backup;
    item({
      id: 'backup',
      title: 'A backup was taken',
      status: backup ? 'pass' : 'fail',
      summary: backup ? `attested: ${backup}` : 'not attested',
      evidence: backup
        ? [`--attest backup=${backup}`]
        : ['migralint cannot see backups: take one (or check the latest snapshot), then pass --attest backup=<reference>'],
    });
  }

  const summary = {
    passed: items.filter((i) => i.status === 'pass').length,
    failed: items.filter((i) => i.status === 'fail').length,
    skipped: items.filter((i) => i.status === 'skipped').length,
  };
  return {
    ok: items.every((i) => !i.required || i.status === 'pass'),
    database: {
      url: db.label,
      driver: db.kind,
      server: settings.server,
      versionTable: spec.table,
      versionTableKind: spec.kind,
      versionTableExists: state.exists,
      current: applied.current,
    },
    migrations: { directory: rel(chain.dir), framework: chain.framework, heads: [...graph.heads].sort() },
    policy: policy.label,
    pending: pending === null ? null : pending.map((m) => ({ revision: m.revision?.value ?? null, file: rel(m.file), message: m.message ? firstLine(m.message) : null })),
    attestations: { ...opts.attest },
    items,
    summary,
  };
}

type ItemInput = Omit<ChecklistItem, 'ok' | 'required'> & { required?: boolean };

/** Every item with its keys in one order, so the JSON output reads the same for each. */
function makeItem(i: ItemInput): ChecklistItem {
  return {
    id: i.id,
    title: i.title,
    status: i.status,
    ok: i.status === 'pass',
    required: i.required ?? true,
    summary: i.summary,
    evidence: i.evidence,
    ...(i.findings ? { findings: i.findings } : {}),
  };
}

function label(m: Migration): string {
  return m.revision?.value ?? path.basename(m.file);
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]!.trim();
}

function downgradeShape(m: Migration): string {
  switch (m.downgrade.shape) {
    case 'missing':
      return 'no downgrade';
    case 'empty':
      return 'empty downgrade (nothing to undo)';
    case 'raises':
      return 'downgrade raises';
    default:
      return `downgrade with ${m.downgrade.operations.length} step${m.downgrade.operations.length === 1 ? '' : 's'}`;
  }
}

async function lockItem(
  opts: VerifyOptions,
  chain: MigrationSet,
  graph: ReturnType<typeof buildGraph>,
  applied: AppliedSet,
  rel: (f: string) => string,
): Promise<ChecklistItem> {
  const title = 'No applied or locked migration was modified, and every applied one is locked';
  const lock: LockState | null = opts.lockfile ? await readLock(opts.lockfile) : null;
  const evidence: string[] = [];
  const findings: ItemFinding[] = [];
  const lockName = opts.lockfile ? rel(opts.lockfile) : '(--no-lock)';
  if (lock) {
    evidence.push(`lock file ${lockName}: ${lock.entries.length} entr${lock.entries.length === 1 ? 'y' : 'ies'}`);
    const rule = await loadRule('applied-migration-modified');
    if (rule.scope !== 'project') throw new Error('applied-migration-modified is expected to be a project rule');
    const project: ProjectView = {
      sets: [{ set: chain, graph }],
      completeDirs: [chain.dir],
      lock,
      fingerprint,
    };
    rule.check(
      {
        settings: { dialect: chain.dialect, postgresVersion: opts.config.postgresVersion },
        report: (d) => {
          const loc = 'loc' in d.at ? d.at.loc : d.at;
          const message = formatMessage((rule.meta.messages as Record<string, string>)[d.messageId]!, d.data);
          findings.push({ rule: rule.id, severity: 'error', file: rel(d.file), line: loc.line, column: loc.column, message, migration: d.migration?.revision?.value ?? null });
        },
      },
      project,
      {},
    );
    for (const f of findings) evidence.push(`${f.file}:${f.line} ${f.message}`);
  } else {
    evidence.push(opts.lockfile ? `no lock file at ${lockName}` : 'lock file disabled (--no-lock)');
  }
  const locked = (m: Migration) =>
    !!lock && lock.entries.some((e) => (e.revision !== null && e.revision === m.revision?.value) || e.file === m.file);
  const unlocked = applied.migrations.filter((m) => !locked(m));
  if (unlocked.length > 0) {
    const shown = unlocked.slice(0, 5).map((m) => `${label(m)} (${rel(m.file)})`);
    if (unlocked.length > shown.length) shown.push(`and ${unlocked.length - shown.length} more`);
    evidence.push(
      `applied but not in the lock file: ${shown.join(', ')}; ` +
        'once you have checked these are the files that ran, record them: migralint lock --from-database <url>',
    );
  }
  if (applied.unknown.length > 0) evidence.push(`not compared: ${applied.unknown.join(', ')} (not in the code)`);
  const ok = findings.length === 0 && unlocked.length === 0;
  // With a revision the code does not have, which migrations are applied is unknown: so is whether they are locked.
  const unknownApplied = applied.unknown.length > 0 && findings.length === 0;
  let summary: string;
  if (unknownApplied) {
    summary = 'not checked: the applied migrations are unknown';
  } else if (ok) {
    summary = applied.migrations.length === 0 && !lock ? 'nothing applied, nothing to compare' : `${applied.migrations.length} applied migration${applied.migrations.length === 1 ? '' : 's'} locked and unchanged`;
  } else {
    const parts: string[] = [];
    if (findings.length > 0) parts.push(`${findings.length} locked migration${findings.length === 1 ? '' : 's'} modified or removed`);
    if (unlocked.length > 0) parts.push(`${unlocked.length} applied migration${unlocked.length === 1 ? '' : 's'} not locked`);
    summary = parts.join('; ');
  }
  return makeItem({ id: 'lock', title, status: unknownApplied ? 'skipped' : ok ? 'pass' : 'fail', summary, evidence, findings });
}

/**
 * Each pending statement that blocks writes (or reads) on an existing table, with the table's size
 * as the database estimates it; fails when one of them is on a large table (the policy's `sizes`).
 * Tables the pending migrations create themselves are new: nobody waits on them.
 */
async function largeTablesItem(
  db: Database,
  pending: Migration[] | null,
  sizes: ResolvedConfig['sizes'],
  rel: (f: string) => string,
): Promise<ChecklistItem> {
  const title = 'Lock-heavy statements on large tables';
  if (pending === null) {
    return makeItem({ id: 'large-tables', title, status: 'skipped', summary: 'not checked: the pending migrations are unknown', evidence: [] });
  }
  const created = new Set<string>();
  const heavy: { m: Migration; op: Operation; mode: string; table: string }[] = [];
  for (const m of pending) {
    for (const op of m.upgrade.operations) {
      if (op.kind === 'create_table' && op.table) created.add(normalizeName(op.table)!);
      const lock = lockOf(op);
      if (!lock?.table || lockBlocks(lock.mode) === 'schema changes' || op.kind === 'create_table') continue;
      if (created.has(normalizeName(lock.table)!)) continue;
      heavy.push({ m, op, mode: lock.mode, table: lock.table });
    }
  }
  const names = [...new Set(heavy.map((h) => normalizeName(h.table)!))];
  const found = new Map<string, { rows: number; bytes: number }>();
  if (names.length > 0) {
    const rows = await db.query<{ name: string; reltuples: number; relpages: number; live: number; bytes: number }>(
      `SELECT c.relname AS name, c.reltuples::float8 AS reltuples, c.relpages::float8 AS relpages,
              COALESCE(s.n_live_tup, 0)::float8 AS live, pg_total_relation_size(c.oid)::float8 AS bytes
       FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
       WHERE c.relkind IN ('r', 'p') AND c.relname = ANY($1) AND pg_table_is_visible(c.oid)`,
      [names],
    );
    for (const r of rows) {
      const t = Number(r.reltuples);
      const unknown = t < 0 || (t === 0 && Number(r.relpages) === 0);
      found.set(r.name, { rows: Math.round(unknown ? Number(r.live) : t), bytes: Number(r.bytes) });
    }
  }
  const { describeSize } = await import('../engine/production.js');
  const evidence: string[] = [];
  let large = 0;
  for (const h of heavy) {
    const size = found.get(normalizeName(h.table)!);
    const where = `${label(h.m)} ${rel(h.op.loc.file ?? h.m.file)}:${h.op.loc.line}`;
    if (!size) {
      evidence.push(`${where}: ${h.mode} on ${h.table} (not in the database)`);
      continue;
    }
    const isLarge = size.rows >= sizes.large || size.bytes >= sizes.largeBytes;
    if (isLarge) large++;
    evidence.push(`${where}: ${h.mode} on ${h.table} (${describeSize(size.rows, size.bytes)})${isLarge ? ': large' : ''}`);
  }
  const n = heavy.length;
  const summary =
    n === 0
      ? 'no pending statement blocks traffic on an existing table'
      : large > 0
        ? `${large} of ${n} lock-heavy statement${n === 1 ? '' : 's'} on a large table (${sizes.large} rows or ${sizes.largeBytes} bytes)`
        : `${n} lock-heavy statement${n === 1 ? '' : 's'}, none on a large table`;
  return makeItem({ id: 'large-tables', title, status: large > 0 ? 'fail' : 'pass', summary, evidence });
}

interface ConnectionSettings {
  server: string | null;
  lock_timeout: string | null;
  statement_timeout: string | null;
}

async function connectionSettings(db: Database): Promise<ConnectionSettings> {
  const show = async (name: string) => {
    const rows = await db.query(`SHOW ${name}`);
    const row = rows[0];
    return row ? String(Object.values(row)[0]) : null;
  };
  return { server: await show('server_version'), lock_timeout: await show('lock_timeout'), statement_timeout: await show('statement_timeout') };
}

/** 0 (in any unit) and empty disable a timeout. */
export function isUnset(value: string | null | undefined): boolean {
  if (value === null || value === undefined) return true;
  const v = value.trim().replace(/^'(.*)'$/s, '$1').trim();
  return v === '' || /^default$/i.test(v) || /^0+(?:\.0*)?\s*(?:us|ms|s|min|h|d)?$/i.test(v);
}

const TIMEOUTS = ['lock_timeout', 'statement_timeout'] as const;

function timeoutItem(settings: ConnectionSettings, chain: MigrationSet, pending: Migration[] | null, rel: (f: string) => string): ChecklistItem {
  const title = 'lock_timeout and statement_timeout are set for the migrations';
  const evidence: string[] = [];
  const missing: string[] = [];
  let unknown = false;
  for (const name of TIMEOUTS) {
    const onConnection = settings[name];
    if (!isUnset(onConnection)) {
      evidence.push(`${name}: ${onConnection} on the connection (SHOW ${name})`);
      continue;
    }
    const conn = `${name}: 0 on the connection (unset)`;
    // The runner's own settings (env.py, the config's runner) apply to every migration of the chain.
    const runs = pending ?? chain.migrations;
    const runner = runs.length > 0 ? runs.map((m) => m.runnerSettings.filter((s) => s.name === name).pop()) : [];
    if (runner.length > 0 && runner.every((s) => s && !isUnset(s.value))) {
      const s = runner[0]!;
      const origin = path.isAbsolute(s.origin) ? rel(s.origin) : s.origin;
      const where = s.loc ? `${origin}:${s.loc.line}` : origin;
      evidence.push(`${conn}; the runner sets it: ${s.value} (${where})`);
      continue;
    }
    if (pending === null) {
      unknown = true;
      evidence.push(`${conn}, and the runner does not set it; which migrations run is unknown, so their own SETs cannot be checked`);
      continue;
    }
    if (pending.length === 0) {
      evidence.push(`${conn}; nothing to run`);
      continue;
    }
    const gaps = pending.map((m) => ({ m, gap: firstLockBeforeSet(m, name) })).filter((x) => x.gap !== null);
    if (gaps.length === 0) {
      evidence.push(`${conn}; every pending migration sets it before its first locking statement`);
      continue;
    }
    missing.push(name);
    evidence.push(
      `${conn}, the runner does not set it, and ${gaps
        .map(({ m, gap }) => `${label(m)} takes a lock (${rel(gap!.file ?? m.file)}:${gap!.line}) before any SET ${name}`)
        .join('; ')}`,
    );
  }
  if (missing.length > 0) {
    evidence.push(
      "set them for the role the migrations run as (ALTER ROLE <role> SET lock_timeout = '5s'; ALTER ROLE <role> SET statement_timeout = '15min'), " +
        'on the connection in env.py, as runner.lockTimeout / runner.statementTimeout in the migralint config, or with SET at the top of each migration',
    );
  }
  const status: ItemStatus = missing.length > 0 ? 'fail' : unknown ? 'skipped' : 'pass';
  const summary = status === 'pass' ? 'both set' : status === 'skipped' ? 'not checked: the pending migrations are unknown' : `not set: ${missing.join(', ')}`;
  return makeItem({ id: 'timeouts', title, status, summary, evidence });
}

/** Where `m` first takes a table lock with `name` not yet set by its own statements; null when it never does. */
function firstLockBeforeSet(m: Migration, name: string): { line: number; file?: string } | null {
  let set = false;
  for (const op of m.upgrade.operations) {
    for (const v of settingsIn(op, name)) set = !isUnset(v);
    if (set) continue;
    if (lockOf(op)) return { line: op.loc.line, ...(op.loc.file ? { file: op.loc.file } : {}) };
  }
  return null;
}

const SET_RE = /^\s*SET\s+(?:SESSION\s+|LOCAL\s+)?([\w.]+)\s*(?:=|\bTO\b)\s*([\s\S]*?)\s*;?\s*$/i;

/** Values `op` gives the setting `name` (null for RESET). */
function settingsIn(op: Operation, name: string): (string | null)[] {
  if (op.kind === 'set_setting') return normalizeName(op.name) === name ? [op.value] : [];
  if (op.kind === 'execute_sql') {
    return op.statements.flatMap((st) => {
      const m = st.keyword === 'SET' ? SET_RE.exec(st.text) : null;
      return m && m[1]!.toLowerCase() === name ? [m[2]!] : [];
    });
  }
  return [];
}
