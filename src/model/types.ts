// The shared migration model. Every front end (Alembic, SQL, TypeScript...) produces these
// shapes and every rule reads only these shapes, so a rule never knows which framework a
// migration came from. This module imports nothing.

/** A source range. Lines and columns are 1-based; columns count UTF-16 code units. */
export interface Loc {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Absolute path, only when the position is in another file than the migration's own (a down.sql). */
  file?: string;
}

/** A value read from the source, with where it was read. */
export interface Located<T> {
  value: T;
  loc: Loc;
}

/**
 * The database a migration runs on. Only PostgreSQL's SQL is parsed (and judged by the lock
 * rules); the others keep a light classification of their statements. MariaDB counts as mysql.
 */
export type Dialect = 'postgresql' | 'sqlite' | 'mysql' | 'h2' | 'mssql' | 'oracle' | 'cockroachdb' | 'unknown';

/** A column as declared by `sa.Column(...)`, a builder call or a SQL column definition. */
export interface ColumnSpec {
  /** null when the name is not a literal (a variable, an expression). */
  name: string | null;
  /** The type as written, e.g. `sa.String(length=50)` or `varchar(50)`; null when absent. */
  type: string | null;
  /**
   * The type in PostgreSQL's SQL, when `type` is written in another language (a SQLAlchemy type:
   * `sa.String(20)` -> `VARCHAR(20)`): null when the front end cannot tell it. Absent when `type`
   * is SQL already (SQL files, the TypeScript builders).
   */
  sqlType?: string | null;
  /** A PostgreSQL enum type the column's type declares (`sa.Enum(..., name=...)`): creating the table creates it. */
  enumType?: { name: string; values: string[] } | null;
  /**
   * true, false, or null when the source does not say. A column with `primary_key=True`
   * and no explicit `nullable` is NOT NULL (nullable: false).
   */
  nullable: boolean | null;
  /** A database-side default (`server_default`, SQL `DEFAULT`). */
  serverDefault: DefaultSpec | null;
  /** A client-side default (`default=`): the database never sees it. */
  clientDefault: boolean;
  primaryKey: boolean;
  unique: boolean;
  /** An identity or autoincrement column: the database fills it. */
  generated: boolean;
  /**
   * The generation clause in SQL when the column declares one (`GENERATED ALWAYS AS IDENTITY`,
   * `GENERATED ALWAYS AS (a + b) STORED`); null when it declares one that cannot be read.
   */
  generatedSql?: string | null;
  /** The column's comment (`comment=`): COMMENT ON COLUMN after the column is created. */
  comment?: string | null;
  loc: Loc;
}

export interface DefaultSpec {
  /** The default as written in the source, e.g. `sa.text("'free'")`, `'free'`, `sa.func.now()`. */
  text: string;
  /** The SQL the default amounts to, when it can be told statically (e.g. `'free'`, `now()`). */
  sql: string | null;
  /** literal: a constant; expression: SQL text or a function; unknown: a variable or call we cannot read. */
  kind: 'literal' | 'expression' | 'unknown';
}

export type ConstraintType = 'foreign_key' | 'unique' | 'check' | 'primary_key' | 'unknown';

/** A SQL statement found in a string, split and classified by its leading keyword. */
export interface SqlStatement {
  text: string;
  /** schema: DDL; data: UPDATE/INSERT/DELETE/MERGE/COPY/TRUNCATE; other: SET, SELECT, BEGIN... */
  category: 'schema' | 'data' | 'other';
  /** The statement's leading keyword(s), upper case, e.g. `ALTER TABLE`, `UPDATE`, `CREATE INDEX`. */
  keyword: string;
  /** The table the statement names, when the splitter can read it. */
  table: string | null;
  loc: Loc;
}

/** Fields every operation carries. */
export interface OperationBase {
  loc: Loc;
  /** Inside an `if`/`for`/`while`/`try`/`with` other than a batch or autocommit block: it may not run. */
  conditional: boolean;
  /** Inside a `for`/`while` loop or a comprehension: it may run many times (batching). */
  repeated: boolean;
  /** false when the operation runs outside the migration's transaction (Alembic `autocommit_block()`). */
  transactional: boolean;
  /** Set when the call came from a `batch_alter_table` block (SQLite-style table copy). */
  batch: boolean;
  /** The helper function the call was found in, when it was reached through one. */
  via: string | null;
  /** The call as written, shortened, e.g. `op.add_column` or `batch_op.alter_column`. */
  callee: string;
  /** Set when the operation was read from a SQL statement (a raw SQL file or an execute() string). */
  fromSql?: SqlSource;
  /**
   * Set when the operation runs only on some databases: inside `if bind.dialect.name == "postgresql":`
   * (or its else branch, or after an early `return` on another dialect). The engine drops the
   * operation for a migration of another dialect before rules run.
   */
  dialectGuard?: DialectGuard;
  /**
   * Options of the call that change its SQL but that the model does not keep (Alembic's
   * `postgresql_include=`, `referent_schema=`...): the operation cannot be rendered exactly.
   */
  unreadOptions?: string[];
}

/** The databases a branch on the dialect's name admits: `names` (SQLAlchemy dialect names, lower case), or all but them. */
export interface DialectGuard {
  names: string[];
  negated: boolean;
}

/** Where an operation read from SQL came from. */
export interface SqlSource {
  /** The statement's text as parsed (stand-ins in place of holes). */
  statement: string;
  /** The statement's index within its string or file, 0-based. */
  index: number;
  /** The statement contains stand-ins for holes (f-string fields, %s parameters, templates). */
  hasHoles: boolean;
  /** The call the SQL string was passed to (`op.execute(...)`), when it came from code. */
  host?: Loc;
  /**
   * The whole statement, when the operation points at one clause of it (one subcommand of a
   * multi-clause ALTER TABLE, one table of DROP TABLE a, b): an ignore above the statement covers it.
   */
  statementLoc?: Loc;
}

/** PostgreSQL table lock modes, weakest first. */
export type LockMode =
  | 'ACCESS SHARE'
  | 'ROW SHARE'
  | 'ROW EXCLUSIVE'
  | 'SHARE UPDATE EXCLUSIVE'
  | 'SHARE'
  | 'SHARE ROW EXCLUSIVE'
  | 'EXCLUSIVE'
  | 'ACCESS EXCLUSIVE';

export interface CreateTableOp extends OperationBase {
  kind: 'create_table';
  table: string | null;
  schema: string | null;
  columns: ColumnSpec[];
  /** Constraints declared inline (sa.ForeignKeyConstraint, sa.UniqueConstraint...). */
  constraints: TableConstraintSpec[];
  /** The table's comment (`comment=`): COMMENT ON TABLE after the table is created. */
  comment?: string | null;
  /** CREATE TABLE IF NOT EXISTS. */
  ifNotExists?: boolean;
}

/** A constraint declared with a new table. */
export interface TableConstraintSpec {
  type: ConstraintType;
  name: string | null;
  loc: Loc;
  /** For a foreign key: the table it references, when the source names it (null when unreadable). */
  referredTable?: string | null;
  /** The constrained columns, when the source names them. */
  columns?: string[];
  /** For a foreign key: the referenced columns. */
  referredColumns?: string[];
  /** For a check: the condition as SQL. */
  condition?: string | null;
  /** For a foreign key: ON DELETE / ON UPDATE actions as written (`CASCADE`, `SET NULL`). */
  onDelete?: string | null;
  onUpdate?: string | null;
  /** Declared on a column (`sa.Column(..., sa.ForeignKey(...))`) rather than as a table argument. */
  inline?: boolean;
  /** DEFERRABLE (true), NOT DEFERRABLE (false), and INITIALLY DEFERRED / IMMEDIATE, when given. */
  deferrable?: boolean | null;
  initially?: string | null;
}

export interface DropTableOp extends OperationBase {
  kind: 'drop_table';
  table: string | null;
  schema: string | null;
  /** DROP TABLE IF EXISTS. */
  ifExists?: boolean;
  /** DROP TABLE ... CASCADE (drops the views and foreign keys that depend on it). */
  cascade?: boolean;
}

export interface RenameTableOp extends OperationBase {
  kind: 'rename_table';
  table: string | null;
  newName: string | null;
  schema: string | null;
}

export interface AddColumnOp extends OperationBase {
  kind: 'add_column';
  table: string | null;
  schema: string | null;
  column: ColumnSpec;
}

export interface DropColumnOp extends OperationBase {
  kind: 'drop_column';
  table: string | null;
  schema: string | null;
  column: string | null;
}

export interface AlterColumnOp extends OperationBase {
  kind: 'alter_column';
  table: string | null;
  schema: string | null;
  column: string | null;
  /** The new nullability, when the call sets it. */
  nullable?: boolean;
  /** The new type as written, when the call sets it. */
  type?: string;
  /** The new type in PostgreSQL's SQL when `type` is written in another language; see ColumnSpec.sqlType. */
  sqlType?: string | null;
  /** The new name, when the call renames the column. */
  newName?: string | null;
  /** The new server default: a DefaultSpec, null to drop it, undefined when untouched. */
  serverDefault?: DefaultSpec | null;
  existingType: string | null;
  existingNullable: boolean | null;
  /** ALTER COLUMN ... TYPE ... USING <expr>. */
  using?: string | null;
  /** The new comment (`comment=`): a string, null to remove it; undefined when untouched. */
  comment?: string | null;
}

export interface CreateIndexOp extends OperationBase {
  kind: 'create_index';
  name: string | null;
  table: string | null;
  schema: string | null;
  /** Column names; expressions appear as their source text. */
  columns: string[];
  unique: boolean;
  concurrently: boolean;
  ifNotExists: boolean;
  /** The access method (btree, gin...), when given. */
  method?: string | null;
  /** The predicate of a partial index, as written. */
  where?: string | null;
}

export interface DropIndexOp extends OperationBase {
  kind: 'drop_index';
  name: string | null;
  table: string | null;
  schema: string | null;
  concurrently: boolean;
  ifExists: boolean;
}

export interface AddConstraintOp extends OperationBase {
  kind: 'add_constraint';
  constraintType: ConstraintType;
  /** null when unnamed (`op.create_foreign_key(None, ...)`). */
  name: string | null;
  table: string | null;
  schema: string | null;
  columns: string[];
  referredTable: string | null;
  referredColumns: string[];
  /** The CHECK condition as written. */
  condition: string | null;
  /** PostgreSQL NOT VALID (`postgresql_not_valid=True`). */
  notValid: boolean;
  /** UNIQUE / PRIMARY KEY ... USING INDEX <name>: built from an existing index. */
  usingIndex?: string | null;
  /** For a foreign key: ON DELETE / ON UPDATE actions as written (`CASCADE`, `SET NULL`). */
  onDelete?: string | null;
  onUpdate?: string | null;
  /** DEFERRABLE (true), NOT DEFERRABLE (false), and INITIALLY DEFERRED / IMMEDIATE, when given. */
  deferrable?: boolean | null;
  initially?: string | null;
}

/** ALTER TABLE ... VALIDATE CONSTRAINT. */
export interface ValidateConstraintOp extends OperationBase {
  kind: 'validate_constraint';
  table: string | null;
  schema: string | null;
  name: string | null;
}

export interface DropConstraintOp extends OperationBase {
  kind: 'drop_constraint';
  name: string | null;
  table: string | null;
  schema: string | null;
  constraintType: ConstraintType | null;
}

export interface ExecuteSqlOp extends OperationBase {
  kind: 'execute_sql';
  /** The SQL text; holes (f-string fields, non-literal parts) are written as `{}`. */
  sql: string;
  /** true when part of the text could not be read statically (f-string fields, variables). */
  hasHoles: boolean;
  /** false when the argument is not a string at all (a variable, a Core construct). */
  textKnown: boolean;
  statements: SqlStatement[];
  /** For each character of `sql`, its offset in the migration's source (-1 when unknown). */
  offsets?: Int32Array;
  /** Ranges [start, end) of `sql` that stand for values unknown statically (f-string fields). */
  holes?: [number, number][];
}

export type DataAction = 'update' | 'insert' | 'delete' | 'bulk_insert' | 'orm' | 'truncate' | 'merge' | 'copy' | 'unknown';

export interface DataChangeOp extends OperationBase {
  kind: 'data_change';
  action: DataAction;
  table: string | null;
  /** Column names written, when known (UPDATE ... SET col = ...). */
  columns: string[];
  /** For update/delete: whether a WHERE clause restricts it; null when unknown. */
  hasWhere: boolean | null;
  /**
   * For a bulk insert of literal rows (`op.bulk_insert(t, [{...}])`): each row's columns, in the
   * table's column order, and their values as SQL literals; null when a value or a column's type
   * cannot be read (the rows are then known only at run time).
   */
  rows?: { columns: string[]; values: string[] }[] | null;
}

export interface TransactionControlOp extends OperationBase {
  kind: 'transaction_control';
  action: 'commit' | 'rollback' | 'begin' | 'savepoint' | 'release' | 'rollback_to';
}

/** SET / SET LOCAL / RESET of a run-time setting (lock_timeout, statement_timeout, search_path...). */
export interface SetSettingOp extends OperationBase {
  kind: 'set_setting';
  /** Lower case, e.g. `lock_timeout`. */
  name: string;
  /** The value as written; null for RESET / SET ... TO DEFAULT. */
  value: string | null;
  /** SET LOCAL (this transaction only) vs SET (the session). */
  local: boolean;
}

/**
 * A parsed SQL statement with no dedicated operation (CLUSTER, VACUUM FULL, REINDEX, LOCK TABLE,
 * CREATE FUNCTION, COMMENT ON, ALTER TYPE ... ADD VALUE, DO...). `lock` is the table lock it takes
 * when the statement names a table.
 */
export interface SqlStatementOp extends OperationBase {
  kind: 'sql';
  /** The leading keywords, upper case, e.g. `CLUSTER`, `ALTER TYPE`, `REINDEX`. */
  keyword: string;
  category: 'schema' | 'data' | 'other';
  table: string | null;
  lock: LockMode | null;
  /** libpg-query's statement node type, e.g. `ClusterStmt`, or the ALTER TABLE subcommand. */
  node: string;
  /** CONCURRENTLY given (REINDEX, DETACH PARTITION, REFRESH MATERIALIZED VIEW). */
  concurrently?: boolean;
}

/** A SQL statement PostgreSQL's parser rejects, with its message and position. */
export interface SqlErrorOp extends OperationBase {
  kind: 'sql_error';
  message: string;
  /** A targeted suggestion (e.g. for UPDATE ... LIMIT). */
  hint: string | null;
}

/** A call on `op`, `batch_op` or a connection that the front end does not understand. */
export interface UnknownOp extends OperationBase {
  kind: 'unknown';
  reason: string;
}

export type Operation =
  | CreateTableOp
  | DropTableOp
  | RenameTableOp
  | AddColumnOp
  | DropColumnOp
  | AlterColumnOp
  | CreateIndexOp
  | DropIndexOp
  | AddConstraintOp
  | DropConstraintOp
  | ExecuteSqlOp
  | DataChangeOp
  | TransactionControlOp
  | ValidateConstraintOp
  | SetSettingOp
  | SqlStatementOp
  | SqlErrorOp
  | UnknownOp;

export type OperationKind = Operation['kind'];

/**
 * An upgrade or downgrade body.
 * - missing: the function is not defined;
 * - empty: only `pass`, `...`, docstrings and comments;
 * - raises: its only statement (after a docstring) is `raise`;
 * - operations: anything else (the operation list may still be empty).
 */
export interface Body {
  shape: 'missing' | 'empty' | 'raises' | 'operations';
  /** The `def` line, or null when missing. */
  loc: Loc | null;
  operations: Operation[];
}

export interface Import {
  /** The module as written, e.g. `myapp.models`; relative imports keep their dots (`..models`). */
  module: string;
  /** Imported names for `from x import a, b`; empty for `import x`. */
  names: string[];
  /**
   * framework: alembic/sqlalchemy and their dialect helpers; stdlib: Python's standard library;
   * application: first-party code of the project (relative, or a package found in the project);
   * third-party: a known package (one the project declares as a dependency, or a well-known one);
   * unresolved: none of these: not found in the project and not a known package (an application
   * package laid out where migralint does not look, or an undeclared dependency).
   */
  origin: 'framework' | 'stdlib' | 'application' | 'third-party' | 'unresolved';
  loc: Loc;
}

export interface Comment {
  /** The comment text without its marker (`#`, `--`, `//`), trimmed. */
  text: string;
  /** true when the comment shares its line with code. */
  inline: boolean;
  loc: Loc;
}

export interface ParseError {
  /**
   * limit: the file is beyond what migralint reads (over the size budget `maxFileSize`, too deeply
   * nested, over its time budget); internal: migralint itself failed on the file (a bug).
   */
  kind: 'syntax' | 'encoding' | 'binary' | 'io' | 'limit' | 'internal';
  message: string;
  loc: Loc;
}

export interface Migration {
  /** Absolute path. */
  file: string;
  framework: string;
  dialect: Dialect;
  /** The revision id; null when it cannot be read. */
  revision: Located<string> | null;
  /**
   * The parents (`down_revision`): [] for a root (None), one for a plain revision, several for a
   * merge. `loc` is the assignment; null when the file has no such assignment.
   */
  parents: Located<string[]> | null;
  branchLabels: Located<string[]> | null;
  dependsOn: Located<string[]> | null;
  /** The message (docstring first line or the whole docstring). */
  message: string | null;
  upgrade: Body;
  downgrade: Body;
  imports: Import[];
  comments: Comment[];
  /** The `# ### commands auto generated by Alembic` markers still present. */
  autogenerateMarkers: Loc[];
  /** Set when the file could not be read or parsed; the rest is then best effort. */
  parseError: ParseError | null;
  /** The source text as read (used for code frames and checksums), normalised to LF. */
  source: string;
  /** Other files that belong to this migration (a golang-migrate .down.sql, a Diesel metadata.toml). */
  companions: { file: string; source: string; role: 'down' | 'metadata' | 'config' }[];
  /** How the runner wraps this migration; see TransactionContext. */
  transaction: TransactionContext;
  /**
   * Settings in force on the connection before the migration's own statements run: from the
   * runner's configuration (Alembic env.py) or from migralint's config (`runner`).
   */
  runnerSettings: RunnerSetting[];
}

export interface TransactionContext {
  /**
   * per-migration: the runner opens a transaction around each migration (Alembic on PostgreSQL,
   * goose, Flyway, golang-migrate files are not: they are 'none' unless they say BEGIN);
   * single: one transaction around the whole run (Alembic without transaction_per_migration);
   * none: statements autocommit (transactional_ddl=False, goose NO TRANSACTION, Diesel
   * run_in_transaction = false, dbmate transaction:false, a `.autocommit.` file).
   */
  mode: 'per-migration' | 'single' | 'none';
  /**
   * The transaction exists only because several statements reach PostgreSQL as one query (an
   * implicit transaction block: golang-migrate, dbmate transaction:false, Diesel
   * run_in_transaction = false). CONCURRENTLY still fails there, but an explicit BEGIN ... COMMIT
   * simply takes it over: that is how such files manage their own transaction.
   */
  implicit?: boolean;
  /** Why migralint believes so, for messages: e.g. `env.py: transaction_per_migration=True`. */
  reason: string;
  /** Where the deciding setting is, when it is in a file. */
  file: string | null;
  loc: Loc | null;
}

export interface RunnerSetting {
  /** Lower case, e.g. `lock_timeout`. */
  name: string;
  value: string;
  /** Where it was read: a file (env.py) or the config. */
  origin: string;
  loc: Loc | null;
}

/** One directory of migrations that forms one revision chain. */
export interface MigrationSet {
  /** Absolute path of the directory. */
  dir: string;
  framework: string;
  dialect: Dialect;
  migrations: Migration[];
}
