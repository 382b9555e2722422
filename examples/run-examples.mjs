// `npm run test:examples`: installs each example Hardhat project (fhekit as `file:../..`, the rest from
// npm) and runs its `npx hardhat test` on real TFHE, printing the wall time. Exits non-zero on a failure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const EXAMPLES = ['hardhat-counter', 'confidential-token'];
let failed = false;
for (const name of EXAMPLES) {
  const cwd = fileURLToPath(new URL(`./${name}/`, import.meta.url));
  if (!existsSync(cwd)) continue;
  const run = (args) => spawnSync('npm', args, { cwd, stdio: 'inherit' }).status === 0;
  if (!existsSync(`${cwd}node_modules`) && !run(['install', '--no-audit', '--no-fund'])) {
    failed = true;
    continue;
  }
  const started = Date.now();
  const ok = run(['test']);
  console.log(
    `examples/${name}: ${ok ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  failed ||= !ok;
}
process.exit(failed ? 1 : 0);
