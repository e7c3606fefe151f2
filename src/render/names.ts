// Identifier quoting as SQLAlchemy's PostgreSQL dialect does it, so that rendered Alembic
// operations read like `alembic upgrade --sql`: a name is quoted only when it must be (upper case,
// characters other than lower-case letters, digits, `_` and `$`, a leading digit or `$`, or a
// reserved word).

// sqlalchemy.dialects.postgresql.base.RESERVED_WORDS (SQLAlchemy 1.4).
const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization between binary both case cast check collate column ' +
    'constraint create cross current_catalog current_date current_role current_schema current_time current_timestamp ' +
    'current_user default deferrable desc distinct do else end except false fetch for foreign freeze from full grant group ' +
    'having ilike in initially inner intersect into is isnull join leading left like limit localtime localtimestamp natural ' +
    'new not notnull null of off offset old on only or order outer over overlaps placing primary references returning right ' +
    'select session_user similar some symmetric table then to trailing true union unique user using variadic verbose when ' +
    'where window with'
  ).split(' '),
);

const PLAIN = /^[a-z_][a-z0-9_$]*$/;

/** An identifier as PostgreSQL must read it: bare when it can be, else in double quotes. */
export function ident(name: string): string {
  if (PLAIN.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** `schema.name`, or `name` without a schema. */
export function qualified(schema: string | null, name: string): string {
  return schema ? `${ident(schema)}.${ident(name)}` : ident(name);
}

/** A string constant. */
export function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * A column of an index or constraint: a name is quoted as needed; anything else (an expression
 * read from `sa.text('lower(email)')`) is SQL already and kept as written.
 */
export function columnOrExpression(c: string): string {
  return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(c) ? ident(c) : c;
}
