// `migralint rules` and `migralint explain <rule>`: the rule documentation ships inside the tool.
import type { ResolvedConfig } from '../config/index.js';
import { loadAllRules, loadRule, isRuleId, ruleIds } from '../engine/registry.js';
import { productionNote, ruleDocUrl } from '../rule-api/index.js';
import { closest } from '../util/closest.js';

export async function runRules(opts: { config: ResolvedConfig; format: string; write: (s: string) => void }): Promise<number> {
  const rules = await loadAllRules();
  const rows = rules.map((r) => ({
    id: r.id,
    level: opts.config.rules[r.id]?.severity ?? 'off',
    type: r.meta.type,
    description: r.meta.description,
  }));
  if (opts.format === 'json') {
    opts.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  const width = Math.max(...rows.map((r) => r.id.length));
  for (const r of rows) opts.write(`${r.id.padEnd(width)}  ${r.level.padEnd(5)}  ${r.description}\n`);
  return 0;
}

export async function runExplain(opts: { id: string; config: ResolvedConfig; write: (s: string) => void }): Promise<number> {
  if (!isRuleId(opts.id)) {
    const guess = closest(opts.id, ruleIds);
    throw Object.assign(new Error(`unknown rule "${opts.id}"${guess ? `. Did you mean "${guess}"?` : ''}`), { name: 'UsageError' });
  }
  const rule = await loadRule(opts.id);
  const m = rule.meta;
  const example = (e: string | Record<string, string>) =>
    typeof e === 'string' ? indent(e) : Object.entries(e).map(([f, t]) => `  # ${f.replace(/^\//, '')}\n${indent(t)}`).join('\n');
  const setting = opts.config.rules[rule.id];
  const lines = [
    `${rule.id} (${m.type})`,
    '',
    `${m.description}.`,
    '',
    'Why',
    wrapText(m.docs.why),
    '',
    'Flagged',
    example(m.docs.bad),
    '',
    'Not flagged',
    example(m.docs.good),
    '',
    'Safer way',
    wrapText(m.help),
    '',
    ...(productionNote(m, opts.config.sizes) ? ['Against production', wrapText(productionNote(m, opts.config.sizes)!), ''] : []),
    `Level in this configuration: ${setting?.severity ?? 'off'}`,
  ];
  if (m.schema) lines.push(`Options: ${JSON.stringify(setting?.options ?? m.defaultOptions)}`);
  lines.push(`Docs: ${ruleDocUrl(rule.id)}`);
  opts.write(lines.join('\n') + '\n');
  return 0;
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => (l ? `    ${l}` : ''))
    .join('\n');
}

function wrapText(text: string, width = 96): string {
  const words = text.split(/\s+/);
  const out: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width) {
      out.push(`  ${line}`);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(`  ${line}`);
  return out.join('\n');
}
