// A Hardhat project run by test/hardhat/plugin.test.ts with `node --import tsx`, so the plugin is
// loaded from its TypeScript sources (the examples/ projects use the built package).
require('../../../src/hardhat/index.ts');

module.exports = {
  defaultNetwork: 'hardhat',
  networks: { hardhat: { chainId: 31337 } },
  solidity: {
    version: '0.8.24',
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun' },
  },
};
