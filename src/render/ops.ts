// One renderer per operation kind. The text follows SQLAlchemy's PostgreSQL DDL compiler (what
// `alembic upgrade --sql` prints), which the other frameworks' operations share: their SQL differs
// in quoting and spelling only, not in what PostgreSQL does.
import type { ColumnSpec, CreateTableOp, Operation, TableConstraintSpec } from '../model/index.js';
import { columnOrExpression, ident, literal, qualified } from './names.js';
import type { Piece, RendererTable } from './types.js';

const no = (why: string): Piece[] => [{ notRendered: why }];
const sql = (...statements: string[]): Piece[] => statements.map((s) => ({ sql: s }));

function table(op: { table: string | null; schema: string | null }): string | null {
  return op.table === null ? null : qualified(op.schema, op.table);
}

function typeOf(c: { type?: string | null; sqlType?: string | null }): string | null {
  return c.sqlType !== undefined ? c.sqlType : (c.type ?? null);
}

const SERIALS: Record<string, string> = { INTEGER: 'SERIAL', BIGINT: 'BIGSERIAL', SMALLINT: 'SMALLSERIAL' };

/** `name TYPE [DEFAULT x] [GENERATED ...] [NOT NULL]`, or why it cannot be written. */
function columnDef(c: ColumnSpec): string | { why: string } {
  if (c.name === null) return { why: 'the column is not a literal sa.Column(...) (a variable or helper)' };
  let type = typeOf(c);
  if (type === null) {
    return { why: c.type ? `column ${c.name}: the type ${c.type} has no known PostgreSQL spelling` : `column ${c.name} has no type` };
  }
  // An integer primary key that the database fills becomes SERIAL (SQLAlchemy's autoincrement).
  if (c.primaryKey && c.generated && c.generatedSql === undefined && c.serverDefault === null && SERIALS[type]) type = SERIALS[type]!;
  let out = `${ident(c.name)} ${type}`;
  if (c.serverDefault) {
    if (c.serverDefault.sql === null) return { why: `column ${c.name}: the default ${c.serverDefault.text} is known only at run time` };
    out += ` DEFAULT ${c.serverDefault.sql}`;
  }
  if (c.generatedSql === null) return { why: `column ${c.name}: its Identity/Computed options are not literal` };
  if (c.generatedSql) out += ` ${c.generatedSql}`;
  // An identity column is NOT NULL by itself; SQLAlchemy does not write it.
  if (c.nullable === false && !c.generatedSql?.includes('AS IDENTITY')) out += ' NOT NULL';
  return out;
}

function list(names: string[]): string {
  return names.map(columnOrExpression).join(', ');
}

/** Front ends write `?` (or nothing) for a column whose name is not a literal. */
function unreadable(names: string[]): boolean {
  return names.some((n) => n === '?' || n.trim() === '');
}

function fkActions(c: { onDelete?: string | null; onUpdate?: string | null }): string {
  return `${c.onDelete ? ` ON DELETE ${c.onDelete}` : ''}${c.onUpdate ? ` ON UPDATE ${c.onUpdate}` : ''}`;
}

function deferral(c: { deferrable?: boolean | null; initially?: string | null }): string {
  const d = c.deferrable === true ? ' DEFERRABLE' : c.deferrable === false ? ' NOT DEFERRABLE' : '';
  return `${d}${c.initially ? ` INITIALLY ${c.initially}` : ''}`;
}

/** COMMENT ON COLUMN for a column that declares a comment. */
function columnComment(table: string, c: ColumnSpec): Piece[] {
  if (c.comment === undefined || c.name === null) return [];
  if (c.comment === null) return no(`column ${c.name}: the comment is not a literal`);
  return sql(`COMMENT ON COLUMN ${table}.${ident(c.name)} IS ${literal(c.comment)}`);
}

function tableConstraint(c: TableConstraintSpec, columnName: string | null): string | { why: string } {
  const named = c.name ? `CONSTRAINT ${ident(c.name)} ` : '';
  const cols = c.columns ?? (c.inline && columnName ? [columnName] : []);
  if (unreadable(cols) || unreadable(c.referredColumns ?? [])) return { why: `constraint ${c.name ?? '(unnamed)'}: a column name is not a literal` };
  switch (c.type) {
    case 'primary_key':
      return cols.length > 0 ? `${named}PRIMARY KEY (${list(cols)})${deferral(c)}` : { why: 'a primary key whose columns are not literal' };
    case 'unique':
      return cols.length > 0 ? `${named}UNIQUE (${list(cols)})${deferral(c)}` : { why: 'a unique constraint whose columns are not literal' };
    case 'check':
      return c.condition ? `${named}CHECK (${c.condition})${deferral(c)}` : { why: 'a check constraint whose condition is not literal' };
    case 'foreign_key': {
      const ref = c.referredColumns ?? [];
      if (cols.length === 0 || !c.referredTable) return { why: 'a foreign key whose columns or target are not literal' };
      // No referenced columns: PostgreSQL references the target's primary key.
      const target = ref.length > 0 ? ` (${list(ref)})` : '';
      return `${named}FOREIGN KEY(${list(cols)}) REFERENCES ${qualified(null, c.referredTable)}${target}${fkActions(c)}${deferral(c)}`;
    }
    case 'unknown':
      return { why: `constraint ${c.name ?? '(unnamed)'} is of a kind migralint does not render` };
  }
}

function createTable(op: CreateTableOp): Piece[] {
  const t = table(op);
  if (t === null) return no('the table name is not a literal');
  const out: Piece[] = [];
  const lines: string[] = [];
  const problems: string[] = [];
  for (const c of op.columns) {
    const d = columnDef(c);
    if (typeof d === 'string') lines.push(d);
    else problems.push(d.why);
    // Creating the table creates the enum types its columns declare (SQLAlchemy's before_create).
    if (c.enumType) out.push({ sql: `CREATE TYPE ${ident(c.enumType.name)} AS ENUM (${c.enumType.values.map(literal).join(', ')})` });
  }
  // SQLAlchemy writes the primary key first, then the constraints given as table arguments, then
  // those declared on columns (unique=True, ForeignKey) in column order.
  const explicitPk = op.constraints.find((c) => c.type === 'primary_key' && !c.inline);
  const pkColumns = op.columns.filter((c) => c.primaryKey && c.name !== null).map((c) => c.name!);
  if (explicitPk) {
    const d = tableConstraint(explicitPk, null);
    if (typeof d === 'string') lines.push(d);
    else problems.push(d.why);
  } else if (pkColumns.length > 0) lines.push(`PRIMARY KEY (${list(pkColumns)})`);
  for (const c of op.constraints) {
    if (c.inline || c === explicitPk) continue;
    const d = tableConstraint(c, null);
    if (typeof d === 'string') lines.push(d);
    else problems.push(d.why);
  }
  for (const col of op.columns) {
    if (col.unique && col.name !== null) lines.push(`UNIQUE (${ident(col.name)})`);
    for (const c of op.constraints) {
      if (!c.inline || c.columns?.[0] !== col.name) continue;
      const d = tableConstraint(c, col.name);
      if (typeof d === 'string') lines.push(d);
      else problems.push(d.why);
    }
  }
  if (problems.length > 0) return [...out, ...no(`CREATE TABLE ${t}: ${problems.join('; ')}`)];
  out.push({ sql: `CREATE TABLE ${op.ifNotExists ? 'IF NOT EXISTS ' : ''}${t} (\n    ${lines.join(', \n    ')}\n)` });
  // Comments follow the table, as Alembic's create_table() sends them: the table's, then its columns'.
  if (op.comment === null) out.push({ notRendered: `the comment of ${t} is not a literal` });
  else if (op.comment !== undefined) out.push({ sql: `COMMENT ON TABLE ${t} IS ${literal(op.comment)}`, trailing: true });
  for (const c of op.columns) out.push(...columnComment(t, c).map((p) => ('sql' in p ? { ...p, trailing: true } : p)));
  return out;
}

type AlterColumn = Extract<Operation, { kind: 'alter_column' }>;

function alterColumn(op: AlterColumn): Piece[] {
  const t = table(op);
  if (t === null || op.column === null) return no('the table or column name is not a literal');
  const col = ident(op.column);
  const out: Piece[] = [];
  if (op.type !== undefined || op.sqlType !== undefined) {
    const type = typeOf(op);
    if (type === null) return no(`ALTER COLUMN ${op.column} TYPE: the type ${op.type ?? ''} has no known PostgreSQL spelling`);
    out.push({ sql: `ALTER TABLE ${t} ALTER COLUMN ${col} TYPE ${type}${op.using ? ` USING ${op.using}` : ''}` });
  }
  if (op.nullable !== undefined) out.push({ sql: `ALTER TABLE ${t} ALTER COLUMN ${col} ${op.nullable ? 'DROP' : 'SET'} NOT NULL` });
  if (op.serverDefault !== undefined) {
    if (op.serverDefault === null) out.push({ sql: `ALTER TABLE ${t} ALTER COLUMN ${col} DROP DEFAULT` });
    else if (op.serverDefault.sql === null) out.push({ notRendered: `the default ${op.serverDefault.text} is known only at run time` });
    else out.push({ sql: `ALTER TABLE ${t} ALTER COLUMN ${col} SET DEFAULT ${op.serverDefault.sql}` });
  }
  // Alembic comments on the column before renaming it.
  if (op.comment !== undefined) out.push({ sql: `COMMENT ON COLUMN ${t}.${col} IS ${op.comment === null ? 'NULL' : literal(op.comment)}` });
  if (op.newName !== undefined) {
    if (op.newName === null) out.push({ notRendered: 'the new column name is not a literal' });
    else out.push({ sql: `ALTER TABLE ${t} RENAME ${col} TO ${ident(op.newName)}` });
  }
  // alter_column with nothing to change emits nothing in Alembic either.
  return out;
}

export const RENDERERS: RendererTable = {
  create_table: (op) => createTable(op),

  drop_table: (op) => {
    const t = table(op);
    return t === null ? no('the table name is not a literal') : sql(`DROP TABLE ${op.ifExists ? 'IF EXISTS ' : ''}${t}${op.cascade ? ' CASCADE' : ''}`);
  },

  rename_table: (op) => {
    const t = table(op);
    if (t === null || op.newName === null) return no('the table names are not literals');
    return sql(`ALTER TABLE ${t} RENAME TO ${ident(op.newName)}`);
  },

  add_column: (op) => {
    const t = table(op);
    if (t === null) return no('the table name is not a literal');
    const d = columnDef(op.column);
    if (typeof d !== 'string') return no(d.why);
    const out = sql(`ALTER TABLE ${t} ADD COLUMN ${d}`);
    // Alembic adds a unique=True column's constraint with a statement of its own.
    if (op.column.unique && op.column.name !== null) out.push({ sql: `ALTER TABLE ${t} ADD UNIQUE (${ident(op.column.name)})` });
    out.push(...columnComment(t, op.column));
    return out;
  },

  drop_column: (op) => {
    const t = table(op);
    if (t === null || op.column === null) return no('the table or column name is not a literal');
    return sql(`ALTER TABLE ${t} DROP COLUMN ${ident(op.column)}`);
  },

  alter_column: (op) => alterColumn(op),

  create_index: (op) => {
    const t = table(op);
    if (t === null || op.name === null) return no('the index or table name is not a literal');
    if (op.columns.length === 0 || unreadable(op.columns)) return no(`index ${op.name}: the columns are not literals`);
    const head = `CREATE ${op.unique ? 'UNIQUE ' : ''}INDEX ${op.concurrently ? 'CONCURRENTLY ' : ''}${op.ifNotExists ? 'IF NOT EXISTS ' : ''}`;
    const using = op.method ? ` USING ${op.method}` : '';
    const where = op.where ? ` WHERE ${op.where}` : '';
    return sql(`${head}${ident(op.name)} ON ${t}${using} (${list(op.columns)})${where}`);
  },

  drop_index: (op) => {
    if (op.name === null) return no('the index name is not a literal');
    return sql(`DROP INDEX ${op.concurrently ? 'CONCURRENTLY ' : ''}${op.ifExists ? 'IF EXISTS ' : ''}${qualified(op.schema, op.name)}`);
  },

  add_constraint: (op) => {
    const t = table(op);
    if (t === null) return no('the table name is not a literal');
    const named = op.name ? `CONSTRAINT ${ident(op.name)} ` : '';
    const notValid = op.notValid ? ' NOT VALID' : '';
    if (op.usingIndex && (op.constraintType === 'unique' || op.constraintType === 'primary_key')) {
      const kind = op.constraintType === 'unique' ? 'UNIQUE' : 'PRIMARY KEY';
      return sql(`ALTER TABLE ${t} ADD ${named}${kind} USING INDEX ${ident(op.usingIndex)}`);
    }
    const d = tableConstraint(
      {
        type: op.constraintType,
        name: op.name,
        loc: op.loc,
        columns: op.columns,
        referredTable: op.referredTable,
        referredColumns: op.referredColumns,
        condition: op.condition,
        onDelete: op.onDelete ?? null,
        onUpdate: op.onUpdate ?? null,
        deferrable: op.deferrable ?? null,
        initially: op.initially ?? null,
      },
      null,
    );
    if (typeof d !== 'string') return no(d.why);
    return sql(`ALTER TABLE ${t} ADD ${d}${notValid}`);
  },

  drop_constraint: (op) => {
    const t = table(op);
    if (t === null || op.name === null) return no('the table or constraint name is not a literal');
    return sql(`ALTER TABLE ${t} DROP CONSTRAINT ${ident(op.name)}`);
  },

  validate_constraint: (op) => {
    const t = table(op);
    if (t === null || op.name === null) return no('the table or constraint name is not a literal');
    return sql(`ALTER TABLE ${t} VALIDATE CONSTRAINT ${ident(op.name)}`);
  },

  execute_sql: (op) => {
    if (!op.textKnown) return no('the SQL is not a string (a variable, a SQLAlchemy construct): known only at run time');
    if (op.hasHoles) return no('the SQL has parts filled in at run time (f-string fields, parameters)');
    if (op.statements.length === 0) return op.sql.trim() === '' ? [] : sql(trimStatement(op.sql));
    return sql(...op.statements.map((s) => trimStatement(s.text)).filter((s) => s !== ''));
  },

  data_change: (op) => {
    if (op.action === 'orm') return no('an ORM session writes rows known only at run time');
    if (op.action === 'bulk_insert') {
      const t = op.table === null ? null : qualified(null, op.table);
      if (!op.rows || t === null) return no(`bulk_insert into ${op.table ?? 'a table'}: the rows are known only at run time (not literal, or of a type migralint does not write literals for)`);
      // Alembic's offline mode writes one INSERT per row.
      return sql(...op.rows.map((r) => `INSERT INTO ${t} (${r.columns.map(ident).join(', ')}) VALUES (${r.values.join(', ')})`));
    }
    return no(`${op.action} on ${op.table ?? 'a table'} built in code (a query builder or SQLAlchemy expression)`);
  },

  transaction_control: (op) => {
    if (/session/i.test(op.callee)) return no(`${op.callee}(): an ORM session's transaction`);
    switch (op.action) {
      case 'begin':
        return sql('BEGIN');
      case 'commit':
        return sql('COMMIT');
      case 'rollback':
        return sql('ROLLBACK');
      default:
        return no(`${op.callee}(): a savepoint whose name is chosen at run time`);
    }
  },

  set_setting: (op) =>
    op.value === null ? sql(`RESET ${op.name}`) : sql(`SET ${op.local ? 'LOCAL ' : ''}${op.name} TO ${op.value}`),

  // Parsed statements keep their text (see renderMigration); one without it cannot be rebuilt.
  sql: (op) => no(`a ${op.keyword} statement whose text was not kept`),

  sql_error: (op) => no(`PostgreSQL's parser rejects the statement: ${op.message}`),

  unknown: (op) => no(op.reason),
};

/** A statement's text without the trailing semicolon and surrounding blank space. */
export function trimStatement(s: string): string {
  return s.trim().replace(/;\s*$/, '').trimEnd();
}
