import { FhekitError } from '../errors.js';

/** The errors every store backend raises the same way. */
export function schemaTooNew(where: string, applied: number, latest: number): FhekitError {
  return new FhekitError(
    'FHE_STORE_SCHEMA_TOO_NEW',
    `The coprocessor database ${where} has schema version ${applied}; this fhekit knows up to ${latest}.`,
    {
      hint: 'Upgrade fhekit (every service on the database runs the same version), or use a fresh database.',
    },
  );
}

export function keysetMismatch(where: string, bound: string, offered: string): FhekitError {
  const short = (id: string) => id.slice(0, 12);
  return new FhekitError(
    'FHE_STORE_KEYSET_MISMATCH',
    `The coprocessor database ${where} holds ciphertexts of keyset ${short(bound)}, but this service was started with keyset ${short(offered)}.`,
    {
      hint: 'Start every service of one database with the same keyset directory (copy it from the machine that made it), or use a fresh database.',
    },
  );
}
