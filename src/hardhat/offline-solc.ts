import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { FhekitError } from '../errors.js';

/** What Hardhat's `compile:solidity:solc:get-build` subtask returns. */
export interface SolcBuild {
  version: string;
  longVersion: string;
  compilerPath: string;
  isSolcJs: boolean;
}

export interface OfflineSolcOptions {
  /** Resolves packages from the Hardhat project (its `solc`, Hardhat internals). */
  projectRequire: NodeJS.Require;
  /** `<cache>/solc/<version>/` gets `npm install solc@<version>` when nothing else has it. */
  cacheDir: string;
  /** Told once which compiler is used. */
  say: (line: string) => void;
}

const ownRequire = createRequire(import.meta.url);

/**
 * Picks the compiler without needing the internet: a native solc Hardhat already downloaded, else the
 * `solc` npm package (solc-js) of that exact version from the project, fhekit, or fhekit's cache, else
 * Hardhat's own download, else `npm install solc@<version>` into the cache. Returns null to let Hardhat
 * do its own thing (native build present, or downloaded).
 */
export function createOfflineSolcResolver(options: OfflineSolcOptions) {
  let announced = false;
  const announce = (build: SolcBuild, origin: string) => {
    if (announced) return;
    announced = true;
    options.say(
      `fhekit: Hardhat has no native solc ${build.version} cached; compiling with solc-js (the \`solc\` npm package, ${origin}).`,
    );
  };

  return async function resolveBuild(
    version: string,
    download: () => Promise<SolcBuild>,
  ): Promise<SolcBuild> {
    if (await nativeBuildCached(options.projectRequire, version)) return download();
    const local = findSolcJs(options, version);
    if (local) {
      const build = solcJsBuild(local.packageDir, version);
      announce(build, local.origin);
      return build;
    }
    try {
      return await download();
    } catch (downloadError) {
      const target = join(options.cacheDir, version);
      options.say(
        `fhekit: cannot download solc ${version}; installing solc@${version} from npm into ${target} (once)…`,
      );
      try {
        mkdirSync(target, { recursive: true });
        await promisify(execFile)(
          'npm',
          ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', target, `solc@${version}`],
          {
            timeout: 300_000,
          },
        );
      } catch (cause) {
        throw new FhekitError(
          'FHE_SOLC_UNAVAILABLE',
          `solc ${version} can neither be downloaded by Hardhat nor installed from npm (${(downloadError as Error).message}).`,
          {
            hint: `Add it to the project: \`npm install --save-dev solc@${version}\`, or set solidity.version to ${installedSolcVersion() ?? 'an installed solc version'}.`,
            cause,
          },
        );
      }
      const build = solcJsBuild(join(target, 'node_modules', 'solc'), version);
      announce(build, `installed in ${target}`);
      return build;
    }
  };
}

function installedSolcVersion(): string | undefined {
  try {
    return (ownRequire('solc/package.json') as { version: string }).version;
  } catch {
    return undefined;
  }
}

function findSolcJs(
  options: OfflineSolcOptions,
  version: string,
): { packageDir: string; origin: string } | undefined {
  const candidates: { resolve: () => string; origin: string }[] = [
    { resolve: () => options.projectRequire.resolve('solc/package.json'), origin: 'from the project' },
    { resolve: () => ownRequire.resolve('solc/package.json'), origin: 'bundled with fhekit' },
    {
      resolve: () => join(options.cacheDir, version, 'node_modules', 'solc', 'package.json'),
      origin: 'from the fhekit cache',
    },
  ];
  for (const candidate of candidates) {
    let path: string;
    try {
      path = candidate.resolve();
    } catch {
      continue;
    }
    if (!existsSync(path)) continue;
    if ((JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version === version) {
      return { packageDir: dirname(path), origin: candidate.origin };
    }
  }
  return undefined;
}

function solcJsBuild(packageDir: string, version: string): SolcBuild {
  const compilerPath = join(packageDir, 'soljson.js');
  const wrapper = createRequire(join(packageDir, 'package.json'))('./wrapper.js') as (soljson: unknown) => {
    version(): string;
  };
  // "0.8.27+commit.40a35a09.Emscripten.clang": Hardhat's build info wants the part before the platform.
  const longVersion = wrapper(createRequire(compilerPath)(compilerPath))
    .version()
    .replace(/\.Emscripten.*$/, '');
  return { version, longVersion, compilerPath, isSolcJs: true };
}

/** Whether Hardhat's compiler cache already has a native (or wasm) solc of this version: then no download. */
async function nativeBuildCached(projectRequire: NodeJS.Require, version: string): Promise<boolean> {
  try {
    const { getCompilersDir } = projectRequire('hardhat/internal/util/global-dir') as {
      getCompilersDir(): Promise<string>;
    };
    const { CompilerDownloader } = projectRequire('hardhat/internal/solidity/compiler/downloader') as {
      CompilerDownloader: {
        getCompilerPlatform(): string;
        getConcurrencySafeDownloader(
          platform: string,
          dir: string,
        ): { isCompilerDownloaded(v: string): Promise<boolean> };
      };
    };
    const dir = await getCompilersDir();
    const downloader = CompilerDownloader.getConcurrencySafeDownloader(
      CompilerDownloader.getCompilerPlatform(),
      dir,
    );
    return await downloader.isCompilerDownloaded(version);
  } catch {
    return false;
  }
}
