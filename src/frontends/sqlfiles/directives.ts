// Directives that split a one-file migration into up and down sections (goose, dbmate) or change
// how the runner wraps it (goose NO TRANSACTION, dbmate transaction:false, Diesel metadata.toml,
// Flyway script configuration files).
import type { LineIndex } from './scan.js';

/** A marker line: its 1-based line and the character offsets of the line. */
export interface MarkerLine {
  line: number;
  start: number;
  /** Offset just after the line's newline: where the section's text starts. */
  next: number;
}

export interface Section {
  /** The marker line that opens the section. */
  marker: MarkerLine;
  /** The section's text range [start, end) in the file: after the marker line, up to the next marker. */
  start: number;
  end: number;
  /** dbmate: `transaction:false` on the marker line. */
  transaction: boolean | null;
}

export interface SectionedFile {
  up: Section | null;
  down: Section | null;
  /** goose `-- +goose NO TRANSACTION`, dbmate: unused. */
  noTransaction: MarkerLine | null;
  /** Problems a runner would refuse the file for (a second Up marker, Down before Up...). */
  problems: { message: string; line: number }[];
}

const GOOSE_LINE = /^[ \t]*--[ \t]*\+goose[ \t]+(.*?)[ \t]*$/i;
const DBMATE_LINE = /^[ \t]*--[ \t]*migrate:(up|down)\b(.*)$/i;

function* linesOf(lines: LineIndex): Generator<{ text: string; marker: MarkerLine }> {
  const text = lines.text;
  for (let k = 0; k < lines.starts.length; k++) {
    const start = lines.starts[k]!;
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    yield { text: text.slice(start, end), marker: { line: k + 1, start, next: nl < 0 ? text.length : nl + 1 } };
  }
}

/** goose: `-- +goose Up`, `-- +goose Down`, `-- +goose NO TRANSACTION` (StatementBegin/End are left to the SQL reader). */
export function gooseSections(lines: LineIndex): SectionedFile {
  const out: SectionedFile = { up: null, down: null, noTransaction: null, problems: [] };
  let current: Section | null = null;
  for (const { text, marker } of linesOf(lines)) {
    const m = GOOSE_LINE.exec(text);
    if (!m) continue;
    const cmd = m[1]!.toLowerCase().replace(/\s+/g, ' ');
    if (cmd === 'up' || cmd === 'down') {
      if (current) current.end = marker.start;
      current = { marker, start: marker.next, end: lines.text.length, transaction: null };
      if (out[cmd]) out.problems.push({ message: `goose: a second \`-- +goose ${m[1]}\` annotation`, line: marker.line });
      else out[cmd] = current;
    } else if (cmd === 'no transaction') {
      out.noTransaction ??= marker;
    }
  }
  if (out.up && out.down && out.down.marker.line < out.up.marker.line) {
    out.problems.push({ message: 'goose: the `-- +goose Down` annotation comes before `-- +goose Up`', line: out.down.marker.line });
  }
  if (!out.up) out.problems.unshift({ message: 'goose: no `-- +goose Up` annotation', line: 1 });
  return out;
}

/** dbmate: `-- migrate:up [transaction:false]`, `-- migrate:down [transaction:false]`. */
export function dbmateSections(lines: LineIndex): SectionedFile {
  const out: SectionedFile = { up: null, down: null, noTransaction: null, problems: [] };
  let current: Section | null = null;
  for (const { text, marker } of linesOf(lines)) {
    const m = DBMATE_LINE.exec(text);
    if (!m) continue;
    const dir = m[1]!.toLowerCase() as 'up' | 'down';
    if (current) current.end = marker.start;
    const option = /\btransaction:(\S+)/i.exec(m[2] ?? '');
    current = { marker, start: marker.next, end: lines.text.length, transaction: option ? option[1]!.toLowerCase() !== 'false' : null };
    if (out[dir]) out.problems.push({ message: `dbmate: a second \`-- migrate:${dir}\` block`, line: marker.line });
    else out[dir] = current;
  }
  if (!out.up) out.problems.unshift({ message: 'dbmate: no `-- migrate:up` block', line: 1 });
  return out;
}

const SQL_MIGRATE_LINE = /^[ \t]*--[ \t]*\+migrate[ \t]+(\S+)(.*)$/i;

/**
 * sql-migrate: `-- +migrate Up [notransaction]`, `-- +migrate Down [notransaction]`
 * (StatementBegin/End only keep semicolons together, which the SQL reader does by itself).
 */
export function sqlMigrateSections(lines: LineIndex): SectionedFile {
  const out: SectionedFile = { up: null, down: null, noTransaction: null, problems: [] };
  let current: Section | null = null;
  for (const { text, marker } of linesOf(lines)) {
    const m = SQL_MIGRATE_LINE.exec(text);
    if (!m) continue;
    const cmd = m[1]!.toLowerCase();
    if (cmd !== 'up' && cmd !== 'down') continue;
    if (current) current.end = marker.start;
    const noTx = /(?:^|\s)notransaction\b/i.test(m[2] ?? '');
    current = { marker, start: marker.next, end: lines.text.length, transaction: noTx ? false : null };
    if (out[cmd]) out.problems.push({ message: `sql-migrate: a second \`-- +migrate ${m[1]}\` section`, line: marker.line });
    else out[cmd] = current;
  }
  // sql-migrate refuses a file with neither section (an empty Up is fine).
  if (!out.up && !out.down) out.problems.unshift({ message: 'sql-migrate: no `-- +migrate Up` or `-- +migrate Down` section', line: 1 });
  return out;
}

/** A `key = value` setting of a small TOML or properties file, with its line. */
export interface FileSetting {
  value: string;
  line: number;
  lineText: string;
}

/** Diesel metadata.toml: `run_in_transaction = false`. */
export function dieselRunInTransaction(text: string): FileSetting | null {
  return readSetting(text, 'run_in_transaction', /^[ \t]*run_in_transaction[ \t]*=[ \t]*([A-Za-z]+)/);
}

/** Flyway script configuration (`V1__x.sql.conf`): `executeInTransaction=false`. */
export function flywayExecuteInTransaction(text: string): FileSetting | null {
  return readSetting(text, 'executeInTransaction', /^[ \t]*(?:flyway\.)?executeInTransaction[ \t]*[=:][ \t]*([A-Za-z]+)/);
}

function readSetting(text: string, _name: string, re: RegExp): FileSetting | null {
  const rows = text.split('\n');
  for (let k = 0; k < rows.length; k++) {
    const m = re.exec(rows[k]!);
    if (m) return { value: m[1]!.toLowerCase(), line: k + 1, lineText: rows[k]! };
  }
  return null;
}
