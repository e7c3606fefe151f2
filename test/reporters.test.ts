// The CI output formats: sarif (validated against the official OASIS SARIF 2.1.0 schema), github
// workflow commands, junit XML, GitLab Code Quality and the markdown pull-request comment. Inputs
// are built by hand (non-ASCII paths, messages full of characters each format must escape) and
// through the real pipeline on a fixture project; one test runs the built CLI.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { loadConfig } from '../src/config/index.js';
import { lint } from '../src/engine/run.js';
import { loadRule } from '../src/engine/registry.js';
import { ruleDocUrl, type Finding, type RuleMeta } from '../src/rule-api/index.js';
import { reporters, reporterNames } from '../src/reporters/index.js';
import { summarize, type ReportContext, type ReportInput } from '../src/reporters/types.js';
import { FINGERPRINT_KEY, toSarif } from '../src/reporters/sarif.js';
import { escapeData, escapeProperty, github } from '../src/reporters/github.js';
import { junit } from '../src/reporters/junit.js';
import { gitlab } from '../src/reporters/gitlab.js';
import { MARKDOWN_LIMIT, markdown } from '../src/reporters/markdown.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// --- the official schema ---------------------------------------------------------------------

// The SARIF 2.1.0 JSON Schema as released with the standard (2.1.0-rtm.5, the schema SchemaStore
// publishes for SARIF 2.1.0), from the @microsoft/jest-sarif devDependency: the only npm package
// that ships the schema as a file. It declares draft-04, so ajv's draft-04 class, with formats.
const Ajv04 = Ajv04Module.default;
const addFormats = addFormatsModule.default;
const sarifSchema = JSON.parse(
  readFileSync(path.join(root, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json'), 'utf8'),
) as Record<string, unknown>;
// unicodeRegExp off: rtm.5 has a pattern (`language`) that is invalid with the u flag, fixed only in the 2023 errata.
const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validateSarif = ajv.compile(sarifSchema);

function assertValidSarif(log: unknown, label: string): void {
  const ok = validateSarif(log);
  assert.ok(ok, `${label}: ${ajv.errorsText(validateSarif.errors, { separator: '\n' })}`);
}

// --- a hand-built run --------------------------------------------------------------------------

const cwd = path.join(os.tmpdir(), 'migralint-reporters-never-written');
const FILE_A = path.join(cwd, 'migrations', 'versions', 'a1_crear_tabla_ñandú.py');
const FILE_B = path.join(cwd, 'migrations', 'versions', 'b2 tier#1.py');
const FILE_C = path.join(cwd, 'migrations', 'versions', 'c3_clean.py');
const SOURCE_A = [
  '"""crear tabla ñandú"""',
  'def upgrade():',
  '    op.add_column("ñandú", sa.Column("tier", sa.Text(), nullable=False))',
  '    op.add_column("ñandú", sa.Column("tier", sa.Text(), nullable=False))',
  '',
].join('\n');
const SOURCE_B = '"""empty"""\ndef upgrade():\n    pass\n';
const SOURCE_C = '"""clean"""\n';
/** Every character some format must escape: % , : newline < & > " and non-ASCII. */
const NASTY = 'Column «tier» on ñandú is 100% NOT NULL, no default: rows <fail> & "quotes"\nsecond line';

function finding(over: Partial<Finding> & Pick<Finding, 'ruleId' | 'file' | 'line'>): Finding {
  return {
    messageId: 'm',
    severity: 'error',
    column: 5,
    endLine: over.line,
    endColumn: 72,
    message: 'A message.',
    migration: 'a1',
    ...over,
  };
}

function handFindings(shift = 0): Finding[] {
  return [
    finding({ ruleId: 'add-not-null-column', messageId: 'notNullNoDefault', file: FILE_A, line: 3 + shift, message: NASTY }),
    finding({ ruleId: 'require-lock-timeout', messageId: 'missing', severity: 'warn', file: FILE_A, line: 3 + shift, message: 'No lock_timeout, set one.' }),
    // The same rule on an identical line: a different finding, so a different fingerprint.
    finding({ ruleId: 'add-not-null-column', messageId: 'notNullNoDefault', file: FILE_A, line: 4 + shift, message: NASTY }),
    finding({ ruleId: 'empty-migration', messageId: 'empty', severity: 'info', file: FILE_B, line: 2, column: 1, endColumn: 15, migration: 'b2', message: 'Upgrade does nothing.' }),
  ];
}

let metaCache: Map<string, RuleMeta<string, unknown>> | null = null;
async function rulesMeta(): Promise<Map<string, RuleMeta<string, unknown>>> {
  if (!metaCache) {
    metaCache = new Map();
    for (const id of ['add-not-null-column', 'require-lock-timeout', 'empty-migration', 'drop-table']) metaCache.set(id, (await loadRule(id)).meta);
  }
  return metaCache;
}

async function handRun(shift = 0): Promise<{ input: ReportInput; ctx: ReportContext }> {
  const findings = handFindings(shift);
  const sources = new Map([
    [FILE_A, shift > 0 ? '# a line inserted above\n'.repeat(shift) + SOURCE_A : SOURCE_A],
    [FILE_B, SOURCE_B],
    [FILE_C, SOURCE_C],
  ]);
  return {
    input: { findings, summary: summarize(findings, 3, 3), sources },
    ctx: { cwd, rulesMeta: await rulesMeta(), color: false },
  };
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: Record<string, number> } }[];
  partialFingerprints: Record<string, string>;
}
interface SarifRule {
  id: string;
  name: string;
  shortDescription?: { text: string };
  fullDescription?: { text: string };
  help?: { text: string; markdown: string };
  helpUri: string;
  defaultConfiguration: { level?: string; enabled?: boolean };
}
interface SarifRun {
  tool: { driver: { name: string; version: string; informationUri: string; rules: SarifRule[] } };
  results: SarifResult[];
  originalUriBaseIds: Record<string, { uri: string }>;
}

function runOf(log: unknown): SarifRun {
  return (log as { runs: SarifRun[] }).runs[0]!;
}

// --- sarif ------------------------------------------------------------------------------------

test('every new format is registered and loads lazily', async () => {
  for (const name of ['sarif', 'github', 'junit', 'gitlab', 'markdown']) {
    assert.ok(reporterNames.includes(name), name);
    assert.type(await reporters[name]!(), 'function');
  }
});

test('sarif: validates against the official SARIF 2.1.0 schema; a broken log does not', async () => {
  const { input, ctx } = await handRun();
  const text = (await reporters.sarif!())(input, ctx);
  const log = JSON.parse(text) as Record<string, unknown>;
  assertValidSarif(log, 'hand-built run');
  assert.is(log.version, '2.1.0');

  // The validator does reject what the schema forbids.
  const broken = (mutate: (l: { version: string; runs: SarifRun[] }) => void) => {
    const copy = JSON.parse(text) as { version: string; runs: SarifRun[] };
    mutate(copy);
    return copy;
  };
  const bad = [
    broken((l) => (l.version = '2.0.0')),
    broken((l) => (l.runs[0]!.results[0]!.level = 'fatal')),
    broken((l) => (l.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.startLine = 0)),
    broken((l) => delete (l.runs[0]!.tool.driver as Partial<SarifRun['tool']['driver']>).name),
    broken((l) => (l.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri = 'has space/and#two#hashes')),
    broken((l) => ((l.runs[0]!.results[0]! as unknown as Record<string, unknown>).severity = 'error')),
  ];
  for (const [i, b] of bad.entries()) assert.not.ok(validateSarif(b), `broken log ${i} validated`);
});

test('sarif: driver, rules[] with documentation, results with levels, regions and relative URIs', async () => {
  const { input, ctx } = await handRun();
  const run = runOf(toSarif(input, ctx));
  const driver = run.tool.driver;
  assert.is(driver.name, 'migralint');
  assert.is(driver.version, JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version);
  assert.match(driver.informationUri, /^https:\/\//);
  // Every rule that ran, sorted, each once; ruleIndex points at the result's own rule.
  assert.equal(
    driver.rules.map((r) => r.id),
    ['add-not-null-column', 'drop-table', 'empty-migration', 'require-lock-timeout'],
  );
  for (const r of run.results) assert.is(driver.rules[r.ruleIndex]!.id, r.ruleId);
  const meta = ctx.rulesMeta.get('add-not-null-column')!;
  const rule = driver.rules[0]!;
  assert.is(rule.name, 'AddNotNullColumn');
  assert.is(rule.shortDescription!.text, meta.description);
  assert.is(rule.fullDescription!.text, meta.docs.why);
  assert.ok(rule.help!.text.startsWith(meta.help) && rule.help!.text.includes(meta.docs.why));
  assert.ok(rule.help!.markdown.includes(meta.help) && rule.help!.markdown.includes(meta.docs.why));
  assert.is(rule.helpUri, ruleDocUrl('add-not-null-column'));
  assert.equal(rule.defaultConfiguration, { level: 'error' });
  assert.equal(driver.rules[3]!.defaultConfiguration, { level: 'warning' }); // require-lock-timeout: warn
  assert.equal(driver.rules[2]!.defaultConfiguration, { level: 'note' }); // empty-migration: info

  assert.equal(
    run.results.map((r) => r.level),
    ['error', 'warning', 'error', 'note'],
  );
  const first = run.results[0]!;
  assert.is(first.message.text, NASTY);
  const loc = first.locations[0]!.physicalLocation;
  assert.equal(loc.artifactLocation, { uri: 'migrations/versions/a1_crear_tabla_%C3%B1and%C3%BA.py', uriBaseId: '%SRCROOT%' });
  assert.equal(loc.region, { startLine: 3, startColumn: 5, endLine: 3, endColumn: 72 });
  assert.is(run.results[3]!.locations[0]!.physicalLocation.artifactLocation.uri, 'migrations/versions/b2%20tier%231.py');
  assert.equal(decodeURIComponent('migrations/versions/b2%20tier%231.py'), 'migrations/versions/b2 tier#1.py');
  const base = run.originalUriBaseIds['%SRCROOT%']!.uri;
  assert.ok(base.startsWith('file:///') && base.endsWith('/'), base);
});

test('sarif: fingerprints are stable across runs and line shifts, and differ between findings', async () => {
  const a = await handRun();
  const b = await handRun();
  const prints = (log: unknown) => runOf(log).results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]!);
  const first = prints(toSarif(a.input, a.ctx));
  assert.equal(prints(toSarif(b.input, b.ctx)), first);
  assert.is((await reporters.sarif!())(a.input, a.ctx), (await reporters.sarif!())(b.input, b.ctx));
  assert.is(new Set(first).size, first.length, 'two findings share a fingerprint');
  for (const p of first) assert.match(p, /^[0-9a-f]{64}$/);
  // Three lines inserted above the findings of file A: same fingerprints, new line numbers.
  const shifted = await handRun(3);
  const log = toSarif(shifted.input, shifted.ctx);
  assert.equal(prints(log), first);
  assert.is(runOf(log).results[0]!.locations[0]!.physicalLocation.region.startLine, 6);
  // Another rule on the same line, or the same rule on a changed line, is another finding.
  const changed = await handRun();
  changed.input.sources.set(FILE_A, SOURCE_A.replace('nullable=False))\n    op', 'nullable=False, comment="x"))\n    op'));
  assert.is.not(prints(toSarif(changed.input, changed.ctx))[0], first[0]);
});

test('sarif: the real pipeline on fixtures/alembic/add-not-null-column', async () => {
  const dir = path.join(root, 'fixtures', 'alembic', 'add-not-null-column');
  const config = await loadConfig({ cwd: dir });
  const result = await lint({ cwd: dir, paths: [], config, lockfile: null });
  assert.ok(result.findings.length >= 3);
  const sources = new Map(result.sets.flatMap((s) => s.migrations).map((m) => [m.file, m.source] as const));
  const input: ReportInput = {
    findings: result.findings,
    summary: summarize(result.findings, sources.size, result.migrations.length),
    sources,
  };
  const ctx: ReportContext = { cwd: dir, rulesMeta: new Map([...result.rules].map(([id, r]) => [id, r.meta])), color: false };
  const log = JSON.parse((await reporters.sarif!())(input, ctx));
  assertValidSarif(log, 'fixture');
  const run = runOf(log);
  assert.equal(
    run.tool.driver.rules.map((r) => r.id),
    [...result.rules.keys()].sort(),
  );
  assert.is(run.results.length, result.findings.length);
  for (const [i, r] of run.results.entries()) {
    const f = result.findings[i]!;
    assert.is(r.ruleId, f.ruleId);
    assert.is(run.tool.driver.rules[r.ruleIndex]!.id, f.ruleId);
    assert.is(r.locations[0]!.physicalLocation.artifactLocation.uri, path.relative(dir, f.file).split(path.sep).join('/'));
    assert.is(r.locations[0]!.physicalLocation.region.startLine, f.line);
  }
  const again = JSON.parse((await reporters.sarif!())(input, ctx));
  assert.equal(again, log);

  // The other formats accept the same real input.
  const gl = JSON.parse(gitlab(input, ctx)) as { fingerprint: string }[];
  assert.is(gl.length, result.findings.length);
  assert.is(new Set(gl.map((g) => g.fingerprint)).size, gl.length);
  assert.is(github(input, ctx).trimEnd().split('\n').length, result.findings.length);
  assertWellFormedXml(junit(input, ctx));
  assert.match(markdown(input, ctx), /^\| `8e41f7a2c9d3` \| `migrations\/versions\/8e41f7a2c9d3_add_invoice_currency_and_status\.py` \| 2 \| 1 \| 1 \|$/m);
});

// --- github -----------------------------------------------------------------------------------

test('github: one workflow command per finding, escaped exactly as Actions requires', async () => {
  assert.is(escapeData('a%b\r\nc:d,e'), 'a%25b%0D%0Ac:d,e');
  assert.is(escapeProperty('a%b\r\nc:d,e'), 'a%25b%0D%0Ac%3Ad%2Ce');
  const { input, ctx } = await handRun();
  const lines = github(input, ctx).split('\n');
  assert.equal(lines, [
    '::error file=migrations/versions/a1_crear_tabla_ñandú.py,line=3,col=5,endLine=3,endColumn=72,title=add-not-null-column::' +
      'Column «tier» on ñandú is 100%25 NOT NULL, no default: rows <fail> & "quotes"%0Asecond line',
    '::warning file=migrations/versions/a1_crear_tabla_ñandú.py,line=3,col=5,endLine=3,endColumn=72,title=require-lock-timeout::No lock_timeout, set one.',
    '::error file=migrations/versions/a1_crear_tabla_ñandú.py,line=4,col=5,endLine=4,endColumn=72,title=add-not-null-column::' +
      'Column «tier» on ñandú is 100%25 NOT NULL, no default: rows <fail> & "quotes"%0Asecond line',
    '::notice file=migrations/versions/b2 tier#1.py,line=2,col=1,endLine=2,endColumn=15,title=empty-migration::Upgrade does nothing.',
    '',
  ]);
  // A path with the property separators in it.
  const odd = finding({ ruleId: 'drop-table', file: path.join(cwd, 'a,b:c%.sql'), line: 0, column: 0, endLine: 0, endColumn: 0, message: 'x' });
  assert.is(
    github({ ...input, findings: [odd] }, ctx),
    '::error file=a%2Cb%3Ac%25.sql,line=1,col=1,endLine=1,endColumn=1,title=drop-table::x\n',
  );
  assert.is(github({ ...input, findings: [] }, ctx), '');
});

// --- junit ------------------------------------------------------------------------------------

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function decodeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    const v = ENTITIES[e];
    if (v === undefined) throw new Error(`unknown entity ${whole}`);
    return v;
  });
}

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/**
 * A small XML well-formedness check (enough for what junit writes: a declaration, elements,
 * attributes in quotes, text, no CDATA or comments): raw `<` or `&` in text, an unquoted or
 * duplicate attribute, a mismatched or unclosed tag all throw. Returns the root element.
 */
function assertWellFormedXml(xml: string): XmlElement {
  let i = 0;
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/.exec(xml);
  assert.ok(decl, 'XML declaration');
  i = decl![0].length;
  const stack: XmlElement[] = [];
  let rootEl: XmlElement | null = null;
  const name = /[A-Za-z_][\w.-]*/y;
  while (i < xml.length) {
    if (xml[i] === '<') {
      const close = xml[i + 1] === '/';
      name.lastIndex = i + (close ? 2 : 1);
      const m = name.exec(xml);
      if (!m) throw new Error(`bad tag at ${i}`);
      i = name.lastIndex;
      if (close) {
        const top = stack.pop();
        if (!top || top.name !== m[0]) throw new Error(`</${m[0]}> closes <${top?.name}>`);
        if (xml[i] !== '>') throw new Error(`bad close tag at ${i}`);
        i++;
        continue;
      }
      const el: XmlElement = { name: m[0], attrs: {}, children: [], text: '' };
      for (;;) {
        while (xml[i] === ' ') i++;
        if (xml.startsWith('/>', i) || xml[i] === '>') break;
        name.lastIndex = i;
        const a = name.exec(xml);
        if (!a || xml[name.lastIndex] !== '=' || xml[name.lastIndex + 1] !== '"') throw new Error(`bad attribute at ${i}`);
        const end = xml.indexOf('"', name.lastIndex + 2);
        const raw = xml.slice(name.lastIndex + 2, end);
        if (/[<\n]|&(?!(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);)/.test(raw)) throw new Error(`unescaped attribute ${a[0]}="${raw}"`);
        if (a[0] in el.attrs) throw new Error(`duplicate attribute ${a[0]}`);
        el.attrs[a[0]] = decodeXml(raw);
        i = end + 1;
      }
      if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
      else if (rootEl) throw new Error('two root elements');
      else rootEl = el;
      if (xml.startsWith('/>', i)) i += 2;
      else {
        i++;
        stack.push(el);
      }
    } else {
      const next = xml.indexOf('<', i);
      const raw = xml.slice(i, next < 0 ? xml.length : next);
      if (/&(?!(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);)/.test(raw)) throw new Error(`unescaped & in text: ${raw}`);
      if (raw.includes(']]>')) throw new Error(`]]> in text: ${raw}`);
      if (stack.length === 0 && raw.trim() !== '') throw new Error(`text outside the root: ${raw}`);
      if (stack.length > 0) stack[stack.length - 1]!.text += decodeXml(raw);
      i = next < 0 ? xml.length : next;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  assert.ok(rootEl, 'a root element');
  return rootEl!;
}

test('junit: exact output for a small run', async () => {
  const meta = await rulesMeta();
  const file = path.join(cwd, 'm', 'b1.py');
  const clean = path.join(cwd, 'm', 'a0.py');
  const findings = [
    finding({ ruleId: 'drop-table', file, line: 7, column: 3, endColumn: 20, migration: 'b1', message: 'Table <a&b> is "dropped".' }),
  ];
  const xml = junit(
    { findings, summary: summarize(findings, 2, 2), sources: new Map([[file, ''], [clean, '']]) },
    { cwd, rulesMeta: new Map([['drop-table', meta.get('drop-table')!]]), color: false },
  );
  const help = meta.get('drop-table')!.help.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  assert.fixture(
    xml,
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites name="migralint" tests="2" failures="1" errors="0" time="0">',
      '  <testsuite name="m/a0.py" tests="1" failures="0" errors="0" skipped="0" time="0">',
      '    <testcase classname="m/a0.py" name="migralint" time="0" />',
      '  </testsuite>',
      '  <testsuite name="m/b1.py" tests="1" failures="1" errors="0" skipped="0" time="0">',
      '    <testcase classname="m/b1.py" name="drop-table (7:3)" time="0">',
      '      <failure message="Table &lt;a&amp;b&gt; is &quot;dropped&quot;." type="error">m/b1.py:7:3: error: Table &lt;a&amp;b&gt; is "dropped". (drop-table)',
      'migration: b1',
      `help: ${help}`,
      `docs: ${ruleDocUrl('drop-table')}</failure>`,
      '    </testcase>',
      '  </testsuite>',
      '</testsuites>',
      '',
    ].join('\n'),
  );
  assertWellFormedXml(xml);
});

test('junit: well-formed with hostile text; messages survive the round trip; clean files pass', async () => {
  const { input, ctx } = await handRun();
  const control = finding({ ruleId: 'drop-table', file: FILE_B, line: 3, message: 'bell\u0007 and lone \uD800 surrogate ]]> end' });
  const xml = junit({ ...input, findings: [...input.findings, control] }, ctx);
  const doc = assertWellFormedXml(xml);
  assert.is(doc.name, 'testsuites');
  assert.equal(
    doc.children.map((s) => s.attrs.name),
    ['migrations/versions/a1_crear_tabla_ñandú.py', 'migrations/versions/b2 tier#1.py', 'migrations/versions/c3_clean.py'],
  );
  assert.is(doc.attrs.tests, '6');
  assert.is(doc.attrs.failures, '5');
  const failures = doc.children.flatMap((s) => s.children.flatMap((c) => c.children.filter((x) => x.name === 'failure')));
  assert.is(failures[0]!.attrs.message, NASTY);
  assert.is(failures[0]!.attrs.type, 'error');
  assert.ok(failures[0]!.text.includes(NASTY));
  assert.equal(
    failures.map((f) => f.attrs.type),
    ['error', 'warn', 'error', 'info', 'error'],
  );
  assert.is(failures[4]!.attrs.message, 'bell\uFFFD and lone \uFFFD surrogate ]]> end');
  const clean = doc.children[2]!;
  assert.is(clean.children.length, 1);
  assert.equal(clean.children[0]!.children, []);
  assert.throws(() => assertWellFormedXml('<?xml version="1.0" encoding="UTF-8"?>\n<a><b></a></b>\n'));
  assert.throws(() => assertWellFormedXml('<?xml version="1.0" encoding="UTF-8"?>\n<a x="1 & 2"/>\n'));
});

// --- gitlab -----------------------------------------------------------------------------------

test('gitlab: Code Quality issues with mapped severities and unique, stable fingerprints', async () => {
  const { input, ctx } = await handRun();
  const issues = JSON.parse(gitlab(input, ctx)) as Record<string, unknown>[];
  assert.is(issues.length, 4);
  assert.equal(issues[0], {
    description: NASTY,
    check_name: 'add-not-null-column',
    fingerprint: (issues[0] as { fingerprint: string }).fingerprint,
    severity: 'critical',
    location: { path: 'migrations/versions/a1_crear_tabla_ñandú.py', lines: { begin: 3, end: 3 } },
  });
  assert.equal(
    issues.map((i) => i.severity),
    ['critical', 'major', 'critical', 'info'],
  );
  for (const i of issues) {
    assert.equal(Object.keys(i).sort(), ['check_name', 'description', 'fingerprint', 'location', 'severity']);
    assert.match(i.fingerprint as string, /^[0-9a-f]{64}$/);
  }
  const prints = issues.map((i) => i.fingerprint);
  assert.is(new Set(prints).size, prints.length);
  const again = await handRun(2);
  assert.equal(
    (JSON.parse(gitlab(again.input, again.ctx)) as { fingerprint: string }[]).map((i) => i.fingerprint),
    prints,
  );
  assert.is(gitlab({ ...input, findings: [] }, ctx), '[]\n');
});

// --- markdown ---------------------------------------------------------------------------------

test('markdown: verdict, summary table per migration, findings with rule links and the safer way', async () => {
  const { input, ctx } = await handRun();
  const md = markdown(input, ctx);
  assert.not.match(md, /\u001b\[/);
  const lines = md.split('\n');
  assert.is(lines[0], '<!-- migralint -->');
  assert.is(lines[1], '## ❌ migralint: unsafe migrations');
  assert.ok(lines.includes('**2 errors, 1 warning, 1 info** in 3 migrations in 3 files.'));
  const table = lines.filter((l) => l.startsWith('|'));
  assert.equal(table, [
    '| Migration | File | Errors | Warnings | Info |',
    '| --- | --- | ---: | ---: | ---: |',
    '| `a1` | `migrations/versions/a1_crear_tabla_ñandú.py` | 2 | 1 | 0 |',
    '| `b2` | `migrations/versions/b2 tier#1.py` | 0 | 0 | 1 |',
  ]);
  assert.ok(lines.includes('#### `migrations/versions/a1_crear_tabla_ñandú.py`'));
  const items = lines.filter((l) => l.startsWith('- '));
  assert.is(items.length, 4);
  assert.is(
    items[0],
    `- ❌ **error** line 3:5 (migration \`a1\`), [\`add-not-null-column\`](${ruleDocUrl('add-not-null-column')}): ` +
      'Column «tier» on ñandú is 100% NOT NULL, no default: rows \\<fail\\> \\& "quotes" second line',
  );
  assert.ok(lines.includes(`  - Safer way: ${ctx.rulesMeta.get('add-not-null-column')!.help}`));
  // Once per rule and file: add-not-null-column twice in file A gets it once.
  assert.is(lines.filter((l) => l.startsWith('  - Safer way: ')).length, 3);
  assert.match(items[3]!, /^- ℹ️ \*\*info\*\* line 2:1/);
  // Deterministic: the findings in another order give the same comment.
  assert.is(markdown({ ...input, findings: [...input.findings].reverse() }, ctx), md);

  const warnOnly = input.findings.filter((f) => f.severity === 'warn');
  assert.match(markdown({ ...input, findings: warnOnly, summary: summarize(warnOnly, 3, 3) }, ctx), /^## ⚠️ migralint: migrations to review$/m);
  const none = markdown({ ...input, findings: [], summary: summarize([], 3, 3) }, ctx);
  assert.is(none, '<!-- migralint -->\n## ✅ migralint: no problems found\n\nChecked 3 migrations in 3 files.\n');
});

function many(n: number, files: number): Finding[] {
  const out: Finding[] = [];
  for (let i = 0; i < n; i++) {
    const f = i % files;
    out.push(
      finding({
        ruleId: 'drop-table',
        file: path.join(cwd, 'migrations', 'versions', `${String(f).padStart(5, '0')}_revision.py`),
        line: 10 + Math.floor(i / files),
        migration: `r${String(f).padStart(5, '0')}`,
        severity: i % 3 === 0 ? 'error' : i % 3 === 1 ? 'warn' : 'info',
        message: `Table t${i} is dropped; application code still running during the deploy may query it.`,
      }),
    );
  }
  return out;
}

test('markdown: 5,000 findings stay under 60,000 characters with the full table and a truncation line', async () => {
  const meta = await rulesMeta();
  const findings = many(5000, 40);
  const md = markdown({ findings, summary: summarize(findings, 40, 40), sources: new Map() }, { cwd, rulesMeta: meta, color: false });
  assert.ok(md.length < MARKDOWN_LIMIT, `${md.length} characters`);
  assert.is(md.split('\n').filter((l) => /^\| `r\d{5}` \|/.test(l)).length, 40);
  const shown = md.split('\n').filter((l) => l.startsWith('- ')).length;
  assert.ok(shown > 10 && shown < 5000, `${shown} shown`);
  const more = /^_(\d+) more findings not shown; run `migralint lint --format json` to see them all\._$/m.exec(md);
  assert.ok(more, 'truncation line');
  assert.is(Number(more![1]) + shown, 5000);
  assert.ok(md.trimEnd().endsWith(more![0]));
});

test('markdown: when even the table is too long it is summarised too', async () => {
  const meta = await rulesMeta();
  const findings = many(5000, 5000);
  const md = markdown({ findings, summary: summarize(findings, 5000, 5000), sources: new Map() }, { cwd, rulesMeta: meta, color: false });
  assert.ok(md.length < MARKDOWN_LIMIT, `${md.length} characters`);
  const rows = md.split('\n').filter((l) => /^\| `r\d{5}` \|/.test(l));
  assert.ok(rows.length > 100 && rows.length < 5000, `${rows.length} rows`);
  const rest = /^\| … \| (\d+) more rows not shown \| (\d+) \| (\d+) \| (\d+) \|$/m.exec(md);
  assert.ok(rest, 'summary row');
  assert.is(Number(rest![1]) + rows.length, 5000);
  // The rows left out hold exactly the findings left out of the table.
  const keptErrors = rows.reduce((n, r) => n + Number(r.split('|')[3]!.trim()), 0);
  assert.is(keptErrors + Number(rest![2]), findings.filter((f) => f.severity === 'error').length);
  assert.match(md, /^_5000 more findings not shown; run `migralint lint --format json` to see them all\._$/m);
  assert.not.match(md, /^- /m);
});

// --- the CLI ----------------------------------------------------------------------------------

test('CLI: migralint lint --format sarif on a temporary project prints valid SARIF', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migralint-sarif-'));
  try {
    mkdirSync(path.join(dir, 'migrations', 'versions'), { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), '{"name": "app", "private": true}\n');
    writeFileSync(path.join(dir, 'migrations', 'env.py'), 'from alembic import context\nconnection.execute(text("SET lock_timeout = 5000"))\n');
    writeFileSync(
      path.join(dir, 'migrations', 'versions', 'a1 añadir.py'),
      '"""add note"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n' +
        '    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))\n\n\ndef downgrade():\n    op.drop_column("accounts", "tier")\n',
    );
    const res = spawnSync(process.execPath, [path.join(root, 'bin', 'migralint.js'), 'lint', '--format', 'sarif'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' },
    });
    assert.is(res.status, 1, res.stdout + res.stderr);
    const log = JSON.parse(res.stdout);
    assertValidSarif(log, 'CLI output');
    const run = runOf(log);
    assert.equal(
      run.results.map((r) => [r.ruleId, r.level, r.locations[0]!.physicalLocation.artifactLocation.uri, r.locations[0]!.physicalLocation.region.startLine]),
      [['add-not-null-column', 'error', 'migrations/versions/a1%20a%C3%B1adir.py', 10]],
    );
    assert.is(run.tool.driver.rules[run.results[0]!.ruleIndex]!.id, 'add-not-null-column');
    assert.ok(run.tool.driver.rules.length > 20, 'every enabled rule is listed');
    const bad = spawnSync(process.execPath, [path.join(root, 'bin', 'migralint.js'), 'lint', '--format', 'xml'], { cwd: dir, encoding: 'utf8' });
    assert.is(bad.status, 2);
    for (const name of ['sarif', 'github', 'junit', 'gitlab', 'markdown']) assert.match(bad.stderr, new RegExp(`expected one of .*\\b${name}\\b`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
