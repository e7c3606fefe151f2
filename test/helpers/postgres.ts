// A throwaway PostgreSQL server for tests: initdb into a temporary directory, start it on a free
// port of 127.0.0.1 (trust authentication, fsync off, socket in the same directory), and stop it
// at the end by signalling the postmaster. The server binaries come from Debian's `postgresql`
// package (/usr/lib/postgresql/<version>/bin) or PATH; initdb refuses to run as root, so as root
// the server runs as the `postgres` user that package creates.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface PostgresServer {
  host: string;
  port: number;
  /** Major version, e.g. 15. */
  version: number;
  /** A connection URL for a role and database (default postgres/postgres). */
  url(user?: string, database?: string): string;
  /** Stops the server (fast shutdown, then SIGKILL after `timeoutMs`) and removes its directory. */
  stop(timeoutMs?: number): Promise<void>;
}

/** The directory holding pg_ctl and initdb: the newest Debian install, else the one on PATH. */
export function findPostgresBin(): string | null {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(path.join(base, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(base, versions[0], 'bin');
  }
  const found = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' });
  const pgCtl = found.stdout.trim();
  return found.status === 0 && pgCtl ? path.dirname(pgCtl) : null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error('PostgreSQL server binaries not found (pg_ctl): install them with `apt-get install -y postgresql` (.ci/run does)');
  }
  const asRoot = process.getuid?.() === 0;
  // As root, run every server command as `postgres` (initdb and the postmaster refuse root).
  const wrap = (cmd: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migralint-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  // Asynchronous, so that other start-up work (a PGlite instance) can go on meanwhile.
  const run = (cmd: string, args: string[], timeout: number) =>
    new Promise<void>((resolve, reject) => {
      const [c, a] = wrap(path.join(bin, cmd), args);
      const child = spawn(c, a, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) return resolve();
        const log = existsSync(path.join(dir, 'server.log')) ? readFileSync(path.join(dir, 'server.log'), 'utf8') : '';
        rmSync(dir, { recursive: true, force: true });
        reject(new Error(`${cmd} failed (${signal ? `killed by ${signal} after ${timeout} ms` : `exit ${code}`}):\n${output}${log}`));
      });
    });
  await run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'], 120_000);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  await run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', options, 'start'], 90_000);
  const pid = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const version = Number(readFileSync(path.join(data, 'PG_VERSION'), 'utf8').trim());

  const alive = () => {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    // An exited postmaster may linger as a zombie until its new parent reaps it: that is gone too.
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return true;
    }
  };
  // If the test process ends without stop() (a crash), do not leave a server behind.
  const onExit = () => {
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);

  return {
    host: '127.0.0.1',
    port,
    version,
    url: (user = 'postgres', database = 'postgres') => `postgres://${user}@127.0.0.1:${port}/${database}`,
    async stop(timeoutMs = 10_000) {
      process.removeListener('exit', onExit);
      try {
        process.kill(pid, 'SIGQUIT'); // immediate shutdown: a throwaway cluster needs no checkpoint
      } catch {
        // already gone
      }
      const deadline = Date.now() + timeoutMs;
      while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (alive()) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let shared: Promise<PostgresServer> | null = null;

/**
 * One server for every test file of the process that asks (uvu runs the files in one process):
 * initdb and start-up cost seconds, so they are paid once. Stopped when the process is about to exit.
 */
export function sharedPostgres(): Promise<PostgresServer> {
  if (!shared) {
    shared = startPostgres();
    process.once('beforeExit', () => {
      void shared?.then((s) => s.stop());
    });
  }
  return shared;
}
