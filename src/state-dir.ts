import { join, resolve } from 'node:path';

/**
 * Every file a stack keeps in its state directory (`.fhe/` by default), named here and nowhere else.
 * Library code takes these paths; only this module knows how the directory is laid out.
 */
export interface StateDirLayout {
  root: string;
  chain: ChainFiles;
  /** Events, computations, ACL rows and every ciphertext (input ciphertexts live only here). */
  coprocessorDb: string;
  /** The last time the chain went back under ingested blocks, for `fhe dev status` in another process. */
  lastRollback: string;
  /** The stack's pino log. */
  log: string;
  /** stdout/stderr of a `fhe dev up --background` child. */
  backgroundLog: string;
  /** Why a background child could not start (code, message, hint), for its parent to show. */
  startError: string;
  /** What a running stack publishes (pid, URLs, addresses) for `fhe dev status` / `fhe dev down`. */
  stackRecord: string;
  /** The secret of the relayer's `/fhekit/` routes (mode 0600). */
  apiToken: string;
  /** Which keyset the stored ciphertexts are encrypted under (its public key's sha256). */
  keysetRecord: string;
  /** Compiled fixture contracts by source hash, so `fhe smoke-test` runs solc (seconds in wasm) once. */
  solcCache: string;
}

/** The chain's files: `<state-dir>/chain/` in a stack, any directory for a chain on its own. */
export interface ChainFiles {
  dir: string;
  /** anvil's `--state` dump (accounts, contracts, blocks, receipts). */
  state: string;
  /** anvil's stdout/stderr. */
  log: string;
  /** Coprocessor and KMS signer keys the host contracts were initialised with (mode 0600). */
  signers: string;
}

export function stateDirLayout(stateDir: string): StateDirLayout {
  const root = resolve(stateDir);
  const at = (name: string) => join(root, name);
  return {
    root,
    chain: chainFiles(at('chain')),
    coprocessorDb: at('coprocessor.db'),
    lastRollback: at('last-chain-rollback.json'),
    log: at('fhekit.log'),
    backgroundLog: at('stack.log'),
    startError: at('stack-start-error.json'),
    stackRecord: at('stack.json'),
    apiToken: at('api-token'),
    keysetRecord: at('keyset.json'),
    solcCache: at('solc-cache'),
  };
}

export function chainFiles(chainDir: string): ChainFiles {
  const dir = resolve(chainDir);
  return {
    dir,
    state: join(dir, 'anvil-state.json'),
    log: join(dir, 'anvil.log'),
    signers: join(dir, 'signers.json'),
  };
}
