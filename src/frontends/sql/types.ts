// SQL type names in one canonical spelling: PostgreSQL's own, as `format_type()` prints them
// (what `\d` and pg_dump show). Every way of writing a built-in type gives the same text:
//
//   int, integer, int4, pg_catalog.int4        -> integer
//   bigint, int8 / smallint, int2              -> bigint / smallint
//   varchar(50), character varying(50)         -> character varying(50)
//   char, character(1), bpchar(1)              -> character(1)
//   timestamp, timestamp without time zone     -> timestamp without time zone
//   timestamptz, timestamp(3) with time zone   -> timestamp with time zone / timestamp(3) with time zone
//   time / timetz                              -> time without time zone / time with time zone
//   float8, double precision, float, float(53) -> double precision;  float4, real, float(24) -> real
//   bool -> boolean;  decimal(10,2) -> numeric(10,2);  varbit(3) -> bit varying(3);  bit -> bit(1)
//   interval day to second(3)                  -> interval day to second(3)
//   int[], integer[][], int ARRAY              -> integer[]   (format_type prints one [] for any rank)
//   serial4 / serial8 / serial2                -> serial / bigserial / smallserial (kept: they are
//                                                 what the column was declared as, not a type)
//   other names                                -> lower case, schema kept (`public.mood`), quoted
//                                                 when PostgreSQL would quote them (`"MyType"`)
//
// `renderTypeName` renders a libpg-query TypeName node; `formatTypeText` reads a type as written in
// SQL text (`VARCHAR(50)`, `int4[]`, `timestamptz`) so rules can compare the two.
import type { Node, TypeName } from '@pgsql/types';

const BUILTIN: Record<string, string> = {
  int: 'integer',
  integer: 'integer',
  int4: 'integer',
  smallint: 'smallint',
  int2: 'smallint',
  bigint: 'bigint',
  int8: 'bigint',
  real: 'real',
  float4: 'real',
  float8: 'double precision',
  'double precision': 'double precision',
  bool: 'boolean',
  boolean: 'boolean',
  varchar: 'character varying',
  'character varying': 'character varying',
  'char varying': 'character varying',
  char: 'character',
  character: 'character',
  bpchar: 'character',
  numeric: 'numeric',
  decimal: 'numeric',
  dec: 'numeric',
  timestamp: 'timestamp without time zone',
  'timestamp without time zone': 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  'timestamp with time zone': 'timestamp with time zone',
  time: 'time without time zone',
  'time without time zone': 'time without time zone',
  timetz: 'time with time zone',
  'time with time zone': 'time with time zone',
  bit: 'bit',
  varbit: 'bit varying',
  'bit varying': 'bit varying',
  interval: 'interval',
  serial4: 'serial',
  serial8: 'bigserial',
  serial2: 'smallserial',
  'national character varying': 'character varying',
  'national character': 'character',
  nchar: 'character',
};

/** Types whose modifiers go between the words (`timestamp(3) with time zone`). */
const ZONED = /^(timestamp|time) (with|without) time zone$/;

// Interval field masks (src/include/utils/datetime.h).
const MONTH = 1 << 1;
const YEAR = 1 << 2;
const DAY = 1 << 3;
const HOUR = 1 << 10;
const MINUTE = 1 << 11;
const SECOND = 1 << 12;
const FULL_RANGE = 0x7fff;
const INTERVAL_FIELDS: [number, string][] = [
  [YEAR, 'year'],
  [MONTH, 'month'],
  [DAY, 'day'],
  [HOUR, 'hour'],
  [MINUTE, 'minute'],
  [SECOND, 'second'],
  [YEAR | MONTH, 'year to month'],
  [DAY | HOUR, 'day to hour'],
  [DAY | HOUR | MINUTE, 'day to minute'],
  [DAY | HOUR | MINUTE | SECOND, 'day to second'],
  [HOUR | MINUTE, 'hour to minute'],
  [HOUR | MINUTE | SECOND, 'hour to second'],
  [MINUTE | SECOND, 'minute to second'],
];

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** The canonical spelling of a type from its name parts (unquoted, as PostgreSQL stores them), modifiers and array flag. */
export function canonicalParts(names: string[], mods: string[], array: boolean, intervalFields: string | null = null): string {
  let parts = names;
  if (parts.length === 2 && parts[0] === 'pg_catalog') parts = [parts[1]!];
  let text: string;
  if (parts.length === 1) {
    const raw = parts[0]!;
    let base = BUILTIN[raw] ?? null;
    let m = mods;
    if (raw === 'float' || (base === null && raw === 'float')) base = 'double precision';
    if (raw === 'float' && m.length === 1) {
      const p = Number(m[0]);
      base = Number.isFinite(p) && p <= 24 ? 'real' : 'double precision';
      m = [];
    }
    if (base === null) text = quoteIdent(raw);
    else text = base;
    // char and bit without a length are one character / bit (format_type prints the length).
    if ((base === 'character' && raw !== 'bpchar') || base === 'bit') {
      if (m.length === 0) m = ['1'];
    }
    const modText = m.length > 0 ? `(${m.join(',')})` : '';
    if (base !== null && ZONED.test(base)) {
      const [, head, tail] = /^(\w+)( .*)$/.exec(base)!;
      text = `${head}${modText}${tail}`;
    } else if (base === 'interval') {
      text = `interval${intervalFields ? ` ${intervalFields}` : ''}${modText}`;
    } else {
      text += modText;
    }
  } else {
    text = parts.map(quoteIdent).join('.') + (mods.length > 0 ? `(${mods.join(',')})` : '');
  }
  return array ? `${text}[]` : text;
}

function constText(n: Node): string | null {
  if ('A_Const' in n) {
    const c = n.A_Const;
    if (c.ival) return String(c.ival.ival ?? 0);
    if (c.fval) return c.fval.fval ?? '0';
    if (c.sval) return `'${(c.sval.sval ?? '').replace(/'/g, "''")}'`;
    return null;
  }
  if ('ColumnRef' in n) {
    const f = n.ColumnRef.fields ?? [];
    return f.map((x) => ('String' in x ? (x.String.sval ?? '') : '*')).join('.');
  }
  return null;
}

/** Renders a libpg-query TypeName in the canonical spelling; null when it holds a stand-in for a hole. */
export function renderTypeName(t: TypeName | undefined, holeChar: string): string | null {
  if (!t) return null;
  const names = (t.names ?? []).map((x) => ('String' in x ? (x.String.sval ?? '') : ''));
  if (names.length === 0 || names.some((x) => x.includes(holeChar))) return null;
  let mods = (t.typmods ?? []).map(constText).map((x) => x ?? '?');
  let fields: string | null = null;
  const last = names[names.length - 1]!;
  if (last === 'interval' && (names.length === 1 || names[0] === 'pg_catalog') && mods.length > 0) {
    const mask = Number(mods[0]);
    if (Number.isInteger(mask)) {
      fields = mask === FULL_RANGE ? null : (INTERVAL_FIELDS.find(([m]) => m === mask)?.[1] ?? null);
      mods = mods.slice(1);
    }
  }
  const array = (t.arrayBounds?.length ?? 0) > 0;
  let text = canonicalParts(names, mods, array, fields);
  if (t.pct_type) text += '%TYPE';
  if (t.setof) text = `SETOF ${text}`;
  return text;
}

const MULTI = [
  'double precision',
  'character varying',
  'char varying',
  'national character varying',
  'national character',
  'bit varying',
];

/**
 * The canonical spelling of a type written in SQL (`VARCHAR(50)`, `int4[]`, `timestamptz(3)`,
 * `TIMESTAMP WITH TIME ZONE`, `"MyType"`, `public.mood`), as renderTypeName would give it for the
 * same column. Not a full parser: text it does not recognise comes back lower-cased with its
 * whitespace collapsed.
 */
export function formatTypeText(text: string): string {
  let s = text.trim();
  let array = false;
  for (;;) {
    const m = /\s*(?:\[\s*\d*\s*\]|\barray\b(?:\s*\[\s*\d*\s*\])?)$/i.exec(s);
    if (!m || m.index === 0) break;
    array = true;
    s = s.slice(0, m.index);
  }
  // Split off the modifiers "(...)" wherever they are (before "with time zone" for timestamps).
  let mods: string[] = [];
  const paren = /\(([^()]*)\)/.exec(s);
  if (paren) {
    mods = paren[1]!.split(',').map((x) => x.trim()).filter((x) => x !== '');
    s = (s.slice(0, paren.index) + ' ' + s.slice(paren.index + paren[0].length)).trim();
  }
  // Names: quoted parts keep their case; others are lower-cased; words joined by one space.
  const parts: string[] = [];
  const re = /"((?:[^"]|"")*)"|([^."\s]+(?:\s+[^."\s]+)*)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m[1] !== undefined) parts.push(m[1].replace(/""/g, '"'));
    else parts.push(m[2]!.toLowerCase().replace(/\s+/g, ' '));
  }
  if (parts.length === 0) return text.trim().toLowerCase();
  let fields: string | null = null;
  if (parts.length === 1) {
    let name = parts[0]!;
    const iv = /^interval\s+(.*)$/.exec(name);
    if (iv) {
      fields = iv[1]!;
      name = 'interval';
    }
    if (!(name in BUILTIN) && !MULTI.includes(name) && name !== 'float' && !ZONED.test(name) && name.includes(' ')) {
      return text.trim().toLowerCase().replace(/\s+/g, ' ');
    }
    parts[0] = name;
  }
  return canonicalParts(parts, mods, array, fields);
}
