import 'fhekit/hardhat';
import '@nomicfoundation/hardhat-chai-matchers';
import '@nomicfoundation/hardhat-ethers';
import type { HardhatUserConfig } from 'hardhat/config';

// `--network fhekit` needs no entry here: fhekit/hardhat adds one for a running `fhe dev up`.
const config: HardhatUserConfig = {
  defaultNetwork: 'hardhat',
  networks: { hardhat: { chainId: 31337 } },
  solidity: {
    version: '0.8.24',
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun' },
  },
};

export default config;
