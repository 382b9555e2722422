import 'fhekit/hardhat';
import '@nomicfoundation/hardhat-chai-matchers';
import '@nomicfoundation/hardhat-ethers';
import type { HardhatUserConfig } from 'hardhat/config';

// The fhevm-hardhat-template's config, reduced to what its FHECounter test needs (no deploy, verify,
// gas-reporter, coverage or typechain plugins). The first line was `import "@fhevm/hardhat-plugin";`.
const MNEMONIC = 'test test test test test test test test test test test junk';

const config: HardhatUserConfig = {
  defaultNetwork: 'hardhat',
  networks: {
    hardhat: {
      accounts: { mnemonic: MNEMONIC },
      chainId: 31337,
    },
    fhekit: {
      accounts: { mnemonic: MNEMONIC, path: "m/44'/60'/0'/0/", count: 10 },
      chainId: 31337,
      url: process.env.FHE_RPC_URL ?? 'http://127.0.0.1:8545',
    },
  },
  paths: { artifacts: './artifacts', cache: './cache', sources: './contracts', tests: './test' },
  solidity: {
    version: '0.8.27',
    settings: {
      metadata: { bytecodeHash: 'none' },
      optimizer: { enabled: true, runs: 800 },
      evmVersion: 'cancun',
    },
  },
};

export default config;
