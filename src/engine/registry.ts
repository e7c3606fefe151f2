// Every rule, by id, loaded on demand so a run pays only for the rules it enables.
// Keep the keys sorted; test/meta.test.ts checks that this map and rules/ agree.
import type { Rule } from '../rule-api/index.js';

type Loader = () => Promise<{ default: Rule<string, any> }>;

export const ruleLoaders: Record<string, Loader> = {
  'add-not-null-column': () => import('../../rules/add-not-null-column.js'),
  'app-model-import': () => import('../../rules/app-model-import.js'),
  'applied-migration-modified': () => import('../../rules/applied-migration-modified.js'),
  'commit-in-migration': () => import('../../rules/commit-in-migration.js'),
  'duplicate-revision': () => import('../../rules/duplicate-revision.js'),
  'empty-migration': () => import('../../rules/empty-migration.js'),
  'incomplete-downgrade': () => import('../../rules/incomplete-downgrade.js'),
  'invalid-ignore': () => import('../../rules/invalid-ignore.js'),
  'irreversible-downgrade': () => import('../../rules/irreversible-downgrade.js'),
  'missing-parent': () => import('../../rules/missing-parent.js'),
  'mixed-schema-data': () => import('../../rules/mixed-schema-data.js'),
  'multiple-heads': () => import('../../rules/multiple-heads.js'),
  'parse-error': () => import('../../rules/parse-error.js'),
  'revision-cycle': () => import('../../rules/revision-cycle.js'),
  'unknown-operation': () => import('../../rules/unknown-operation.js'),
  'unreviewed-autogenerate': () => import('../../rules/unreviewed-autogenerate.js'),
  'unused-ignore': () => import('../../rules/unused-ignore.js'),
};

export const ruleIds: readonly string[] = Object.keys(ruleLoaders);

export function isRuleId(id: string): boolean {
  return Object.prototype.hasOwnProperty.call(ruleLoaders, id);
}

export async function loadRule(id: string): Promise<Rule<string, any>> {
  const loader = ruleLoaders[id];
  if (!loader) throw new Error(`Unknown rule ${id}`);
  return (await loader()).default;
}

export async function loadAllRules(): Promise<Rule<string, any>[]> {
  return Promise.all(ruleIds.map(loadRule));
}
