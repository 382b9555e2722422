import { readFileSync } from 'node:fs';

/** The part of the WebAssembly JS API used here: @types/node 20 leaves the global to lib.dom. */
export interface SharedWasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => SharedWasmMemory;
}

const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

export const PAGE_BYTES = 65536;

export const pagesFor = (bytes: number) => Math.ceil(bytes / PAGE_BYTES);

export function createSharedMemory(initialPages: number, maximumPages: number): SharedWasmMemory {
  return new wasm.Memory({ initial: initialPages, maximum: maximumPages, shared: true });
}

const modules = new Map<string, object>();

/** Instantiates a committed kernel (`<name>.wasm` next to this module, built by build.mjs) over `memory`. */
export function instantiateKernel<Exports>(name: string, memory: SharedWasmMemory): Exports {
  let module = modules.get(name);
  if (!module) {
    module = new wasm.Module(readFileSync(new URL(`./${name}.wasm`, import.meta.url)));
    modules.set(name, module);
  }
  return new wasm.Instance(module, { env: { memory } }).exports as Exports;
}
