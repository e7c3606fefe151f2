// Runs the uvu suites and ends with the line CI reads: "N passed, N failed".
// uvu prints Total/Passed/Skipped but no Failed line, and prints nothing at all when a suite
// crashes on import; in that case we print no counts so CI falls back to the exit code.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const uvuBin = path.join(path.dirname(require.resolve('uvu')), '..', 'bin.js');
const args = ['--import', 'tsx', uvuBin, 'test', '\\.test\\.ts$', '--no-color', ...process.argv.slice(2)];
const child = spawn(process.execPath, args, { stdio: ['inherit', 'pipe', 'inherit'], env: { ...process.env, FORCE_COLOR: '0' } });
let out = '';
child.stdout.on('data', (chunk) => {
  out += chunk;
  process.stdout.write(chunk);
});
child.on('close', (code) => {
  const total = /^\s*Total:\s+(\d+)/m.exec(out);
  const passed = /^\s*Passed:\s+(\d+)/m.exec(out);
  const skipped = /^\s*Skipped:\s+(\d+)/m.exec(out);
  if (total && passed) {
    const t = Number(total[1]);
    const p = Number(passed[1]);
    const s = skipped ? Number(skipped[1]) : 0;
    console.log(`${p} passed, ${t - p} failed${s ? `, ${s} skipped` : ''}`);
  } else {
    console.log(`uvu ended without a summary (exit code ${code})`);
  }
  process.exitCode = code ?? 1;
});
