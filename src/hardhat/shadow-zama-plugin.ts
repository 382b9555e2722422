import { Module } from 'node:module';
import { dirname } from 'node:path';
import { FhekitError } from '../errors.js';

const ZAMA_PLUGIN = '@fhevm/hardhat-plugin';

/**
 * A project moving to fhekit usually keeps `@fhevm/hardhat-plugin` installed, and its tests and tasks
 * still `import { FhevmType } from "@fhevm/hardhat-plugin"`. Loading that module would register Zama's
 * mock beside fhekit (its own `hre.fhevm`, its own host contracts and signers). Seeding the CommonJS
 * cache makes every later import of it return `exports` (fhekit's, with the same `FhevmType`) instead.
 * Returns whether the plugin is installed (nothing to do otherwise).
 */
export function shadowZamaPlugin(projectRequire: NodeJS.Require, exports: object): boolean {
  let filename: string;
  try {
    filename = projectRequire.resolve(ZAMA_PLUGIN);
  } catch {
    return false;
  }
  const cache = projectRequire.cache;
  if (cache[filename] && !(cache[filename] as { fhekitShadow?: true }).fhekitShadow) {
    throw new FhekitError(
      'FHE_ZAMA_PLUGIN_LOADED',
      `${ZAMA_PLUGIN} was loaded before fhekit/hardhat: both would set up hre.fhevm.`,
      {
        hint: `In hardhat.config.ts, replace \`import "${ZAMA_PLUGIN}"\` by \`import "fhekit/hardhat"\` and make it the first import.`,
      },
    );
  }
  const shadow = Object.assign(new Module(filename), {
    filename,
    loaded: true,
    exports: { __esModule: true, ...exports },
    paths: (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
      dirname(filename),
    ),
    fhekitShadow: true as const,
  });
  cache[filename] = shadow;
  return true;
}
