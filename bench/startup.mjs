// Start-up of one `migralint lint` on one Alembic file, next to bare `node -e 0`: the V8 code cache
// of the CLI (src/code-cache.ts) off, cold (deleted before each run: compile, then write it) and
// warm, with and without the result cache, and with --base <dir> another checkout's build. Wall
// times on a shared machine are noisy: CPU time (user + sys, mean of the rounds) is the steadier
// figure. Then the Node built-in modules each build loads beyond bare node.
// Usage: node bench/startup.mjs [--rounds 20] [--base /path/to/other/checkout]   (build first)
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';
import { arg, header, interleave, median } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const out = path.join(here, 'out');
mkdirSync(out, { recursive: true });
const rounds = Number(arg('--rounds', '20'));
const base = arg('--base', null);
const one = generate(path.join(out, 'one'), 1);
const cli = path.join(root, 'bin', 'migralint.js');
const codeCache = (name) => ({ ...process.env, MIGRALINT_CODE_CACHE: name === 'off' ? 'off' : path.join(out, name) });
const lint = (bin, ...extra) => [bin, 'lint', '--no-lock', ...extra, one];

const commands = [
  { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] },
  { name: '--no-cache, code cache off', cmd: process.execPath, args: lint(cli, '--no-cache'), env: codeCache('off') },
  {
    name: '--no-cache, code cache cold',
    cmd: process.execPath,
    args: lint(cli, '--no-cache'),
    env: codeCache('code-cache-cold'),
    before: () => rmSync(path.join(out, 'code-cache-cold'), { recursive: true, force: true }),
  },
  { name: '--no-cache, code cache warm', cmd: process.execPath, args: lint(cli, '--no-cache'), env: codeCache('code-cache-warm') },
  { name: 'result cache warm, code cache warm', cmd: process.execPath, args: lint(cli, '--cache-location', path.join(out, 'startup-cache')), env: codeCache('code-cache-warm') },
];
if (base) {
  const old = path.join(base, 'bin', 'migralint.js');
  commands.push({ name: 'before (--base): --no-cache', cmd: process.execPath, args: lint(old, '--no-cache') });
  commands.push({ name: 'before (--base): result cache warm', cmd: process.execPath, args: lint(old, '--cache-location', path.join(out, 'startup-cache-base')) });
}
// One untimed run each: the warm rows start warm.
for (const c of commands) {
  c.before?.();
  spawnSync(c.cmd, c.args, { cwd: out, env: c.env ?? process.env });
}
const samples = interleave(commands, rounds, out);
console.log(header('one Alembic file (bench/startup.mjs)', rounds));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const nodeWall = median(samples.get('node -e 0').map((s) => s.ms));
const nodeCpu = mean(samples.get('node -e 0').map((s) => s.cpuMs));
console.log('| command | median ms | over node | CPU mean ms | over node |');
console.log('|---|---:|---:|---:|---:|');
for (const c of commands) {
  const wall = median(samples.get(c.name).map((s) => s.ms));
  const cpu = mean(samples.get(c.name).map((s) => s.cpuMs));
  console.log(`| ${c.name} | ${wall.toFixed(0)} | +${(wall - nodeWall).toFixed(0)} | ${cpu.toFixed(0)} | +${(cpu - nodeCpu).toFixed(0)} |`);
}

// Built-in modules loaded beyond bare node (Node's own list, less what `node -e 0` loads).
const probe = path.join(out, 'builtins-probe.cjs');
writeFileSync(
  probe,
  `const bare = new Set(process.moduleLoadList);
process.on('exit', () => process.stderr.write('\\nBUILTINS ' + process.moduleLoadList.filter((m) => !bare.has(m) && m.startsWith('NativeModule ') && !/ internal\\//.test(m)).map((m) => m.slice(13)).join(' ') + '\\n'));
`,
);
const builtins = (bin) => {
  const r = spawnSync(process.execPath, ['-r', probe, ...lint(bin, '--no-cache')], { cwd: out, encoding: 'utf8', env: codeCache('code-cache-warm') });
  return /BUILTINS (.*)/.exec(r.stderr)?.[1] ?? '?';
};
console.log(`\nbuilt-ins loaded (public modules): ${builtins(cli)}`);
if (base) console.log(`before (--base): ${builtins(path.join(base, 'bin', 'migralint.js'))}`);
