import {
  type Abi,
  type Address,
  type Chain,
  encodeFunctionData,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
} from 'viem';

/**
 * Gas limit of every transaction: well above any single fhEVM call of a test contract, and a few of them
 * fit in one 30M-gas block. A fixed limit spares an estimate (anvil runs the call several times for it).
 */
export const GAS_LIMIT = 5_000_000n;

export interface TransactionSender {
  /**
   * Sends `functionName(args)` to `address` and resolves with its receipt, whatever its status (a call
   * that reverts is mined as reverted). Calls made without awaiting the previous one are in flight
   * together and mined in the order they were made.
   */
  send(
    address: Address,
    abi: Abi,
    functionName: string,
    args: readonly unknown[],
  ): Promise<TransactionReceipt>;
}

/**
 * Concurrent transactions from one account, for a local chain: otherwise one sender's transactions go
 * out one after the other, each paying its round trips (chain id, fees, nonce, gas estimate, send,
 * receipt). Here the nonce is counted locally from the node's pending count, fees are read once (with
 * room for the base fee to double), and the gas limit is fixed; each call is signed at once and sent
 * without waiting for the ones before it (the node holds a transaction until its nonce is next). A send
 * the node refuses leaves a nonce gap, so it makes every later send re-read the nonce and fees.
 */
export function createTransactionSender(client: {
  chainId: number;
  account: LocalAccount;
  publicClient: PublicClient<Transport, Chain>;
}): TransactionSender {
  const { account, publicClient } = client;
  let next: Promise<{ nonce: number; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> | undefined;

  const readAccount = async () => {
    const [nonce, block, maxPriorityFeePerGas] = await Promise.all([
      publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' }),
      publicClient.getBlock(),
      publicClient.estimateMaxPriorityFeePerGas(),
    ]);
    const maxFeePerGas = 2n * (block.baseFeePerGas ?? 0n) + maxPriorityFeePerGas;
    return { nonce, maxFeePerGas, maxPriorityFeePerGas };
  };

  return {
    async send(address, abi, functionName, args) {
      const data = encodeFunctionData({ abi, functionName, args } as never);
      // Taken synchronously, so nonces follow the order of the calls.
      const current = next ?? readAccount();
      next = current.then((state) => ({ ...state, nonce: state.nonce + 1 }));
      next.catch(() => {}); // the failure is this call's to report; a later call reads again
      let hash: Hex;
      try {
        const { nonce, maxFeePerGas, maxPriorityFeePerGas } = await current;
        const serializedTransaction = await account.signTransaction({
          type: 'eip1559',
          chainId: client.chainId,
          to: address,
          data,
          gas: GAS_LIMIT,
          nonce,
          maxFeePerGas,
          maxPriorityFeePerGas,
        });
        hash = await publicClient.sendRawTransaction({ serializedTransaction });
      } catch (error) {
        next = undefined;
        throw error;
      }
      return publicClient.waitForTransactionReceipt({ hash });
    },
  };
}
