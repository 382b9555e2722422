import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, posix, relative, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Abi, Hex } from 'viem';
import { FhekitError } from '../errors.js';

/** solc of `@fhevm/solidity@0.11.1` and of the host contracts (docs/fhevm-protocol.md §Host contracts). */
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

type Sources = Record<string, { content: string }>;

interface SolcOutput {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[];
  contracts?: Record<
    string,
    Record<string, { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >;
}

/**
 * Compiles Solidity files (which may import `@fhevm/solidity`, resolved from `node_modules` of `baseDir`
 * or of fhekit itself) with solc-js, offline. The output is cached under the hash of every source,
 * imports included, so editing any of them recompiles.
 */
export async function compileSolidity(files: string[], options: CompileOptions): Promise<CompileResult> {
  const resolver = new SourceResolver(options.baseDir);
  const entries = files.map((file) => resolver.unitNameOf(file));
  const sources = collectSources(entries, resolver);
  const key = sha256(JSON.stringify({ solc: SOLC_VERSION, settings: SETTINGS, sources }));
  const cacheFile = options.cacheDir === undefined ? undefined : join(options.cacheDir, `${key}.json`);

  const cached = cacheFile === undefined ? undefined : readCache(cacheFile);
  if (cached) return toResult(cached, entries, true);

  const output = await runSolc({ language: 'Solidity', sources, settings: SETTINGS }, options.baseDir);
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
  if (cacheFile !== undefined) writeCache(cacheFile, contracts);
  return toResult(contracts, entries, false);
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

// solc-js is an 8 MB emscripten build that blocks for seconds and keeps a large heap: run it in a
// throwaway worker so the caller's event loop (CLI progress, a running stack) keeps going. The worker
// is plain CommonJS (eval) and gets every source up front, so it needs no import callback.
const SOLC_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const solc = require(workerData.solcPath);
parentPort.postMessage({ version: solc.version(), output: solc.compile(workerData.input) });
`;

async function runSolc(
  input: { language: string; sources: Sources; settings: object },
  baseDir: string,
): Promise<SolcOutput> {
  const solcPath = createRequire(import.meta.url).resolve('solc');
  const worker = new Worker(SOLC_WORKER, {
    eval: true,
    workerData: { solcPath, input: JSON.stringify(input) },
  });
  const result = await new Promise<{ version: string; output: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`solc worker exited with code ${code}`)));
  });
  void worker.terminate();
  if (!result.version.startsWith(SOLC_VERSION)) {
    throw new FhekitError(
      'FHE_SOLC_VERSION',
      `solc-js ${result.version} is installed, fhekit needs ${SOLC_VERSION}.`,
      {
        hint: `Reinstall fhekit's dependencies (npm ci); it pins solc@${SOLC_VERSION}.`,
      },
    );
  }
  const output = JSON.parse(result.output) as SolcOutput;
  const errors = (output.errors ?? [])
    .filter((e) => e.severity === 'error')
    // Every import was collected up front, so solc's "no callback" means the file does not exist.
    .map((e) =>
      e.formattedMessage.replace(
        'File import callback not supported',
        `not found under ${baseDir} or in node_modules`,
      ),
    );
  if (errors.length > 0) {
    throw new FhekitError('FHE_SOLIDITY_COMPILE', `Solidity compilation failed:\n${errors.join('\n')}`, {
      hint: 'Fix the errors above. Contracts using FHE must import @fhevm/solidity (0.11.x API) and compile with solc 0.8.24.',
    });
  }
  return output;
}

// `import "p";`, `import "p" as X;`, `import * as X from "p";`, `import {A, B as C} from "p";`
const IMPORT_PATTERN = /\bimport\s+(?:[^"';]*?\bfrom\s*)?["']([^"']+)["']/g;
const COMMENT_PATTERN = /\/\*[\s\S]*?\*\/|\/\/[^\n]*/g;

/**
 * The entry sources and everything they import, transitively, keyed by source unit name as solc
 * resolves them (relative imports against the importing unit's directory). An import that cannot be
 * found is left out: solc then reports it, with the importing file and line.
 */
function collectSources(entries: string[], resolver: SourceResolver): Sources {
  const contents = new Map<string, string>();
  const pending = [...entries];
  for (let unitName = pending.pop(); unitName !== undefined; unitName = pending.pop()) {
    if (contents.has(unitName)) continue;
    let content: string;
    try {
      content = resolver.read(unitName);
    } catch (error) {
      const missingImport = error instanceof FhekitError && error.code === 'FHE_SOURCE_NOT_FOUND';
      if (!missingImport || entries.includes(unitName)) throw error;
      continue;
    }
    contents.set(unitName, content);
    for (const [, path = ''] of content.replace(COMMENT_PATTERN, '').matchAll(IMPORT_PATTERN)) {
      pending.push(path.startsWith('.') ? posix.join(posix.dirname(unitName), path) : path);
    }
  }
  // Sorted, so the cache key does not depend on discovery order.
  return Object.fromEntries(
    [...contents.keys()].sort().map((name) => [name, { content: contents.get(name)! }]),
  );
}

const FHEVM_SOLIDITY = '@fhevm/solidity';
// 0.13+ calls KMSVerifier functions host-contracts 0.10.0 does not have (docs/fhevm-protocol.md §Versions).
const COMPATIBLE_FHEVM_SOLIDITY = /^0\.1[01]\./;

function checkFhevmSolidityVersion(require: NodeJS.Require): void {
  const manifest = require.resolve(`${FHEVM_SOLIDITY}/package.json`);
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  if (!COMPATIBLE_FHEVM_SOLIDITY.test(version)) {
    throw new FhekitError(
      'FHE_FHEVM_SOLIDITY_INCOMPATIBLE',
      `${FHEVM_SOLIDITY}@${version} (${dirname(manifest)}) does not work with the host contracts fhekit runs (@fhevm/host-contracts 0.10.0).`,
      {
        hint: `Install ${FHEVM_SOLIDITY}@0.11.1 in your project, or remove it there to compile against fhekit's copy.`,
      },
    );
  }
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
      let path: string;
      try {
        path = require.resolve(unitName);
      } catch {
        continue; // not in this node_modules; try the next
      }
      if (unitName.startsWith(`${FHEVM_SOLIDITY}/`)) checkFhevmSolidityVersion(require);
      return path;
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

function readCache(file: string): CompiledContract[] | undefined {
  try {
    const contracts: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(contracts) ? (contracts as CompiledContract[]) : undefined;
  } catch {
    return undefined; // absent or unreadable: recompile and overwrite
  }
}

function writeCache(file: string, contracts: CompiledContract[]): void {
  mkdirSync(dirname(file), { recursive: true });
  // Write-then-rename so a concurrent reader never sees half a file.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(contracts));
  renameSync(temporary, file);
}

function toResult(all: CompiledContract[], entrySources: string[], fromCache: boolean): CompileResult {
  const own = all.filter((c) => entrySources.includes(c.sourceName));
  return { contracts: new Map(own.map((c) => [c.contractName, c])), all, fromCache };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
