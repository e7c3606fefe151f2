// Questions rules ask about migrations, answered once here so rules stay small and agree
// with each other. Framework-neutral: only the model's shapes are read.
import type {
  Body,
  Migration,
  Operation,
  SqlStatement,
} from './types.js';

/** SQL identifiers are case-insensitive unless quoted; compare them the way PostgreSQL does. */
export function normalizeName(name: string | null | undefined): string | null {
  if (name == null) return null;
  const trimmed = name.trim();
  if (trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.length >= 2) return trimmed.slice(1, -1);
  return trimmed.toLowerCase();
}

export function sameName(a: string | null | undefined, b: string | null | undefined): boolean {
  const na = normalizeName(a);
  const nb = normalizeName(b);
  return na !== null && nb !== null && na === nb;
}

/** The table an operation acts on, when it acts on one. */
export function operationTable(op: Operation): string | null {
  switch (op.kind) {
    case 'execute_sql':
    case 'transaction_control':
    case 'set_setting':
    case 'sql_error':
    case 'unknown':
      return null;
    default:
      return op.table;
  }
}

/** Tables created by CREATE TABLE-like operations in this body (normalised names). */
export function tablesCreated(body: Body): Set<string> {
  const created = new Set<string>();
  for (const op of body.operations) {
    if (op.kind === 'create_table' && op.table) created.add(normalizeName(op.table)!);
    if (op.kind === 'rename_table' && op.newName && op.table && created.has(normalizeName(op.table)!)) {
      created.add(normalizeName(op.newName)!);
    }
    if (op.kind === 'execute_sql') {
      for (const st of op.statements) {
        if (st.keyword === 'CREATE TABLE' && st.table) created.add(normalizeName(st.table)!);
      }
    }
  }
  return created;
}

export function createdInSameBody(body: Body, table: string | null): boolean {
  if (!table) return false;
  return tablesCreated(body).has(normalizeName(table)!);
}

/** A statement that changes rows (not structure). */
export function isDataStatement(st: SqlStatement): boolean {
  return st.category === 'data';
}

export function isSchemaStatement(st: SqlStatement): boolean {
  return st.category === 'schema';
}

/** Does this operation change the schema (structure)? */
export function changesSchema(op: Operation): boolean {
  switch (op.kind) {
    case 'create_table':
    case 'drop_table':
    case 'rename_table':
    case 'add_column':
    case 'drop_column':
    case 'alter_column':
    case 'create_index':
    case 'drop_index':
    case 'add_constraint':
    case 'drop_constraint':
    case 'validate_constraint':
      return true;
    case 'execute_sql':
      return op.statements.some(isSchemaStatement);
    case 'sql':
      return op.category === 'schema';
    default:
      return false;
  }
}

/** Does this operation change data (rows)? */
export function changesData(op: Operation): boolean {
  if (op.kind === 'data_change') return true;
  if (op.kind === 'sql') return op.category === 'data';
  if (op.kind === 'execute_sql') return op.statements.some(isDataStatement);
  return false;
}

/**
 * The tables whose rows an operation changes: null in the list means "a table we cannot name".
 * Empty when the operation changes no data.
 */
export function dataTargets(op: Operation): (string | null)[] {
  if (op.kind === 'data_change') return [op.table];
  if (op.kind === 'sql') return op.category === 'data' ? [op.table] : [];
  if (op.kind === 'execute_sql') return op.statements.filter(isDataStatement).map((s) => s.table);
  return [];
}

/**
 * Does `op` write values into `table.column`? Returns 'yes', 'no', or 'maybe' when the
 * operation changes data on a table or column we cannot name.
 */
export function writesColumn(op: Operation, table: string | null, column: string | null): 'yes' | 'no' | 'maybe' {
  if (op.kind === 'data_change') {
    if (op.action === 'insert' || op.action === 'bulk_insert' || op.action === 'delete' || op.action === 'truncate' || op.action === 'copy') {
      return op.table === null ? 'maybe' : 'no';
    }
    if (op.table === null) return 'maybe';
    if (!sameName(op.table, table)) return 'no';
    if (op.columns.length === 0) return 'maybe';
    return op.columns.some((c) => sameName(c, column)) ? 'yes' : 'no';
  }
  if (op.kind === 'execute_sql') {
    let result: 'yes' | 'no' | 'maybe' = 'no';
    for (const st of op.statements) {
      if (st.keyword !== 'UPDATE' && st.category === 'data') continue;
      if (st.keyword !== 'UPDATE') continue;
      if (st.table === null) {
        result = 'maybe';
        continue;
      }
      if (!sameName(st.table, table)) continue;
      if (column === null) return 'maybe';
      // The SET list is in the text; a word match is enough to tell a backfill of this column.
      const re = new RegExp(`\\bSET\\b[\\s\\S]*\\b"?${escapeRegExp(column)}"?\\s*=`, 'i');
      if (re.test(st.text)) return 'yes';
      result = result === 'no' ? 'no' : result;
    }
    if (result === 'no' && !op.textKnown) return 'maybe';
    return result;
  }
  return 'no';
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A revision is a merge point when it has two or more parents. */
export function isMergeRevision(m: Migration): boolean {
  return (m.parents?.value.length ?? 0) > 1;
}

/** The revision id, or the file name when the id cannot be read. */
export function migrationLabel(m: Migration): string {
  return m.revision?.value ?? m.file.split(/[\\/]/).pop() ?? m.file;
}

/** The last segment of a path, for messages; rules do not import node:path. */
export function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/** A migration with nothing read yet; front ends fill it in, the engine uses it for unreadable files. */
export function emptyMigration(file: string, framework: string, dialect: Migration['dialect']): Migration {
  const missing = (): Body => ({ shape: 'missing', loc: null, operations: [] });
  return {
    file,
    framework,
    dialect,
    revision: null,
    parents: null,
    branchLabels: null,
    dependsOn: null,
    message: null,
    upgrade: missing(),
    downgrade: missing(),
    imports: [],
    comments: [],
    autogenerateMarkers: [],
    parseError: null,
    source: '',
    companions: [],
    transaction: { mode: 'per-migration', reason: 'default', file: null, loc: null },
    runnerSettings: [],
  };
}

/**
 * Does `op` remove every row of `table` (DELETE without WHERE, TRUNCATE)? After that, adding a
 * NOT NULL column without a default is safe: there is no row to fill.
 */
export function emptiesTable(op: Operation, table: string | null): boolean {
  if (!table) return false;
  if (op.kind === 'data_change') {
    return (op.action === 'truncate' || (op.action === 'delete' && op.hasWhere === false)) && sameName(op.table, table);
  }
  if (op.kind !== 'execute_sql') return false;
  return op.statements.some((st) => {
    if (st.keyword === 'DELETE') return sameName(st.table, table) && !/\bWHERE\b/i.test(st.text);
    if (st.keyword === 'TRUNCATE') {
      const m = /^\s*TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?([^;]*)/i.exec(st.text);
      const names = (m?.[1] ?? '').split(/\s+(?:RESTART|CONTINUE|CASCADE|RESTRICT)\b/i)[0]!.split(',');
      return names.some((n) => sameName(n.trim().split('.').pop()!.replace(/\*$/, '').trim(), table));
    }
    return false;
  });
}
