import 'fhekit/hardhat';
import '@nomicfoundation/hardhat-chai-matchers';
import '@nomicfoundation/hardhat-ethers';
import type { HardhatUserConfig } from 'hardhat/config';

const config: HardhatUserConfig = {
  defaultNetwork: 'hardhat',
  networks: {
    hardhat: { chainId: 31337 },
    fhekit: {
      url: process.env.FHE_RPC_URL ?? 'http://127.0.0.1:8545',
      chainId: 31337,
      accounts: { mnemonic: 'test test test test test test test test test test test junk' },
    },
  },
  solidity: {
    version: '0.8.24',
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun' },
  },
};

export default config;
