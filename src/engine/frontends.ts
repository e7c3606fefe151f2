// Picks the front end for a file and loads it on first use, so a run over Alembic files never
// pays for the SQL or TypeScript parsers.
import { emptyMigration } from '../model/index.js';
import type { Migration } from '../model/index.js';
import type { Frontend, FrontendInput } from '../frontends/types.js';

const loaded = new Map<string, Promise<Frontend>>();

function load(framework: string): Promise<Frontend> {
  let p = loaded.get(framework);
  if (!p) {
    switch (framework) {
      case 'alembic':
        p = import('../frontends/alembic/index.js').then((m) => m.alembicFrontend);
        break;
      default:
        return Promise.reject(new Error(`No front end for framework ${framework}`));
    }
    loaded.set(framework, p);
  }
  return p;
}

export function frameworkOf(file: string): string | null {
  if (file.endsWith('.py')) return 'alembic';
  return null;
}

export async function parseFile(input: FrontendInput, readError: Error | null): Promise<Migration | null> {
  const framework = frameworkOf(input.file);
  if (!framework) return null;
  if (readError) {
    const m = emptyMigration(input.file, framework, input.dialect);
    m.parseError = { kind: 'io', message: readError.message, loc: { line: 1, column: 1, endLine: 1, endColumn: 1 } };
    return m;
  }
  const frontend = await load(framework);
  return frontend.parse(input);
}
