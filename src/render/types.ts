// The shapes `migralint sql` and `migralint trace` share: a migration body rendered to the
// statements PostgreSQL receives, in order, with what could not be rendered left as comments.
import type { Loc, Migration, Operation, TransactionContext } from '../model/index.js';

export type Direction = 'up' | 'down';

/** A statement PostgreSQL receives (no trailing semicolon). */
export interface RenderedSql {
  kind: 'sql';
  sql: string;
  /** Where it comes from: the operation's call, or the statement in a SQL file or string. */
  loc: Loc;
  /** The file `loc` is in (the migration, or a companion such as a .down.sql). */
  file: string;
  /** The first operation of the body the statement renders (several when one statement holds several). */
  opIndex: number;
  opIndexes: number[];
  /** false inside an autocommit block: it runs outside the migration's transaction. */
  transactional: boolean;
  /** rendered: built from an operation; written: SQL text taken as written (a .sql file, op.execute). */
  origin: 'rendered' | 'written';
}

/** A comment line: an explanation, or an operation that could not be rendered. */
export interface RenderedComment {
  kind: 'comment';
  text: string;
  loc: Loc | null;
  file: string | null;
  opIndex: number | null;
  /** Set when the comment stands for an operation that runs but could not be rendered. */
  notRendered?: boolean;
}

export type RenderedItem = RenderedSql | RenderedComment;

/** One migration body, rendered. The runner's own BEGIN/COMMIT are not among `items` (see renderScript). */
export interface RenderedMigration {
  migration: Migration;
  direction: Direction;
  /** How the runner wraps the migration (the model's transaction context). */
  transaction: TransactionContext;
  items: RenderedItem[];
  /** How many operations could not be rendered. */
  notRendered: number;
}

/**
 * What a renderer returns for one operation: statements, or the reason it cannot be rendered.
 * `trailing` statements wait until the operations read from the same call have been rendered
 * (a table's comments follow the indexes its columns declare, as SQLAlchemy sends them).
 */
export type Piece = { sql: string; trailing?: boolean } | { notRendered: string } | { comment: string };

export interface RenderContext {
  migration: Migration;
  direction: Direction;
}

export type Renderer<K extends Operation['kind']> = (op: Extract<Operation, { kind: K }>, ctx: RenderContext) => Piece[];

/** One renderer per model operation kind: a kind without one does not compile. */
export type RendererTable = { [K in Operation['kind']]: Renderer<K> };
