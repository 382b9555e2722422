import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';

const SERIALIZATION_VERSION = '0.5';
const VERSIONING_VERSION = '0.1';
const VERSIONED_MODE = 0;

const text = new TextEncoder();
const untext = new TextDecoder();

/** Reads the tfhe-safe-serialize header and returns the type name it announces. */
export function readHeader(r: ByteReader): string {
  const version = untext.decode(r.lengthPrefixed());
  if (version !== SERIALIZATION_VERSION) r.fail(`serialization version ${version}`);
  r.expectU32(VERSIONED_MODE, 'versioning mode');
  const versioning = untext.decode(r.lengthPrefixed());
  if (versioning !== VERSIONING_VERSION) r.fail(`versioning version ${versioning}`);
  return untext.decode(r.lengthPrefixed());
}

export function writeHeader(w: ByteWriter, typeName: string): void {
  w.lengthPrefixed(text.encode(SERIALIZATION_VERSION));
  w.u32(VERSIONED_MODE);
  w.lengthPrefixed(text.encode(VERSIONING_VERSION));
  w.lengthPrefixed(text.encode(typeName));
}
