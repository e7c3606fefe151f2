// The library API: lint programmatically with the same engine as the CLI.
export { lint, loadMigrations, type LintOptions, type LintResult, type LintScope } from './engine/run.js';
export { loadConfig, type ResolvedConfig } from './config/index.js';
export { buildGraph, type RevisionGraph } from './graph/index.js';
export { fingerprint, readLock, renderLock } from './engine/lockfile.js';
export type * from './model/index.js';
export type { Finding, Rule, RuleMeta, Severity } from './rule-api/index.js';
export { parseSnapshot, renderSnapshot, redactSnapshot, SNAPSHOT_FORMAT, type Snapshot } from './snapshot/format.js';
