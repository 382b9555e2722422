import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DeployClients, type DeployedContract, deployContract } from './deploy.js';
import { confidentialTokenAbi, encryptedERC20Abi, handleOpsAbi } from './fixture-abis.generated.js';
import { type CompileResult, compileSolidity, pickContract } from './solidity.js';

/** fhekit's package root (where `fixtures/` ships), from `src/chain/` or the built `dist/src/chain/`. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!isFhekitRoot(dir)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('fhekit package root not found above its own module');
    dir = parent;
  }
  return dir;
}

function isFhekitRoot(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  return (
    existsSync(manifest) &&
    (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'fhekit'
  );
}

export const FIXTURE_CONTRACTS_DIR = join(packageRoot(), 'fixtures', 'contracts');

/**
 * The shipped test contracts: `HandleOps` reaches every FHEVMExecutor operation for every type (generic
 * entry points on raw handles, plaintext-operand variants, `input*` via `FHE.fromExternal`);
 * `ConfidentialToken` does ERC-7984-style transfers (ge + select + sub + add on euint64);
 * `EncryptedERC20` does the FHE work of Zama's EncryptedERC20 example (its HCU figures can be checked).
 */
export const FIXTURE_ABIS = {
  HandleOps: handleOpsAbi,
  ConfidentialToken: confidentialTokenAbi,
  EncryptedERC20: encryptedERC20Abi,
} as const;
export type FixtureName = keyof typeof FIXTURE_ABIS;
export const FIXTURE_CONTRACT_NAMES = Object.keys(FIXTURE_ABIS) as FixtureName[];

/** Compiles every `.sol` in `fixtures/contracts/`, cached under `cacheDir` when given. */
export function compileFixtureContracts(cacheDir?: string): Promise<CompileResult> {
  const files = readdirSync(FIXTURE_CONTRACTS_DIR)
    .filter((name) => name.endsWith('.sol'))
    .sort()
    .map((name) => join('contracts', name));
  return compileSolidity(files, { baseDir: join(packageRoot(), 'fixtures'), cacheDir });
}

/** Compiles (or takes from the cache) and deploys a fixture; the handle is typed by its ABI. */
export async function deployFixture<const TName extends FixtureName>(
  clients: DeployClients,
  name: TName,
  constructorArgs: readonly unknown[] = [],
  options: { cacheDir?: string } = {},
): Promise<DeployedContract<(typeof FIXTURE_ABIS)[TName]>> {
  const compiled = pickContract(await compileFixtureContracts(options.cacheDir), name);
  return deployContract(clients, { ...compiled, abi: FIXTURE_ABIS[name] }, constructorArgs);
}
