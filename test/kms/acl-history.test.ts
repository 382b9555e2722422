import type { Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { type AclHistory, describeDelegation, describeGrants } from '../../src/kms/acl-history.js';

const HANDLE = `0x${'11'.repeat(32)}` as Hex;
const ALICE = '0x00000000000000000000000000000000000a11ce' as Hex;
const BOB = '0x000000000000000000000000000000000000b0b0' as Hex;
const CONTRACT = '0x000000000000000000000000000000000000c0c0' as Hex;

function history(
  rows: Awaited<ReturnType<AclHistory['allowedRows']>>,
  delegations: Awaited<ReturnType<AclHistory['delegations']>> = [],
): AclHistory {
  return { allowedRows: async () => rows, delegations: async () => delegations };
}

describe('ACL history in KMS refusals', () => {
  it('names the accounts a handle was allowed to, once each, and public decryptability', async () => {
    const text = await describeGrants(
      history([
        { account: ALICE, eventType: 0, blockNumber: 1 },
        { account: ALICE, eventType: 0, blockNumber: 2 },
        { account: '', eventType: 1, blockNumber: 3 },
      ]),
      HANDLE,
    );
    expect(text).toBe(
      'ACL events of this stack: allowed to 0x00000000000000000000000000000000000A11cE; made publicly decryptable.',
    );
    expect(await describeGrants(history([]), HANDLE)).toBe(
      'No ACL event of this stack allowed this handle to anyone.',
    );
  });

  it('tells a revoked delegation from an expiring one and from none, for the contract asked about', async () => {
    const revoked = history(
      [],
      [
        { contractAddress: CONTRACT, newExpiration: 1_900_000_000n, blockNumber: 4 },
        { contractAddress: CONTRACT, newExpiration: 0n, blockNumber: 9 },
      ],
    );
    expect(await describeDelegation(revoked, ALICE, BOB, CONTRACT)).toBe(
      'The last delegation event (block 9) revoked it.',
    );
    expect(await describeDelegation(revoked, ALICE, BOB, ALICE)).toBe(
      'No delegation event of this stack names this delegate and contract.',
    );
    const active = history(
      [],
      [{ contractAddress: CONTRACT, newExpiration: 1_900_000_000n, blockNumber: 4 }],
    );
    expect(await describeDelegation(active, ALICE, BOB, CONTRACT)).toContain('set its expiry to 1900000000');
  });
});
