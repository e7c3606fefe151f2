// The checklist as terminal text, Markdown (a pull request or deploy ticket) or JSON.
import type { Checklist, ChecklistItem } from './checklist.js';

export const VERIFY_FORMATS = ['text', 'markdown', 'json'] as const;
export type VerifyFormat = (typeof VERIFY_FORMATS)[number];

function mark(i: ChecklistItem): string {
  return i.status === 'pass' ? '[x]' : i.status === 'skipped' ? '[-]' : '[ ]';
}

function verdict(c: Checklist): string {
  const n = c.items.length;
  if (c.ok) return `All ${n} checks hold: ready to migrate.`;
  const numbers = (status: string) => c.items.filter((i) => i.required && i.status === status).map((i) => String(c.items.indexOf(i) + 1));
  const failed = numbers('fail');
  const skipped = numbers('skipped');
  const parts = [...(failed.length > 0 ? [`failed: ${failed.join(', ')}`] : []), ...(skipped.length > 0 ? [`not checked: ${skipped.join(', ')}`] : [])];
  return `${c.summary.passed} of ${n} checks hold; not ready to migrate (${parts.join('; ')}).`;
}

function header(c: Checklist): string[] {
  const server = c.database.server ? ` (PostgreSQL ${c.database.server})` : '';
  const current = c.database.current.length > 0 ? c.database.current.join(', ') : 'nothing applied';
  return [
    `database:   ${c.database.url}${server}`,
    `version:    ${c.database.versionTable} (${c.database.versionTableKind}${c.database.versionTableExists ? '' : ', missing'}): ${current}`,
    `migrations: ${c.migrations.directory} (${c.migrations.framework}), head ${c.migrations.heads.join(', ') || '(none)'}`,
    `policy:     ${c.policy}`,
  ];
}

export function renderText(c: Checklist): string {
  const out: string[] = ['migralint verify', ...header(c).map((l) => `  ${l}`), ''];
  c.items.forEach((item, index) => {
    out.push(`${mark(item)} ${index + 1}. ${item.title}: ${item.summary}`);
    for (const e of item.evidence) out.push(`      ${e}`);
  });
  out.push('', verdict(c));
  return `${out.join('\n')}\n`;
}

/** Markdown special characters in free text (file names, messages) would turn into formatting. */
function md(text: string): string {
  // Code spans (between backticks) are shown as written.
  return text
    .split('`')
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/([\\*_[\]<>|])/g, '\\$1')))
    .join('`');
}

export function renderMarkdown(c: Checklist): string {
  const out: string[] = ['## migralint verify', ''];
  for (const l of header(c)) {
    const [key, ...rest] = l.split(':');
    out.push(`- **${key!.trim()}**: ${md(rest.join(':').trim())}`);
  }
  out.push('');
  c.items.forEach((item, index) => {
    out.push(`- ${mark(item) === '[-]' ? '[ ]' : mark(item)} **${index + 1}. ${md(item.title)}**: ${md(item.summary)}`);
    for (const e of item.evidence) out.push(`  - ${md(e)}`);
  });
  out.push('', `**${verdict(c)}**`);
  return `${out.join('\n')}\n`;
}

export function renderJson(c: Checklist): string {
  return `${JSON.stringify(c, null, 2)}\n`;
}

export function render(c: Checklist, format: VerifyFormat): string {
  return format === 'json' ? renderJson(c) : format === 'markdown' ? renderMarkdown(c) : renderText(c);
}
