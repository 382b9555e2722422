import { getAddress, type Hex } from 'viem';

/** The ACL events the coprocessor ingested (its store), to explain a refusal the on-chain ACL made. */
export interface AclHistory {
  allowedRows(handle: Hex): Promise<readonly { account: Hex | ''; eventType: number; blockNumber: number }[]>;
  delegations(
    delegator: Hex,
    delegate: Hex,
  ): Promise<readonly { contractAddress: Hex; newExpiration: bigint; blockNumber: number }[]>;
}

/**
 * Who the handle's Allowed events named, for a KMS_NOT_ALLOWED hint: the most common fhEVM mistake is a
 * missing FHE.allow, and the list shows which account got it instead. The ACL on chain stays the authority.
 */
export async function describeGrants(history: AclHistory, handle: Hex): Promise<string> {
  const rows = await history.allowedRows(handle);
  const accounts = [...new Set(rows.filter((r) => r.account !== '').map((r) => getAddress(r.account)))];
  const publicly = rows.some((r) => r.account === '');
  if (accounts.length === 0 && !publicly) return 'No ACL event of this stack allowed this handle to anyone.';
  const parts = [
    ...(accounts.length > 0 ? [`allowed to ${accounts.join(', ')}`] : []),
    ...(publicly ? ['made publicly decryptable'] : []),
  ];
  return `ACL events of this stack: ${parts.join('; ')}.`;
}

/** The delegator's last delegation to `delegate` for `contract`, for a KMS_NOT_DELEGATED hint. */
export async function describeDelegation(
  history: AclHistory,
  delegator: Hex,
  delegate: Hex,
  contract: Hex,
): Promise<string> {
  const last = (await history.delegations(delegator, delegate))
    .filter((d) => d.contractAddress.toLowerCase() === contract.toLowerCase())
    .at(-1);
  if (last === undefined) return 'No delegation event of this stack names this delegate and contract.';
  if (last.newExpiration === 0n) return `The last delegation event (block ${last.blockNumber}) revoked it.`;
  return `The last delegation event (block ${last.blockNumber}) set its expiry to ${last.newExpiration} (unix seconds).`;
}
