// SARIF 2.1.0 (OASIS), as GitHub code scanning and other result viewers read it: one run, the
// rules that ran with their documentation, one result per finding with its region and a
// partial fingerprint that survives lines being inserted above it.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import recommendedPreset from '../../policies/recommended.json' with { type: 'json' };
import { ruleDocUrl, type Finding, type RuleMeta } from '../rule-api/index.js';
import { fingerprints, regionOf, relativePath } from './shared.js';
import type { Reporter } from './types.js';

declare const __MIGRALINT_VERSION__: string | undefined;

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const INFORMATION_URI = 'https://github.com/migralint/migralint';
/** The partialFingerprints key; `primaryLocationLineHash` is GitHub's own and recomputed by its upload action. */
export const FINGERPRINT_KEY = 'migralintFingerprint/v1';
const SRCROOT = '%SRCROOT%';

type SarifLevel = 'error' | 'warning' | 'note' | 'none';

const LEVELS: Record<Finding['severity'], SarifLevel> = { error: 'error', warn: 'warning', info: 'note' };

function version(): string {
  if (typeof __MIGRALINT_VERSION__ === 'string') return __MIGRALINT_VERSION__;
  const require = createRequire(import.meta.url);
  return (require('../../package.json') as { version: string }).version;
}

/** `add-not-null-column` -> `AddNotNullColumn`, the identifier style SARIF suggests for names. */
function pascalName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** A relative path as a URI reference: every segment percent-encoded, `/` between them. */
function uriOf(cwd: string, file: string): { uri: string; uriBaseId?: string } {
  const rel = relativePath(cwd, file);
  if (path.isAbsolute(rel)) return { uri: pathToFileURL(file).href };
  return { uri: rel.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function ruleDescriptor(id: string, meta: RuleMeta<string, unknown> | undefined): Record<string, unknown> {
  const preset = (recommendedPreset.rules as Record<string, string | undefined>)[id];
  const defaultConfiguration =
    preset === 'error' || preset === 'warn' || preset === 'info' ? { level: LEVELS[preset] } : { enabled: false, level: 'warning' };
  const descriptor: Record<string, unknown> = { id, name: pascalName(id) };
  if (meta) {
    descriptor.shortDescription = { text: meta.description };
    descriptor.fullDescription = { text: meta.docs.why };
    descriptor.help = {
      text: `${meta.help}\n\nWhy: ${meta.docs.why}\n\nDocumentation: ${ruleDocUrl(id)}`,
      markdown: `**Safer way.** ${meta.help}\n\n**Why.** ${meta.docs.why}\n\n[Documentation](${ruleDocUrl(id)})`,
    };
  }
  descriptor.helpUri = ruleDocUrl(id);
  descriptor.defaultConfiguration = defaultConfiguration;
  if (meta) descriptor.properties = { tags: ['migrations', meta.type] };
  return descriptor;
}

export function toSarif(input: Parameters<Reporter>[0], ctx: Parameters<Reporter>[1]): Record<string, unknown> {
  const ids = [...new Set([...ctx.rulesMeta.keys(), ...input.findings.map((f) => f.ruleId)])].sort();
  const index = new Map(ids.map((id, i) => [id, i]));
  const prints = fingerprints(input, ctx.cwd);
  const results = input.findings.map((f, i) => {
    const r = regionOf(f);
    return {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId)!,
      level: LEVELS[f.severity],
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: uriOf(ctx.cwd, f.file),
            region: { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn },
          },
        },
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: prints[i]! },
      ...(f.migration !== null ? { properties: { migration: f.migration } } : {}),
    };
  });
  const root = pathToFileURL(ctx.cwd).href;
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'migralint',
            version: version(),
            semanticVersion: version(),
            informationUri: INFORMATION_URI,
            rules: ids.map((id) => ruleDescriptor(id, ctx.rulesMeta.get(id))),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: root.endsWith('/') ? root : `${root}/` } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

export const sarif: Reporter = (input, ctx) => JSON.stringify(toSarif(input, ctx), null, 2) + '\n';
