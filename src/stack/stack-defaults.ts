/** Defaults of `startStack` that the CLI flags show too (kept light: every command imports the flags). */

/** Suites that wait for N blocks finish without traffic. */
export const DEFAULT_IDLE_BLOCK_SECONDS = 1;
/** Test suites use many HD signers (Zama's e2e suite: #0–#119); 200 costs ~0.5 s of anvil startup. */
export const DEFAULT_ACCOUNTS = 200;

/**
 * Where input ciphertexts come from: `proven` = the SDK's ZK-proven lists, verified by the stack;
 * `direct` = plaintexts a caller holding the stack's API token hands over, encrypted and signed by the stack.
 */
export const INPUT_MODES = ['proven', 'direct'] as const;
export type InputMode = (typeof INPUT_MODES)[number];
