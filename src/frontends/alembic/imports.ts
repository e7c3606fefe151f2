// Imports of an Alembic migration and where they come from.
//
// origin, decided in this order:
// 1. application: relative imports (`from . import x`, `from ..models import y`);
// 2. framework: Alembic, SQLAlchemy and the dialect/helper packages that Alembic projects
//    install alongside them (FRAMEWORK_PACKAGES below);
// 3. stdlib: Python's standard library (stdlib.ts);
// 4. application: a top-level package or module found in the project: `<root>/<name>/__init__.py`,
//    `<root>/<name>.py`, `<root>/src/<name>/__init__.py` or `<root>/src/<name>.py`;
// 5. third-party: a dependency the project declares (requirements*.txt, pyproject.toml, setup.cfg,
//    setup.py, Pipfile) or a well-known package (KNOWN_PACKAGES below);
// 6. unresolved: anything else.
// Filesystem answers are cached per project root for the life of the process.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Import } from '../../model/types.js';
import type { StmtNode } from './python.js';
import { STDLIB_MODULES } from './stdlib.js';
import type { SourceText } from './text.js';

/** Top-level packages counted as the framework: Alembic, SQLAlchemy and their usual companions. */
export const FRAMEWORK_PACKAGES: ReadonlySet<string> = new Set([
  'alembic',
  'sqlalchemy',
  // SQLAlchemy extensions and types commonly used in migrations
  'sqlalchemy_utils',
  'sqlalchemy_json',
  'sqlalchemy_jsonfield',
  'sqlalchemy_citext',
  'sqlalchemy_utc',
  'sqlalchemy_mixins',
  'sqlalchemy_searchable',
  'sqlalchemy_continuum',
  'geoalchemy2',
  'sqlmodel',
  'citext',
  // Alembic extensions
  'alembic_utils',
  'alembic_postgresql_enum',
  // DB-API drivers
  'psycopg2',
  'psycopg',
  'asyncpg',
  'pg8000',
  'pymysql',
  'MySQLdb',
  'mysql', // mysql-connector: `import mysql.connector`
  'aiomysql',
  'aiosqlite',
  'cx_Oracle',
  'oracledb',
  'pyodbc',
]);

/** Well-known packages (import names) that projects use without always declaring them where migralint reads. */
export const KNOWN_PACKAGES: ReadonlySet<string> = new Set([
  'django', 'flask', 'flask_sqlalchemy', 'flask_migrate', 'flask_login', 'flask_appbuilder', 'fastapi', 'starlette',
  'pydantic', 'pydantic_settings', 'peewee', 'tortoise', 'ormar', 'mongoengine', 'odmantic', 'piccolo', 'pony',
  'celery', 'redis', 'requests', 'httpx', 'yaml', 'dateutil', 'pytz', 'arrow', 'pendulum', 'werkzeug', 'jinja2',
  'marshmallow', 'attr', 'attrs', 'six', 'dotenv', 'decouple', 'environs', 'boto3', 'botocore', 'numpy', 'pandas',
  'shapely', 'simplejson', 'ujson', 'orjson', 'passlib', 'bcrypt', 'cryptography', 'jwt', 'structlog', 'click',
  'typer', 'tqdm', 'ulid', 'shortuuid', 'nanoid', 'babel', 'slugify', 'unidecode', 'phonenumbers', 'stripe',
]);

const declaredCache = new Map<string, Set<string>>();

/** `Flask-SQLAlchemy` and `flask.sqlalchemy` name the import `flask_sqlalchemy`. */
function importName(distribution: string): string {
  return distribution.toLowerCase().replace(/[-.]/g, '_');
}

const REQUIREMENT = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:[<>=!~;@,(]|$)/;

/** The packages the project declares as dependencies, by import name (best effort). */
export function declaredDependencies(root: string): Set<string> {
  let found = declaredCache.get(root);
  if (found) return found;
  found = new Set<string>();
  const read = (file: string): string | null => {
    try {
      return readFileSync(join(root, file), 'utf8');
    } catch {
      return null;
    }
  };
  const add = (spec: string) => {
    const m = REQUIREMENT.exec(spec);
    if (m) found!.add(importName(m[1]!));
  };
  let names: string[] = [];
  try {
    names = readdirSync(root);
  } catch {
    names = [];
  }
  for (const name of names) {
    if (!/^requirements.*\.(?:txt|in)$/i.test(name)) continue;
    for (const line of (read(name) ?? '').split('\n')) if (!/^\s*(?:#|-)/.test(line)) add(line);
  }
  // Quoted requirement strings inside dependency lists (PEP 621, setup.py install_requires,
  // setup.cfg), and the keys of Poetry / Pipfile dependency tables.
  for (const file of ['pyproject.toml', 'setup.py', 'setup.cfg', 'Pipfile']) {
    const text = read(file);
    if (text === null) continue;
    for (const block of text.matchAll(/(?:dependencies|requires|install_requires|extras_require)\s*[=:]\s*[\[{(]([\s\S]*?)[\]})]/g)) {
      for (const q of block[1]!.matchAll(/["']([^"']+)["']/g)) add(q[1]!);
    }
    if (file === 'setup.cfg') {
      for (const block of text.matchAll(/install_requires\s*=\s*\n((?:[ \t]+\S.*\n?)+)/g)) for (const line of block[1]!.split('\n')) add(line);
    }
    for (const section of text.matchAll(/^\[(?:tool\.poetry\.(?:[\w.-]+\.)?dependencies|packages|dev-packages)\]\s*\n([\s\S]*?)(?=^\[|(?![\s\S]))/gm)) {
      for (const key of section[1]!.matchAll(/^\s*["']?([A-Za-z0-9][A-Za-z0-9._-]*)["']?\s*=/gm)) found.add(importName(key[1]!));
    }
  }
  found.delete('python');
  declaredCache.set(root, found);
  return found;
}

const appCache = new Map<string, Map<string, boolean>>();

function isApplicationPackage(root: string, name: string): boolean {
  let cache = appCache.get(root);
  if (!cache) {
    cache = new Map();
    appCache.set(root, cache);
  }
  let found = cache.get(name);
  if (found === undefined) {
    found =
      existsSync(join(root, name, '__init__.py')) ||
      existsSync(join(root, `${name}.py`)) ||
      existsSync(join(root, 'src', name, '__init__.py')) ||
      existsSync(join(root, 'src', `${name}.py`));
    cache.set(name, found);
  }
  return found;
}

/** The origin of a module; `module` keeps the leading dots of a relative import. */
export function classifyModule(module: string, projectRoot: string): Import['origin'] {
  if (module.startsWith('.')) return 'application';
  const dot = module.indexOf('.');
  const top = dot < 0 ? module : module.slice(0, dot);
  if (FRAMEWORK_PACKAGES.has(top)) return 'framework';
  if (STDLIB_MODULES.has(top)) return 'stdlib';
  if (projectRoot && isApplicationPackage(projectRoot, top)) return 'application';
  if (KNOWN_PACKAGES.has(top.toLowerCase()) || (projectRoot && declaredDependencies(projectRoot).has(top.toLowerCase()))) return 'third-party';
  return 'unresolved';
}

/** Every import statement in the module, including those inside functions and blocks. */
export function collectImports(body: StmtNode[], src: SourceText, projectRoot: string): Import[] {
  const out: Import[] = [];
  const visit = (stmts: StmtNode[]): void => {
    for (const s of stmts) {
      switch (s.nodeType) {
        case 'Import':
          for (const a of s.names) {
            out.push({ module: a.name, names: [], origin: classifyModule(a.name, projectRoot), loc: src.loc(s) });
          }
          break;
        case 'ImportFrom': {
          const module = '.'.repeat(s.level ?? 0) + (s.module ?? '');
          out.push({
            module,
            names: s.names.map((a) => a.name),
            origin: classifyModule(module, projectRoot),
            loc: src.loc(s),
          });
          break;
        }
        case 'FunctionDef':
        case 'AsyncFunctionDef':
        case 'ClassDef':
        case 'While':
        case 'With':
        case 'AsyncWith':
          visit(s.body);
          if ('orelse' in s) visit(s.orelse);
          break;
        case 'If':
        case 'For':
        case 'AsyncFor':
          visit(s.body);
          visit(s.orelse);
          break;
        case 'Try':
        case 'TryStar':
          visit(s.body);
          for (const h of s.handlers) visit(h.body);
          visit(s.orelse);
          visit(s.finalbody);
          break;
        case 'Match':
          for (const c of s.cases) visit(c.body);
          break;
        default:
          break;
      }
    }
  };
  visit(body);
  return out;
}

const IMPORT_LINE = /^[ \t]*import[ \t]+([\w.]+(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[\w.]+(?:[ \t]+as[ \t]+\w+)?)*)/;
const FROM_LINE = /^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([^#\n]*)/;
const AS_SUFFIX = /[ \t]+as[ \t]+\w+$/;
const PARENS = /[()\\]/g;

/** Best-effort imports read line by line, for files that do not parse. */
export function scanImports(src: SourceText, projectRoot: string): Import[] {
  const out: Import[] = [];
  for (let line = 1; line <= src.lineCount; line++) {
    const text = src.line(line);
    const loc = { line, column: 1, endLine: line, endColumn: text.length + 1 };
    let m = FROM_LINE.exec(text);
    if (m) {
      const module = m[1]!;
      const names = m[2]!
        .split(',')
        .map((n) => n.replace(PARENS, '').trim().replace(AS_SUFFIX, ''))
        .filter((n) => n.length > 0);
      out.push({ module, names, origin: classifyModule(module, projectRoot), loc });
      continue;
    }
    m = IMPORT_LINE.exec(text);
    if (m) {
      for (const part of m[1]!.split(',')) {
        const module = part.trim().replace(AS_SUFFIX, '');
        out.push({ module, names: [], origin: classifyModule(module, projectRoot), loc });
      }
    }
  }
  return out;
}
