// `npm run test:examples`: installs each example Hardhat project (fhekit as `file:../..`, the rest from
// npm) and runs its `npx hardhat test` on real TFHE, printing the wall time. Exits non-zero on a failure.
// `npm run test:examples -- --modes`: also runs examples/confidential-token once per compute mode
// (FHE_COMPUTE=real, cleartext, parity) one after the other, and prints their wall times side by side.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const EXAMPLES = ['hardhat-counter', 'confidential-token', 'solidity-0.13'];
const COMPUTE_MODES = ['real', 'cleartext', 'parity'];
const withModes = process.argv.includes('--modes');

const dirOf = (name) => fileURLToPath(new URL(`./${name}/`, import.meta.url));
const npm = (cwd, args, env = {}) =>
  spawnSync('npm', args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } }).status === 0;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join('/');

/** Runs `npm test` in an example; undefined when it could not be installed. */
function runExample(name, env = {}) {
  const cwd = dirOf(name);
  if (!existsSync(`${cwd}node_modules`) && !npm(cwd, ['install', '--no-audit', '--no-fund']))
    return undefined;
  const started = Date.now();
  const ok = npm(cwd, ['test'], env);
  return { ok, seconds: (Date.now() - started) / 1000 };
}

let failed = false;
for (const name of EXAMPLES) {
  if (!existsSync(dirOf(name))) continue;
  const run = runExample(name);
  failed ||= !run?.ok;
  console.log(
    `examples/${name}: ${run?.ok ? 'passed' : 'FAILED'} in ${run ? run.seconds.toFixed(1) : '-'} s`,
  );
}

if (withModes) {
  const rows = [];
  for (const compute of COMPUTE_MODES) {
    const before = load();
    const run = runExample('confidential-token', { FHE_COMPUTE: compute });
    failed ||= !run?.ok;
    rows.push({ compute, run, load: `${before} → ${load()}` });
  }
  const real = rows[0].run?.seconds;
  console.log(
    `\nexamples/confidential-token per compute mode, ${new Date().toISOString()}, load average 1/5/15 min`,
  );
  for (const { compute, run, load: range } of rows) {
    const speedUp = real && run ? `${(real / run.seconds).toFixed(1)}×` : '-';
    console.log(
      `  ${compute.padEnd(10)} ${run?.ok ? 'passed' : 'FAILED'} ${run ? `${run.seconds.toFixed(1)} s` : '-'}  ${speedUp} vs real  load ${range}`,
    );
  }
}
process.exit(failed ? 1 : 0);
