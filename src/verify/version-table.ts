// Where each migration tool records what it applied, and how to read it back as revision ids
// the model uses (Migration.revision).
import type { Database } from './drivers.js';
import { DatabaseError } from './drivers.js';

export type VersionKind = 'alembic' | 'flyway' | 'golang-migrate' | 'diesel' | 'goose' | 'dbmate' | 'prisma';

export const VERSION_TABLES: Record<VersionKind, { table: string; columns: string }> = {
  alembic: { table: 'alembic_version', columns: 'version_num' },
  flyway: { table: 'flyway_schema_history', columns: 'version, script, type, success' },
  'golang-migrate': { table: 'schema_migrations', columns: 'version, dirty' },
  diesel: { table: '__diesel_schema_migrations', columns: 'version' },
  goose: { table: 'goose_db_version', columns: 'version_id, is_applied' },
  dbmate: { table: 'schema_migrations', columns: 'version' },
  prisma: { table: '_prisma_migrations', columns: 'migration_name, finished_at, rolled_back_at' },
};

export const VERSION_KINDS = Object.keys(VERSION_TABLES) as VersionKind[];

export interface VersionSpec {
  kind: VersionKind;
  /** As given (possibly schema-qualified). */
  table: string;
}

export class VersionTableUsageError extends Error {
  override name = 'UsageError';
}

/**
 * The version table of a chain: its framework's, or `--version-table`: a kind (`flyway`), a
 * table (`ops.alembic_version`, read the framework's way) or both (`goose:ops.goose_versions`).
 */
export function versionSpecFor(framework: string, override?: string): VersionSpec {
  const own = (VERSION_KINDS as string[]).includes(framework) ? (framework as VersionKind) : null;
  if (override === undefined || override === '') {
    if (!own) {
      throw new VersionTableUsageError(
        `migrations of framework "${framework}" have no known version table; name it with --version-table <kind>[:<table>] (kinds: ${VERSION_KINDS.join(', ')})`,
      );
    }
    return { kind: own, table: VERSION_TABLES[own].table };
  }
  const colon = override.indexOf(':');
  if (colon >= 0) {
    const kind = override.slice(0, colon);
    const table = override.slice(colon + 1);
    if (!(VERSION_KINDS as string[]).includes(kind)) {
      throw new VersionTableUsageError(`--version-table: unknown kind "${kind}"; expected one of ${VERSION_KINDS.join(', ')}`);
    }
    if (!validTable(table)) throw new VersionTableUsageError(`--version-table: "${table}" is not a table name`);
    return { kind: kind as VersionKind, table };
  }
  if ((VERSION_KINDS as string[]).includes(override)) return { kind: override as VersionKind, table: VERSION_TABLES[override as VersionKind].table };
  if (!validTable(override)) throw new VersionTableUsageError(`--version-table: "${override}" is not a table name or a kind (${VERSION_KINDS.join(', ')})`);
  if (!own) {
    throw new VersionTableUsageError(
      `--version-table ${override}: say how to read it for framework "${framework}", e.g. --version-table flyway:${override}`,
    );
  }
  return { kind: own, table: override };
}

/** Plain or schema-qualified identifiers, optionally double-quoted. */
function validTable(name: string): boolean {
  return /^(?:"[^"]+"|[A-Za-z_][\w$]*)(?:\.(?:"[^"]+"|[A-Za-z_][\w$]*))?$/.test(name);
}

export interface VersionState {
  spec: VersionSpec;
  /** false: no such table, so nothing was applied (a fresh database). */
  exists: boolean;
  /**
   * Revisions the table marks as current: everything below them (parents, depends_on) is applied.
   * Alembic's rows (one per head), golang-migrate's single version, a Flyway baseline.
   */
  heads: string[];
  /** Revisions the table lists one by one as applied (Flyway, Diesel, goose, dbmate, Prisma). */
  listed: string[];
  /** Migrations that started and did not finish: a dirty golang-migrate version, a failed Flyway or Prisma row. */
  failed: string[];
  /** Rows read, for evidence. */
  rows: number;
}

export async function readVersionTable(db: Database, spec: VersionSpec): Promise<VersionState> {
  const state: VersionState = { spec, exists: false, heads: [], listed: [], failed: [], rows: 0 };
  const found = await db.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [spec.table]);
  if (!found[0]?.present) return state;
  state.exists = true;
  const t = spec.table;
  const read = async <T extends Record<string, unknown>>(sql: string): Promise<T[]> => {
    try {
      return await db.query<T>(sql);
    } catch (err) {
      throw new DatabaseError(
        `${t} is not ${spec.kind}'s version table as expected (columns ${VERSION_TABLES[spec.kind].columns}): ${(err as Error).message}`,
      );
    }
  };
  switch (spec.kind) {
    case 'alembic': {
      const rows = await read<{ version_num: string }>(`SELECT version_num FROM ${t} ORDER BY version_num`);
      state.rows = rows.length;
      state.heads = rows.map((r) => String(r.version_num));
      break;
    }
    case 'golang-migrate': {
      const rows = await read<{ version: unknown; dirty: boolean }>(`SELECT version, dirty FROM ${t}`);
      state.rows = rows.length;
      for (const r of rows) {
        const v = integerVersion(String(r.version));
        // golang-migrate records -1 (NilVersion) after migrating all the way down.
        if (v === '-1') continue;
        state.heads.push(v);
        if (r.dirty) state.failed.push(v);
      }
      break;
    }
    case 'flyway': {
      const rows = await read<{ version: string | null; script: string; type: string; success: boolean }>(
        `SELECT version, script, type, success FROM ${t} ORDER BY installed_rank`,
      );
      state.rows = rows.length;
      for (const r of rows) {
        if (r.type === 'SCHEMA' || r.type === 'DELETE') continue;
        const id = r.version === null ? `R__${String(r.script).replace(/^R__/, '').replace(/\.sql$/, '')}` : flywayVersion(r.version);
        if (!r.success) state.failed.push(id);
        else if (r.type === 'BASELINE') state.heads.push(id);
        else if (!state.listed.includes(id)) state.listed.push(id);
      }
      break;
    }
    case 'diesel':
    case 'dbmate': {
      const rows = await read<{ version: string }>(`SELECT version FROM ${t} ORDER BY version`);
      state.rows = rows.length;
      state.listed = rows.map((r) => String(r.version));
      break;
    }
    case 'goose': {
      const rows = await read<{ version_id: unknown; is_applied: boolean }>(`SELECT version_id, is_applied FROM ${t} ORDER BY id`);
      state.rows = rows.length;
      // The latest row of a version decides: goose writes is_applied = false when it rolls one back.
      const latest = new Map<string, boolean>();
      for (const r of rows) latest.set(integerVersion(String(r.version_id)), Boolean(r.is_applied));
      latest.delete('0');
      state.listed = [...latest].filter(([, applied]) => applied).map(([v]) => v);
      break;
    }
    case 'prisma': {
      const rows = await read<{ migration_name: string; finished: boolean; rolled_back: boolean }>(
        `SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back FROM ${t} ORDER BY started_at`,
      );
      state.rows = rows.length;
      const latest = new Map<string, { finished: boolean; rolledBack: boolean }>();
      for (const r of rows) latest.set(String(r.migration_name), { finished: Boolean(r.finished), rolledBack: Boolean(r.rolled_back) });
      for (const [name, s] of latest) {
        if (s.rolledBack) continue;
        if (s.finished) state.listed.push(name);
        else state.failed.push(name);
      }
      break;
    }
  }
  return state;
}

/** 0042 and 42 are the same version to golang-migrate and goose. */
function integerVersion(v: string): string {
  const t = v.trim();
  return /^-?\d+$/.test(t) ? BigInt(t).toString() : t;
}

/** Flyway's 1.2, 1_2, 001.2 and 1.2.0 are one version; migralint names it 1.2. */
export function flywayVersion(v: string): string {
  const parts = v.trim().split(/[._]/);
  if (!parts.every((p) => /^\d+$/.test(p))) return v.trim();
  const nums = parts.map((p) => BigInt(p));
  while (nums.length > 1 && nums[nums.length - 1] === 0n) nums.pop();
  return nums.join('.');
}
