// The command line. Imports only node: built-ins at the top so that --version and --help are
// instant; everything else is loaded by the command that needs it.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { createRequire } from 'node:module';

declare const __MIGRALINT_VERSION__: string | undefined;

const USAGE = `Usage: migralint <command> [options] [paths...]

Commands:
  lint [paths]        Lint migrations (default: configured paths, else every migration directory found)
  lock [paths]        Record checksums of the migrations in migralint.lock
  rules               List the rules with their levels in the active configuration
  explain <rule>      Explain a rule: what it flags, why, an example, and the safer way
  graph [path]        Show the revision graph: heads, roots, branches and merges
  verify [paths]      Pre-deploy checklist against the database about to be migrated (--database-url)
  snapshot            Write a database's tables, sizes and applied migrations to a file (--database-url)
  waivers             List the configured waivers: rule, migration, owner, expiry, days left, reason
  sql [paths]         Print the SQL the migrations send to PostgreSQL, in run order, without running them
                      (--from REV, --to REV, --down; -f json for the statements with their positions)
  trace [paths]       Run the migrations on embedded PostgreSQL (PGlite) or --database-url (rolled back)
                      and report the locks, rewrites and scans PostgreSQL shows, beside the findings

Options:
  -f, --format <name>     Output format: stylish (default), json, sarif, github, junit, gitlab or markdown
  -o, --output-file <format>=<path>
                          lint: also write this format to this file (repeatable), from the same run
  -c, --config <path>     Use this configuration file instead of searching for one
      --lockfile <path>   Lock file to read or write (default: migralint.lock beside the config)
      --no-lock           Do not read the lock file
      --cache-location <dir>
                          lint, verify, trace: keep the result cache here (default: node_modules/.cache/migralint, else .migralint-cache)
      --no-cache          lint, verify, trace: read every file afresh, neither using nor writing the result cache
                          (trace's template databases stay in .cache/migralint/trace either way)
      --database-url <url>
                          verify, snapshot, lock --from-database: postgres://... or pglite:<directory>
      --snapshot <file>   lint: judge pending migrations against this snapshot (sizes, existing tables);
                          trace: build the schema from it (tables filled to their estimated rows, at most 1,000)
      --released-from lock
                          lint: migrations the lock file records are released; tables created by others are new
      --output <file>     snapshot: where to write (default migralint.snapshot.json; - for stdout)
      --redact-names      snapshot: replace table, column and index names with hashes
      --from-database <url>
                          lock: record exactly the migrations this database has applied
      --policy <name|path>
                          verify: the policy pending migrations must pass (preset or config file)
      --attest backup=<reference>
                          verify: record that a backup was taken
      --version-table <[kind:]table>
                          verify, lock --from-database: where the database records applied migrations
      --staged            Lint the staged content of staged migrations (git index), each with its directory
      --changed-since <ref>
                          Lint migrations added or modified since the merge base with <ref>
      --max-warnings <n>  Exit 1 when there are more than n warnings
      --rows <table=N>    trace: fill a table with N rows before tracing (repeatable)
      --stairway          trace: upgrade, downgrade, upgrade each migration; check the downgrade restores the schema
      --commit            trace: commit on the --database-url server (default: roll everything back)
      --from <rev>        sql: start after this revision (exclusive)
      --to <rev>          sql: stop at this revision (inclusive)
      --down              sql: render the downgrades of the selected migrations, newest first
  -q, --quiet             Report errors only
  -v, --version           Print the version
  -h, --help              Print this help

Exit codes: 0 no error-level findings, 1 error-level findings (or too many warnings), 2 usage or configuration error.
verify: 0 every check holds, 1 a check fails or cannot be checked, 2 usage error or a database that cannot be reached.
trace: 0 no mismatch and no error, 1 a statement fails, a finding's claim is contradicted, or an unreported rewrite or scan, 2 usage or connection error.`;

class UsageError extends Error {
  override name = 'UsageError';
}

function version(): string {
  if (typeof __MIGRALINT_VERSION__ === 'string') return __MIGRALINT_VERSION__;
  const require = createRequire(import.meta.url);
  return (require('../package.json') as { version: string }).version;
}

function write(text: string): void {
  process.stdout.write(text);
}

function useColor(): boolean {
  const force = process.env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return Boolean(process.stdout.isTTY);
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f' },
        'output-file': { type: 'string', short: 'o', multiple: true },
        config: { type: 'string', short: 'c' },
        lockfile: { type: 'string' },
        'no-lock': { type: 'boolean' },
        'cache-location': { type: 'string' },
        'no-cache': { type: 'boolean' },
        'database-url': { type: 'string' },
        'from-database': { type: 'string' },
        policy: { type: 'string' },
        attest: { type: 'string', multiple: true },
        'version-table': { type: 'string' },
        snapshot: { type: 'string' },
        'released-from': { type: 'string' },
        output: { type: 'string' },
        'redact-names': { type: 'boolean' },
        staged: { type: 'boolean' },
        'changed-since': { type: 'string' },
        'max-warnings': { type: 'string' },
        rows: { type: 'string', multiple: true },
        stairway: { type: 'boolean' },
        commit: { type: 'boolean' },
        from: { type: 'string' },
        to: { type: 'string' },
        down: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        version: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.version) {
    write(`${version()}\n`);
    return 0;
  }
  if (values.help) {
    write(`${USAGE}\n`);
    return 0;
  }
  const commands = ['lint', 'lock', 'rules', 'explain', 'graph', 'waivers', 'verify', 'sql', 'snapshot', 'trace'];
  const command = positionals[0] && commands.includes(positionals[0]) ? positionals[0] : 'lint';
  const rest = positionals[0] && commands.includes(positionals[0]) ? positionals.slice(1) : positionals;
  if (positionals[0] && !commands.includes(positionals[0]) && !/[./\\]/.test(positionals[0])) {
    throw new UsageError(`unknown command "${positionals[0]}"; expected one of ${commands.join(', ')}`);
  }

  let maxWarnings: number | null = null;
  if (values['max-warnings'] !== undefined) {
    maxWarnings = Number(values['max-warnings']);
    if (!Number.isInteger(maxWarnings) || maxWarnings < 0) throw new UsageError('--max-warnings takes a whole number of 0 or more');
  }
  const format = values.format ?? 'stylish';
  const cwd = process.cwd();
  let scope: import('./engine/run.js').LintScope | undefined;
  if (values.staged && values['changed-since'] !== undefined) throw new UsageError('use --staged or --changed-since, not both');
  if (values.staged) scope = { kind: 'staged' };
  else if (values['changed-since'] !== undefined) scope = { kind: 'changed-since', ref: values['changed-since'] };
  if (scope && command !== 'lint') throw new UsageError(`--${scope.kind} applies to lint only`);
  if (command !== 'sql') {
    for (const o of ['from', 'to', 'down'] as const) if (values[o] !== undefined) throw new UsageError(`--${o} applies to sql only`);
  }
  const outputFiles = (values['output-file'] ?? []).map(parseOutputFile);
  if (outputFiles.length > 0 && command !== 'lint') throw new UsageError('--output-file applies to lint only');
  if (values.snapshot !== undefined && command !== 'lint' && command !== 'trace') throw new UsageError('--snapshot applies to lint and trace only');
  const releasedFrom = values['released-from'];
  if (releasedFrom !== undefined && releasedFrom !== 'lock') throw new UsageError(`--released-from takes "lock"; got "${releasedFrom}"`);
  if (releasedFrom !== undefined && command !== 'lint') throw new UsageError('--released-from applies to lint only');
  if (command === 'snapshot') {
    // Needs no configuration: it reads a database, not migrations.
    const { runSnapshot } = await import('./commands/snapshot.js');
    return runSnapshot({
      cwd,
      databaseUrl: values['database-url'],
      output: values.output,
      redactNames: Boolean(values['redact-names']),
      versionTable: values['version-table'],
      write,
    });
  }

  const { loadConfig } = await import('./config/index.js');
  const config = await loadConfig({ cwd, ...(values.config ? { configPath: path.resolve(cwd, values.config) } : {}) });
  const lockfile = values['no-lock'] ? null : values.lockfile ? path.resolve(cwd, values.lockfile) : config.lockfile;
  // The persistent cache of what was read, for the commands that read every migration file.
  const openCache = async () => {
    if (values['no-cache'] || config.cache === false) return null;
    const { ResultCache, cacheSalt, defaultCacheLocation } = await import('./cache/index.js');
    const location = values['cache-location'] ? path.resolve(cwd, values['cache-location']) : defaultCacheLocation(config.rootDir);
    return new ResultCache(location, cacheSalt(version()));
  };

  switch (command) {
    case 'lint':
      if (releasedFrom === 'lock' && !lockfile) throw new UsageError('--released-from lock needs a lock file; drop --no-lock');
      return runLint({
        cwd,
        paths: rest,
        config,
        lockfile,
        format,
        outputFiles,
        quiet: Boolean(values.quiet),
        maxWarnings,
        scope,
        snapshot: values.snapshot !== undefined ? path.resolve(cwd, values.snapshot) : undefined,
        releasedFromLock: releasedFrom === 'lock',
        cache: await openCache(),
      });
    case 'lock': {
      if (!lockfile) throw new UsageError('lock needs a lock file; drop --no-lock');
      const fromDatabase = values['from-database'] ?? values['database-url'];
      if (fromDatabase !== undefined) {
        const { runLockFromDatabase } = await import('./commands/verify.js');
        return runLockFromDatabase({ cwd, paths: rest, config, lockfile, databaseUrl: fromDatabase, versionTable: values['version-table'], write });
      }
      const { runLock } = await import('./commands/lock.js');
      return runLock({ cwd, paths: rest, config, lockfile, write });
    }
    case 'verify': {
      const { runVerify } = await import('./commands/verify.js');
      return runVerify({
        cwd,
        paths: rest,
        config,
        lockfile,
        format: values.format,
        databaseUrl: values['database-url'],
        policy: values.policy,
        attest: values.attest ?? [],
        versionTable: values['version-table'],
        cache: await openCache(),
        write,
      });
    }
    case 'trace': {
      const { runTraceCommand } = await import('./commands/trace.js');
      return runTraceCommand({
        cwd,
        paths: rest,
        config,
        format: values.format,
        databaseUrl: values['database-url'],
        snapshot: values.snapshot !== undefined ? path.resolve(cwd, values.snapshot) : undefined,
        rows: values.rows ?? [],
        commit: Boolean(values.commit),
        stairway: Boolean(values.stairway),
        cache: await openCache(),
        write,
      });
    }
    case 'rules': {
      const { runRules } = await import('./commands/info.js');
      return runRules({ config, format, write });
    }
    case 'explain': {
      const { runExplain } = await import('./commands/info.js');
      if (!rest[0]) throw new UsageError('explain needs a rule id, e.g. migralint explain add-not-null-column');
      return runExplain({ id: rest[0], config, write });
    }
    case 'graph': {
      const { runGraph } = await import('./commands/graph.js');
      return runGraph({ cwd, paths: rest, config, format, write });
    }
    case 'sql': {
      const { runSql } = await import('./commands/sql.js');
      return runSql({ cwd, paths: rest, config, format: values.format ?? 'sql', from: values.from, to: values.to, down: Boolean(values.down), write });
    }
    case 'waivers': {
      const { runWaivers } = await import('./commands/waivers.js');
      return runWaivers({ cwd, config, format, write });
    }
  }
  return 2;
}

interface OutputFile {
  format: string;
  path: string;
}

/** `--output-file sarif=results.sarif`: the format before the first `=`, the path after it. */
function parseOutputFile(value: string): OutputFile {
  const eq = value.indexOf('=');
  const format = eq > 0 ? value.slice(0, eq) : '';
  const file = eq > 0 ? value.slice(eq + 1) : '';
  if (!format || !file) throw new UsageError(`--output-file takes <format>=<path>, e.g. sarif=migralint.sarif; got "${value}"`);
  return { format, path: file };
}

async function runLint(opts: {
  cwd: string;
  paths: string[];
  config: import('./config/index.js').ResolvedConfig;
  lockfile: string | null;
  format: string;
  outputFiles: OutputFile[];
  quiet: boolean;
  maxWarnings: number | null;
  scope: import('./engine/run.js').LintScope | undefined;
  cache: import('./cache/index.js').ResultCache | null;
  snapshot: string | undefined;
  releasedFromLock: boolean;
}): Promise<number> {
  const { reporters, reporterNames } = await import('./reporters/index.js');
  const load = reporters[opts.format];
  if (!load) throw new UsageError(`unknown format "${opts.format}"; expected one of ${reporterNames.join(', ')}`);
  for (const o of opts.outputFiles) {
    if (!reporters[o.format]) throw new UsageError(`--output-file: unknown format "${o.format}"; expected one of ${reporterNames.join(', ')}`);
  }
  const { lint } = await import('./engine/run.js');
  const { summarize } = await import('./reporters/types.js');
  const result = await lint({
    cwd: opts.cwd,
    paths: opts.paths,
    config: opts.config,
    lockfile: opts.lockfile,
    ...(opts.scope ? { scope: opts.scope } : {}),
    cache: opts.cache,
    ...(opts.snapshot !== undefined ? { snapshot: opts.snapshot } : {}),
    ...(opts.releasedFromLock ? { releasedFrom: 'lock' as const } : {}),
  });
  const findings = opts.quiet ? result.findings.filter((f) => f.severity === 'error') : result.findings;
  // Every file read into a migration, context included (the rest of a named file's directory).
  const summary = { ...summarize(findings, result.files.linted, result.migrations.length), suppressed: result.suppressed.length };
  const sources = new Map(
    result.sets.flatMap((s) => s.migrations).flatMap((m) => [[m.file, m.source] as const, ...m.companions.map((c) => [c.file, c.source] as const)]),
  );
  const { unknownOperations } = await import('./engine/unknown.js');
  const unknown = unknownOperations(result.migrations);
  const { noticeText } = await import('./engine/run.js');
  for (const n of result.notices) process.stderr.write(`migralint: ${noticeText(n, opts.cwd, opts.config.rootDir)}\n`);
  const rulesMeta = new Map([...result.rules].map(([id, r]) => [id, r.meta]));
  const report = { findings, summary, sources, unknown, files: result.files, suppressed: result.suppressed };
  // One lint run, several reports (a CI job's annotations, SARIF file and summary). Each file is
  // written whole or not at all: a half-written SARIF file would break the upload that follows.
  if (opts.outputFiles.length > 0) {
    const { mkdir } = await import('node:fs/promises');
    const { writeFileAtomic } = await import('./engine/lockfile.js');
    for (const o of opts.outputFiles) {
      const render = await reporters[o.format]!();
      const file = path.resolve(opts.cwd, o.path);
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFileAtomic(file, render(report, { cwd: opts.cwd, rulesMeta, color: false }));
      } catch (err) {
        process.stderr.write(`migralint: cannot write the ${o.format} report to ${o.path}: ${(err as Error).message}\n`);
        return 2;
      }
    }
  }
  const reporter = await load();
  write(reporter(report, { cwd: opts.cwd, rulesMeta, color: useColor() }));
  if (summary.errors > 0) return 1;
  const warnings = result.findings.filter((f) => f.severity === 'warn').length;
  if (opts.maxWarnings !== null && warnings > opts.maxWarnings) {
    process.stderr.write(`migralint: ${warnings} warnings, more than --max-warnings ${opts.maxWarnings}\n`);
    return 1;
  }
  return 0;
}

export async function run(argv: string[]): Promise<void> {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // `migralint ... | head` closes the pipe early; that is not a failure of ours.
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  try {
    process.exitCode = await main(argv);
  } catch (err) {
    const { ConfigError } = await import('./config/index.js').catch(() => ({ ConfigError: null }));
    if (err instanceof Error && err.name === 'SnapshotFormatError') {
      // A snapshot file that is not one, or of a newer format: the reason names the file.
      process.stderr.write(`migralint: ${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof Error && err.name === 'CoverageError') {
      // Files that should have been read and could not: each problem on one line, no usage hint.
      process.stderr.write(`${err.message.split('\n').map((l) => `migralint: ${l}`).join('\n')}\n`);
      process.exitCode = 2;
    } else if (err instanceof Error && err.name === 'UsageError') {
      process.stderr.write(`migralint: ${err.message}\nRun migralint --help for usage.\n`);
      process.exitCode = 2;
    } else if (ConfigError && err instanceof ConfigError) {
      process.stderr.write(`${(err as InstanceType<typeof ConfigError>).problems.map((p) => `migralint: ${p}`).join('\n')}\n`);
      process.exitCode = 2;
    } else if (err && typeof err === 'object' && (err as { name?: string }).name === 'LockFileError') {
      const e = err as Error & { file: string; line: number };
      process.stderr.write(`migralint: ${path.relative(process.cwd(), e.file)}:${e.line}: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`migralint: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 2;
    }
  }
}
