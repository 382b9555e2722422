import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Abi, Hex } from 'viem';
import { FhekitError } from '../errors.js';

/** The compiler `@fhevm/solidity@0.11.1` and the host contracts are built with (fhevm-spec §3.6). */
export const SOLC_VERSION = '0.8.24';

// Same settings as the host contracts: cancun for tload/tstore, optimizer with 800 runs.
const SETTINGS = {
  evmVersion: 'cancun',
  optimizer: { enabled: true, runs: 800 },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const;

export interface CompiledContract {
  contractName: string;
  /** Source unit name, e.g. `contracts/Token.sol` (relative to `baseDir`) or `@fhevm/solidity/lib/FHE.sol`. */
  sourceName: string;
  abi: Abi;
  /** Creation bytecode. */
  bytecode: Hex;
  deployedBytecode: Hex;
}

export interface CompileOptions {
  /** Relative imports and source unit names are resolved against it; `node_modules` lookups start here. */
  baseDir: string;
  /** Where compiled outputs are cached by source hash; no caching when omitted. */
  cacheDir?: string;
}

export interface CompileResult {
  /** Contracts defined in the given files, by name. */
  contracts: Map<string, CompiledContract>;
  /** Every compiled contract, including libraries and interfaces pulled in by imports. */
  all: CompiledContract[];
  fromCache: boolean;
}

interface CacheEntry {
  /** Hash of every source the compiler read, including imports: an edited dependency invalidates the entry. */
  sourceHashes: Record<string, string>;
  contracts: CompiledContract[];
}

interface SolcOutput {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[];
  contracts?: Record<
    string,
    Record<string, { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >;
  sources?: Record<string, unknown>;
}

/**
 * Compiles Solidity files (which may import `@fhevm/solidity`, resolved from `node_modules` of `baseDir`
 * or of fhekit itself) with solc-js, offline. Outputs are cached by the hash of every source read.
 */
export async function compileSolidity(files: string[], options: CompileOptions): Promise<CompileResult> {
  const resolver = new SourceResolver(options.baseDir);
  const sources: Record<string, { content: string }> = {};
  for (const file of files) {
    const unitName = resolver.unitNameOf(file);
    sources[unitName] = { content: resolver.read(unitName) };
  }
  const key = sha256(JSON.stringify({ solc: SOLC_VERSION, settings: SETTINGS, sources }));
  const cacheFile = options.cacheDir === undefined ? undefined : join(options.cacheDir, `${key}.json`);

  const cached = cacheFile === undefined ? undefined : readCacheEntry(cacheFile, resolver);
  if (cached) return toResult(cached.contracts, Object.keys(sources), true);

  const output = await runSolc({ language: 'Solidity', sources, settings: SETTINGS }, resolver);
  const contracts: CompiledContract[] = [];
  for (const [sourceName, byName] of Object.entries(output.contracts ?? {})) {
    for (const [contractName, out] of Object.entries(byName)) {
      contracts.push({
        contractName,
        sourceName,
        abi: out.abi,
        bytecode: `0x${out.evm.bytecode.object}`,
        deployedBytecode: `0x${out.evm.deployedBytecode.object}`,
      });
    }
  }
  if (cacheFile !== undefined) {
    const sourceHashes = Object.fromEntries(
      Object.keys(output.sources ?? {}).map((unitName) => [unitName, sha256(resolver.read(unitName))]),
    );
    writeCacheEntry(cacheFile, { sourceHashes, contracts });
  }
  return toResult(contracts, Object.keys(sources), false);
}

/** The one contract named `contractName` in a compile result, or a FhekitError naming those that exist. */
export function pickContract(result: CompileResult, contractName: string): CompiledContract {
  const contract = result.contracts.get(contractName);
  if (!contract) {
    throw new FhekitError('FHE_CONTRACT_NOT_FOUND', `No contract named ${contractName} was compiled.`, {
      hint: `Compiled contracts: ${[...result.contracts.keys()].join(', ') || 'none'}.`,
    });
  }
  return contract;
}

// solc-js loads an 8 MB emscripten build; only pay for it on a cache miss.
async function runSolc(input: object, resolver: SourceResolver): Promise<SolcOutput> {
  const { default: solc } = await import('solc');
  if (!solc.version().startsWith(SOLC_VERSION)) {
    throw new FhekitError(
      'FHE_SOLC_VERSION',
      `solc-js ${solc.version()} is installed, fhekit needs ${SOLC_VERSION}.`,
      {
        hint: `Reinstall fhekit's dependencies (npm ci); it pins solc@${SOLC_VERSION}.`,
      },
    );
  }
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), {
      import: (unitName) => {
        try {
          return { contents: resolver.read(unitName) };
        } catch (error) {
          return { error: (error as Error).message };
        }
      },
    }),
  ) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    throw new FhekitError(
      'FHE_SOLIDITY_COMPILE',
      `Solidity compilation failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`,
      {
        hint: 'Fix the errors above. Contracts using FHE must import @fhevm/solidity (0.11.x API) and compile with solc 0.8.24.',
      },
    );
  }
  return output;
}

/** Maps solc source unit names to files: paths under `baseDir`, else packages in `node_modules`. */
class SourceResolver {
  private readonly requires: NodeJS.Require[];

  constructor(private readonly baseDir: string) {
    // The project's own node_modules first, then fhekit's (which always has @fhevm/solidity).
    this.requires = [createRequire(join(resolve(baseDir), 'package.json')), createRequire(import.meta.url)];
  }

  unitNameOf(file: string): string {
    const absolute = resolve(this.baseDir, file);
    const unitName = relative(resolve(this.baseDir), absolute).split('\\').join('/');
    if (unitName.startsWith('..') || isAbsolute(unitName)) {
      throw new FhekitError(
        'FHE_SOURCE_OUTSIDE_BASE',
        `${file} is outside the source directory ${this.baseDir}.`,
        {
          hint: 'Run from the project root, or pass a base directory that contains all contract sources.',
        },
      );
    }
    return unitName;
  }

  read(unitName: string): string {
    return readFileSync(this.pathOf(unitName), 'utf8');
  }

  private pathOf(unitName: string): string {
    const local = join(this.baseDir, unitName);
    if (existsSync(local)) return local;
    for (const require of this.requires) {
      try {
        return require.resolve(unitName);
      } catch {
        // not in this node_modules; try the next
      }
    }
    throw new FhekitError(
      'FHE_SOURCE_NOT_FOUND',
      `Source "${unitName}" not found under ${this.baseDir} or in node_modules.`,
      {
        hint: 'Check the path, or install the package that provides the import (fhekit bundles @fhevm/solidity).',
      },
    );
  }
}

function readCacheEntry(file: string, resolver: SourceResolver): CacheEntry | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as CacheEntry;
    const fresh = Object.entries(entry.sourceHashes).every(
      ([unitName, hash]) => sha256(resolver.read(unitName)) === hash,
    );
    return fresh ? entry : undefined;
  } catch {
    return undefined; // unreadable or stale: recompile and overwrite
  }
}

function writeCacheEntry(file: string, entry: CacheEntry): void {
  mkdirSync(dirname(file), { recursive: true });
  // Write-then-rename so a concurrent reader never sees half a file.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(entry));
  renameSync(temporary, file);
}

function toResult(all: CompiledContract[], entrySources: string[], fromCache: boolean): CompileResult {
  const own = all.filter((c) => entrySources.includes(c.sourceName));
  return { contracts: new Map(own.map((c) => [c.contractName, c])), all, fromCache };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
