import { resolve } from 'node:path';
import type { HardhatNetworkConfig, HttpNetworkConfig } from 'hardhat/types/config.js';
import { readStackRecord } from '../stack/stack-record.js';

/** The RPC of `fhe dev up` with its default flags. */
const DEFAULT_STACK_RPC = 'http://127.0.0.1:8545';

/**
 * The `fhekit` network a project gets without declaring one (`npx hardhat test --network fhekit` with
 * only the import line changed): the RPC of the stack running from `stateDir` (else the default port),
 * signed by the in-process network's accounts, which anvil funds too when they are the default mnemonic.
 */
export function defaultFhekitNetwork(hardhat: HardhatNetworkConfig, stateDir: string): HttpNetworkConfig {
  const accounts = hardhat.accounts;
  return {
    url: readStackRecord(resolve(stateDir))?.rpcUrl ?? DEFAULT_STACK_RPC,
    ...(hardhat.chainId === undefined ? {} : { chainId: hardhat.chainId }),
    gas: 'auto',
    gasPrice: 'auto',
    gasMultiplier: 1,
    // A real FHE transaction waits on nothing, but a busy machine answers slowly.
    timeout: 120_000,
    httpHeaders: {},
    accounts: Array.isArray(accounts)
      ? accounts.map((account) => account.privateKey)
      : {
          mnemonic: accounts.mnemonic,
          initialIndex: accounts.initialIndex,
          count: accounts.count,
          path: accounts.path,
          passphrase: accounts.passphrase,
        },
  };
}
