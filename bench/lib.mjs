// Shared by the benchmarks: whole-process timing with peak RSS, commands interleaved round by
// round (so machine noise hits every command alike), medians, and a note of the machine's load.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';

const hasTime = existsSync('/usr/bin/time');

/**
 * Runs one command (after its `before` hook, untimed); wall ms, CPU ms (user + system, the steadier
 * figure on a shared machine; 10 ms resolution), peak RSS MB and exit status.
 */
export function runOnce(c, cwd) {
  c.before?.();
  const started = process.hrtime.bigint();
  const res = hasTime
    ? spawnSync('/usr/bin/time', ['-f', '%M %U %S', c.cmd, ...c.args], { encoding: 'utf8', cwd, maxBuffer: 1 << 28, env: c.env ?? process.env })
    : spawnSync(c.cmd, c.args, { encoding: 'utf8', cwd, maxBuffer: 1 << 28, env: c.env ?? process.env });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.error) throw res.error;
  if (res.status !== 0 && res.status !== 1) throw new Error(`${c.name}: exit ${res.status}: ${res.stderr.slice(0, 2000)}`);
  const [rssKb, user, sys] = hasTime ? res.stderr.trim().split('\n').pop().split(' ').map(Number) : [NaN, NaN, NaN];
  return { ms, cpuMs: (user + sys) * 1000, rssMb: rssKb / 1024, status: res.status, stdout: res.stdout };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Every command once per round, each round starting one further along the list. */
export function interleave(commands, rounds, cwd) {
  const samples = new Map(commands.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < commands.length; i++) {
      const c = commands[(i + r) % commands.length];
      samples.get(c.name).push(runOnce(c, cwd));
    }
  }
  return samples;
}

export function header(what, rounds) {
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  return `node ${process.version}, ${os.cpus().length} cores, load average ${load} at the start, ${rounds} interleaved rounds, ${what}, NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'set (+~40 ms per node start)' : 'unset'}`;
}

export function table(commands, samples, ref) {
  const med = {};
  const lines = ['| command | median ms | p10..p90 ms | peak RSS MB | vs ' + ref + ' |', '|---|---:|---:|---:|---:|'];
  for (const c of commands) med[c.name] = median(samples.get(c.name).map((x) => x.ms));
  for (const c of commands) {
    const s = samples.get(c.name).map((x) => x.ms).sort((a, b) => a - b);
    const p = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))].toFixed(0);
    const rss = Math.max(...samples.get(c.name).map((x) => x.rssMb));
    lines.push(`| ${c.name} | ${med[c.name].toFixed(0)} | ${p(0.1)}..${p(0.9)} | ${rss.toFixed(0)} | ${(med[c.name] / med[ref]).toFixed(2)}x |`);
  }
  return { text: lines.join('\n'), med };
}

export function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}
