import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';

const SERIALIZATION_VERSION = '0.5';
const VERSIONING_VERSION = '0.1';
const VERSIONED_MODE = 0;
/** Longer than any tfhe-rs version or type name: a longer string is refused, not echoed in the error. */
const MAX_HEADER_STRING = 64;

const text = new TextEncoder();
const untext = new TextDecoder();

/** Reads the tfhe-safe-serialize header and returns the type name it announces. */
export function readHeader(r: ByteReader): string {
  const version = readShortString(r, 'serialization version');
  if (version !== SERIALIZATION_VERSION) r.fail(`serialization version ${version}`);
  r.expectU32(VERSIONED_MODE, 'versioning mode');
  const versioning = readShortString(r, 'versioning version');
  if (versioning !== VERSIONING_VERSION) r.fail(`versioning version ${versioning}`);
  return readShortString(r, 'type name');
}

/** Control characters come back escaped: callers echo unknown names in their errors. */
function readShortString(r: ByteReader, field: string): string {
  const length = r.u64Number();
  if (length > MAX_HEADER_STRING) r.fail(`${field} of ${length} bytes`);
  return JSON.stringify(untext.decode(r.take(length))).slice(1, -1);
}

export function writeHeader(w: ByteWriter, typeName: string): void {
  w.lengthPrefixed(text.encode(SERIALIZATION_VERSION));
  w.u32(VERSIONED_MODE);
  w.lengthPrefixed(text.encode(VERSIONING_VERSION));
  w.lengthPrefixed(text.encode(typeName));
}
