// A SQLAlchemy type expression (`sa.String(20)`, `postgresql.JSONB(astext_type=sa.Text())`) in
// PostgreSQL's SQL, as SQLAlchemy's PostgreSQL type compiler writes it (checked against
// SQLAlchemy 1.4's `type.compile(dialect=postgresql.dialect())`). Unknown types give null: the
// renderer then says so instead of guessing.
import { argument, boolConst, calleeName, dotted, isStringConst, kwValue } from './expr.js';
import type { ExprNode } from './python.js';

type Deref = (e: ExprNode) => ExprNode;

/** Types whose SQL is their name, whatever their arguments (`postgresql.UUID(as_uuid=True)`). */
const FIXED: Record<string, string> = {
  Integer: 'INTEGER',
  INTEGER: 'INTEGER',
  INT: 'INTEGER',
  SmallInteger: 'SMALLINT',
  SMALLINT: 'SMALLINT',
  BigInteger: 'BIGINT',
  BIGINT: 'BIGINT',
  Text: 'TEXT',
  TEXT: 'TEXT',
  UnicodeText: 'TEXT',
  Boolean: 'BOOLEAN',
  BOOLEAN: 'BOOLEAN',
  Date: 'DATE',
  DATE: 'DATE',
  Interval: 'INTERVAL',
  INTERVAL: 'INTERVAL',
  REAL: 'REAL',
  DOUBLE_PRECISION: 'DOUBLE PRECISION',
  LargeBinary: 'BYTEA',
  BYTEA: 'BYTEA',
  PickleType: 'BYTEA',
  JSON: 'JSON',
  JSONB: 'JSONB',
  UUID: 'UUID',
  Uuid: 'UUID',
  INET: 'INET',
  CIDR: 'CIDR',
  MACADDR: 'MACADDR',
  MONEY: 'MONEY',
  TSVECTOR: 'TSVECTOR',
  HSTORE: 'HSTORE',
  CITEXT: 'CITEXT',
  OID: 'OID',
  INT4RANGE: 'INT4RANGE',
  INT8RANGE: 'INT8RANGE',
  NUMRANGE: 'NUMRANGE',
  DATERANGE: 'DATERANGE',
  TSRANGE: 'TSRANGE',
  TSTZRANGE: 'TSTZRANGE',
};

/** Types with a length: `VARCHAR(n)` or the bare name. */
const LENGTH: Record<string, string> = {
  String: 'VARCHAR',
  VARCHAR: 'VARCHAR',
  Unicode: 'VARCHAR',
  CHAR: 'CHAR',
  NCHAR: 'NCHAR',
  NVARCHAR: 'NVARCHAR',
  BIT: 'BIT',
  Float: 'FLOAT',
  FLOAT: 'FLOAT',
};

const NUMERIC: Record<string, string> = { Numeric: 'NUMERIC', NUMERIC: 'NUMERIC', DECIMAL: 'DECIMAL' };
const DATETIME: Record<string, string> = { DateTime: 'TIMESTAMP', TIMESTAMP: 'TIMESTAMP', Time: 'TIME', TIME: 'TIME' };

export interface SqlTypeRead {
  sql: string | null;
  enumType: { name: string; values: string[] } | null;
}

function intArg(e: ExprNode | undefined, deref: Deref): string | null | undefined {
  if (!e) return undefined;
  const d = deref(e);
  if (d.nodeType === 'Constant' && (typeof d.value === 'number' || typeof d.value === 'bigint')) return String(d.value);
  if (d.nodeType === 'Constant' && d.value === null) return undefined;
  return null;
}

/** The PostgreSQL SQL of a SQLAlchemy type expression, or null when it cannot be told. */
export function sqlTypeOf(e: ExprNode, deref: Deref): SqlTypeRead {
  const none: SqlTypeRead = { sql: null, enumType: null };
  const d = deref(e);
  const call = d.nodeType === 'Call' ? d : null;
  const name = call ? calleeName(call.func) : d.nodeType === 'Name' || d.nodeType === 'Attribute' ? (dotted(d)?.split('.').pop() ?? null) : null;
  if (name === null) return none;
  const plain = (sql: string): SqlTypeRead => ({ sql, enumType: null });
  // `sa.Integer().with_variant(sa.BigInteger(), "postgresql")`: the PostgreSQL variant wins.
  if (call && name === 'with_variant' && call.func.nodeType === 'Attribute') {
    const dialect = call.args[1] ? deref(call.args[1]) : undefined;
    if (isStringConst(dialect) && dialect.value === 'postgresql' && call.args[0]) return sqlTypeOf(call.args[0], deref);
    return sqlTypeOf(call.func.value, deref);
  }
  if (FIXED[name]) return plain(FIXED[name]!);
  if (LENGTH[name]) {
    const n = call ? intArg(argument(call, 0, name.startsWith('F') ? 'precision' : 'length'), deref) : undefined;
    if (n === null) return none;
    return plain(n === undefined ? LENGTH[name]! : `${LENGTH[name]}(${n})`);
  }
  if (NUMERIC[name]) {
    const p = call ? intArg(argument(call, 0, 'precision'), deref) : undefined;
    const s = call ? intArg(argument(call, 1, 'scale'), deref) : undefined;
    if (p === null || s === null) return none;
    return plain(p === undefined ? NUMERIC[name]! : s === undefined ? `${NUMERIC[name]}(${p})` : `${NUMERIC[name]}(${p}, ${s})`);
  }
  if (DATETIME[name]) {
    const base = DATETIME[name]!;
    const tzNode = call ? argument(call, 0, 'timezone') : undefined;
    const tz = tzNode ? boolConst(deref(tzNode)) : false;
    if (tz === null) return none;
    const precision = call ? intArg(kwValue(call, 'precision'), deref) : undefined;
    if (precision === null) return none;
    return plain(`${base}${precision === undefined ? '' : `(${precision})`} ${tz ? 'WITH' : 'WITHOUT'} TIME ZONE`);
  }
  if (name === 'ARRAY' && call && call.args[0]) {
    const item = sqlTypeOf(call.args[0], deref);
    const dims = intArg(kwValue(call, 'dimensions'), deref);
    if (item.sql === null || dims === null) return none;
    return plain(item.sql + '[]'.repeat(dims === undefined ? 1 : Number(dims)));
  }
  if ((name === 'Enum' || name === 'ENUM') && call) {
    const typeName = kwValue(call, 'name');
    const n = typeName ? deref(typeName) : undefined;
    if (!isStringConst(n)) return none;
    // native_enum=False is a VARCHAR sized to the longest value: rare enough to leave unrendered.
    const native = kwValue(call, 'native_enum');
    if (native && boolConst(deref(native)) !== true) return none;
    const values: string[] = [];
    for (const a of call.args) {
      const v = deref(a);
      if (!isStringConst(v)) return { sql: n.value as string, enumType: null };
      values.push(v.value as string);
    }
    const create = kwValue(call, 'create_type');
    const creates = values.length > 0 && !(create && boolConst(deref(create)) === false);
    return { sql: quoteIfNeeded(n.value as string), enumType: creates ? { name: n.value as string, values } : null };
  }
  return none;
}

function quoteIfNeeded(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
