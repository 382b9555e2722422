import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Hex } from 'viem';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { FhekitError } from '../errors.js';

/**
 * The stack's own signing keys: the coprocessor signs input verifications (InputVerifier), the KMS
 * signs decryption results (KMSVerifier). They are registered on-chain at install time, so they must
 * survive restarts together with the chain state.
 */
export interface StackSigners {
  coprocessor: PrivateKeyAccount;
  kms: PrivateKeyAccount;
}

interface SignersFile {
  coprocessorPrivateKey: Hex;
  kmsPrivateKey: Hex;
}

/** Reads the signers file, or generates fresh keys and writes them there (owner-only permissions). */
export function loadOrCreateSigners(path: string): StackSigners {
  if (!existsSync(path)) {
    const fresh: SignersFile = {
      coprocessorPrivateKey: generatePrivateKey(),
      kmsPrivateKey: generatePrivateKey(),
    };
    writeFileSync(path, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600 });
    return toSigners(fresh);
  }
  try {
    return toSigners(JSON.parse(readFileSync(path, 'utf8')) as SignersFile);
  } catch (cause) {
    throw new FhekitError('FHE_SIGNERS_CORRUPT', `Cannot read the stack signer keys in ${path}.`, {
      hint: 'Delete the state directory to start a fresh chain with new keys.',
      cause,
    });
  }
}

/** Reads an existing signers file (a service joining a chain another process installed); never creates one. */
export function readSigners(path: string): StackSigners {
  if (!existsSync(path)) {
    throw new FhekitError('FHE_SIGNERS_MISSING', `No stack signer keys at ${path}.`, {
      hint: 'Copy chain/signers.json from the state directory of the stack that installed the host contracts (keep it owner-only), and pass its path.',
    });
  }
  return loadOrCreateSigners(path);
}

function toSigners(file: SignersFile): StackSigners {
  return {
    coprocessor: privateKeyToAccount(file.coprocessorPrivateKey),
    kms: privateKeyToAccount(file.kmsPrivateKey),
  };
}
