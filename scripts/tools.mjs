// Third-party CLIs that the comparison test and the benchmarks run next to migralint (squawk,
// pgfence). They are not devDependencies: squawk-cli's optional per-platform binaries cannot all be
// resolved from every registry, which breaks `npm ci` everywhere. Each tool is installed on first
// use into .cache/tools/<name>@<version>/ (git-ignored) from the npm registry, pinned.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const TOOLS = {
  squawk: { pkg: 'squawk-cli', version: '2.66.0' },
  pgfence: { pkg: '@flvmnt/pgfence', version: '0.1.5' },
};

/** The directory holding the tool's node_modules, installing it first when needed. */
export function ensureTool(name) {
  const tool = TOOLS[name];
  if (!tool) throw new Error(`unknown tool ${name}`);
  const prefix = path.join(root, '.cache', 'tools', `${name}@${tool.version}`);
  const installed = path.join(prefix, 'node_modules', ...tool.pkg.split('/'), 'package.json');
  if (!existsSync(installed)) {
    mkdirSync(prefix, { recursive: true });
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const res = spawnSync(
      npm,
      ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', `${tool.pkg}@${tool.version}`],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (res.status !== 0 || !existsSync(installed)) throw new Error(`could not install ${tool.pkg}@${tool.version} (npm exit ${res.status})`);
  }
  return prefix;
}

/** The tool's command-line entry, as npm would link it. */
export function toolBin(name) {
  return path.join(ensureTool(name), 'node_modules', '.bin', name);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const name of process.argv.slice(2)) console.log(toolBin(name));
}
