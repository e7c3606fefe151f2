// A pull-request (or merge-request) comment in GitHub-flavoured Markdown: the verdict and counts,
// a table of the migrations with findings, then the findings by file with a link to each rule's
// documentation and its safer way (once per rule and file). It stays under MARKDOWN_LIMIT characters (GitHub refuses
// comments over 65,536): the details are cut first, then the table, each with a line saying what
// was left out.
import { ruleDocUrl, type Finding } from '../rule-api/index.js';
import { cmp, plural, regionOf, relativePath, sortedFindings } from './shared.js';
import type { Reporter, ReportSummary } from './types.js';

export const MARKDOWN_LIMIT = 60_000;
/** A hidden marker, so a bot can find and update its earlier comment. */
export const MARKDOWN_MARKER = '<!-- migralint -->';

const ICONS: Record<Finding['severity'], string> = { error: '❌', warn: '⚠️', info: 'ℹ️' };
const WORDS: Record<Finding['severity'], string> = { error: 'error', warn: 'warning', info: 'info' };

/** Plain text as Markdown: punctuation that could start markup, HTML, an entity or math is escaped. */
export function escapeMarkdown(s: string): string {
  return oneLine(s).replace(/[\\`*_[\]<>|~&$#]/g, '\\$&');
}

function oneLine(s: string): string {
  return s.replace(/\r\n?|\n/g, ' ');
}

/** A code span that holds any text, `|` escaped for table cells. */
function code(s: string, inTable = false): string {
  const text = oneLine(s);
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  const span = `${fence}${pad}${text}${pad}${fence}`;
  return inTable ? span.replace(/\|/g, '\\|') : span;
}

function counts(s: { errors: number; warnings: number; infos: number }): string {
  return `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${s.infos} info`;
}

function heading(summary: ReportSummary): string[] {
  const total = summary.errors + summary.warnings + summary.infos;
  const scanned = `${plural(summary.migrations, 'migration')} in ${plural(summary.files, 'file')}`;
  if (total === 0) return [MARKDOWN_MARKER, '## ✅ migralint: no problems found', '', `Checked ${scanned}.`];
  const verdict =
    summary.errors > 0
      ? '❌ migralint: unsafe migrations'
      : summary.warnings > 0
        ? '⚠️ migralint: migrations to review'
        : 'ℹ️ migralint: notes on migrations';
  return [MARKDOWN_MARKER, `## ${verdict}`, '', `**${counts(summary)}** in ${scanned}.`];
}

interface Row {
  migration: string | null;
  file: string;
  errors: number;
  warnings: number;
  infos: number;
}

function rowsOf(findings: Finding[], cwd: string): Row[] {
  const rows = new Map<string, Row>();
  for (const f of findings) {
    const file = relativePath(cwd, f.file);
    const key = `${file}\0${f.migration ?? ''}`;
    const row = rows.get(key) ?? { migration: f.migration, file, errors: 0, warnings: 0, infos: 0 };
    if (f.severity === 'error') row.errors++;
    else if (f.severity === 'warn') row.warnings++;
    else row.infos++;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => cmp(a.file, b.file) || cmp(a.migration ?? '', b.migration ?? ''));
}

const TABLE_HEAD = ['| Migration | File | Errors | Warnings | Info |', '| --- | --- | ---: | ---: | ---: |'];

function tableRow(r: Row): string {
  return `| ${r.migration === null ? '—' : code(r.migration, true)} | ${code(r.file, true)} | ${r.errors} | ${r.warnings} | ${r.infos} |`;
}

function moreLine(n: number): string {
  return `_${n === 1 ? '1 more finding' : `${n} more findings`} not shown; run \`migralint lint --format json\` to see them all._`;
}

export const markdown: Reporter = (input, ctx) => {
  const findings = sortedFindings(input.findings, ctx.cwd);
  const head = heading(input.summary);
  if (findings.length === 0) return head.join('\n') + '\n';

  // Room kept for the closing lines when something has to be cut.
  const reserve = 400;
  const rows = rowsOf(findings, ctx.cwd);
  let table = [...TABLE_HEAD, ...rows.map(tableRow)];
  let text = [...head, '', ...table].join('\n');
  if (text.length + reserve > MARKDOWN_LIMIT) {
    // Even the table is too long: keep the rows that fit and sum up the rest in a last row.
    table = [...TABLE_HEAD];
    let length = [...head, '', ...table].join('\n').length;
    let kept = 0;
    for (const r of rows) {
      const line = tableRow(r);
      if (length + 1 + line.length + 2 * reserve > MARKDOWN_LIMIT) break;
      table.push(line);
      length += 1 + line.length;
      kept++;
    }
    const rest = rows.slice(kept);
    const sum = (k: 'errors' | 'warnings' | 'infos') => rest.reduce((n, r) => n + r[k], 0);
    table.push(`| … | ${plural(rest.length, 'more row')} not shown | ${sum('errors')} | ${sum('warnings')} | ${sum('infos')} |`);
    return [...head, '', ...table, '', moreLine(findings.length)].join('\n') + '\n';
  }

  const details: string[] = ['', '### Findings'];
  let length = text.length + details.join('\n').length;
  let shown = 0;
  let currentFile: string | null = null;
  // The safer way is given once per rule and file, under the rule's first finding there.
  let helped = new Set<string>();
  for (const f of findings) {
    const file = relativePath(ctx.cwd, f.file);
    const lines: string[] = [];
    if (file !== currentFile) lines.push('', `#### ${code(file)}`, '');
    const help = file !== currentFile || !helped.has(f.ruleId) ? ctx.rulesMeta.get(f.ruleId)?.help : undefined;
    const r = regionOf(f);
    const migration = f.migration !== null ? ` (migration ${code(f.migration)})` : '';
    lines.push(
      `- ${ICONS[f.severity]} **${WORDS[f.severity]}** line ${r.line}:${r.column}${migration}, [${code(f.ruleId)}](${ruleDocUrl(f.ruleId)}): ${escapeMarkdown(f.message)}`,
    );
    if (help) lines.push(`  - Safer way: ${oneLine(help)}`);
    const piece = '\n' + lines.join('\n');
    if (length + piece.length + reserve > MARKDOWN_LIMIT) break;
    details.push(...lines);
    length += piece.length;
    if (file !== currentFile) helped = new Set();
    helped.add(f.ruleId);
    currentFile = file;
    shown++;
  }
  if (shown < findings.length) details.push('', moreLine(findings.length - shown));
  text += '\n' + details.join('\n');
  return text + '\n';
};
