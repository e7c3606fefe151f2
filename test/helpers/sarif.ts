// The official SARIF 2.1.0 schema (from the @microsoft/jest-sarif devDependency, draft-04) as a
// validator, for tests that check a SARIF file written by a whole run (the GitHub Action's).
// test/reporters.test.ts builds the same validator for the reporter itself.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import Ajv04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const schema = JSON.parse(
  readFileSync(path.join(root, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json'), 'utf8'),
) as Record<string, unknown>;
// unicodeRegExp off: rtm.5 has a pattern (`language`) that is invalid with the u flag.
const ajv = new Ajv04Module.default({ allErrors: true, strict: false, unicodeRegExp: false });
addFormatsModule.default(ajv);
const validate = ajv.compile(schema);

export function assertValidSarif(log: unknown, label: string): void {
  assert.ok(validate(log), `${label}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
}
