// `migralint waivers`: every waiver in the configuration, with who owns it and how long it has left.
import path from 'node:path';
import type { ResolvedConfig } from '../config/index.js';
import { today, waiverStates } from '../engine/scope.js';

export async function runWaivers(opts: {
  cwd: string;
  config: ResolvedConfig;
  format: string;
  write: (s: string) => void;
}): Promise<number> {
  const day = today();
  const rel = (f: string) => path.relative(opts.cwd, f).split(path.sep).join('/') || f;
  const rows = waiverStates(opts.config, day).map((w) => ({
    rule: w.rule,
    migration: w.migration,
    owner: w.owner,
    expires: w.expires,
    daysLeft: w.daysLeft,
    expired: w.expired,
    reason: w.reason,
    file: rel(w.file),
    line: w.line,
  }));
  if (opts.format === 'json') {
    opts.write(JSON.stringify({ today: day, waivers: rows }, null, 2) + '\n');
    return 0;
  }
  if (opts.format !== 'stylish') {
    throw Object.assign(new Error(`unknown format "${opts.format}" for waivers; expected stylish or json`), { name: 'UsageError' });
  }
  if (rows.length === 0) {
    const where = opts.config.configFile ? rel(opts.config.configFile) : 'the configuration (no config file found)';
    opts.write(`No waivers in ${where}.\n`);
    return 0;
  }
  const table = [
    ['rule', 'migration', 'owner', 'expires', 'days left', 'reason'],
    ...rows.map((r) => [r.rule, r.migration, r.owner, r.expires, r.expired ? 'EXPIRED' : String(r.daysLeft), r.reason]),
  ];
  // Every column but the last (the reason, free text) is padded to its widest cell.
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  opts.write(table.map(line).join('\n') + '\n');
  const expired = rows.filter((r) => r.expired).length;
  opts.write(
    `\n${rows.length} waiver${rows.length === 1 ? '' : 's'}` +
      (expired > 0 ? `, ${expired} expired (reported by expired-waiver until renewed or removed)` : '') +
      ` (today is ${day}).\n`,
  );
  return 0;
}
