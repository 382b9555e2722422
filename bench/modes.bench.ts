/**
 * `npm run bench:modes`: wall time of `fhe smoke-test` (its own throwaway stack, small types and the
 * token transfer) in each compute/input mode, one after the other in the same run, with the load
 * average around each. The fixtures are compiled once up front (cached in the state dir, as on any
 * second run). Options: --keys-dir DIR (default keys), --parity (adds parity/proven). After the table,
 * each mode's `--profile`: where its time went (phases overlap: the cases and the token run at once).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { compileFixtureContracts } from '../src/chain/fixtures.js';
import { stateDirLayout } from '../src/state-dir.js';

const run = promisify(execFile);
const FHE = new URL('../bin/dev.js', import.meta.url).pathname;

const { values: args } = parseArgs({
  options: { 'keys-dir': { type: 'string', default: 'keys' }, parity: { type: 'boolean', default: false } },
});
const modes: [compute: string, inputs: string][] = [
  ['real', 'proven'],
  ['cleartext', 'direct'],
  ...(args.parity ? ([['parity', 'proven']] as [string, string][]) : []),
];

interface Row {
  mode: string;
  profile: { label: string; startMs: number; ms: number }[];
  wallMs: number;
  smokeMs: number;
  passed: string;
  load: string;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const rows: Row[] = [];
// No stack runs in this state dir, so each smoke test starts (and stops) its own; the dir keeps the
// compiled fixtures, compiled here first so that no mode pays for solc (a second run never does).
const root = mkdtempSync(join(tmpdir(), 'fhekit-bench-modes-'));
const stateDir = join(root, 'none');
await compileFixtureContracts(stateDirLayout(stateDir).solcCache);
for (const [compute, inputs] of modes) {
  const before = load();
  const started = performance.now();
  try {
    const { stdout } = await run(
      process.execPath,
      [
        FHE,
        'smoke-test',
        '--json',
        '--profile',
        '--compute',
        compute,
        '--inputs',
        inputs,
        '--keys-dir',
        args['keys-dir'],
        '--state-dir',
        stateDir,
      ],
      { timeout: 3_600_000, maxBuffer: 64 * 1024 * 1024 },
    );
    const report = JSON.parse(stdout) as {
      totalMs: number;
      results: { passed: boolean }[];
      profile: Row['profile'];
    };
    rows.push({
      mode: `${compute}/${inputs}`,
      profile: report.profile,
      wallMs: performance.now() - started,
      smokeMs: report.totalMs,
      passed: `${report.results.filter((r) => r.passed).length}/${report.results.length}`,
      load: `${before} → ${load()}`,
    });
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  const last = rows.at(-1)!;
  console.error(
    `${last.mode}: ${(last.smokeMs / 1000).toFixed(1)}s smoke run, ${last.passed} passed, load ${last.load}`,
  );
}

rmSync(root, { recursive: true, force: true });
const base = rows[0]!;
console.log(`fhe smoke-test per mode (own stack), ${new Date().toISOString()}, load average 1/5/15 min`);
console.log(
  `${'mode'.padEnd(18)}${'wall (CLI)'.padStart(12)}${'smoke run'.padStart(12)}${'speed-up'.padStart(10)}${'passed'.padStart(9)}  load before → after`,
);
for (const r of rows) {
  console.log(
    `${r.mode.padEnd(18)}${`${(r.wallMs / 1000).toFixed(1)}s`.padStart(12)}${`${(r.smokeMs / 1000).toFixed(1)}s`.padStart(12)}${`${(base.smokeMs / r.smokeMs).toFixed(1)}×`.padStart(10)}${r.passed.padStart(9)}  ${r.load}`,
  );
}
for (const r of rows) {
  console.log(`\n${r.mode}: start, duration, phase`);
  for (const p of r.profile) {
    console.log(
      `${`+${(p.startMs / 1000).toFixed(1)}s`.padStart(9)}${`${(p.ms / 1000).toFixed(1)}s`.padStart(8)}  ${p.label}`,
    );
  }
}
