// SPDX-License-Identifier: BSD-3-Clause-Clear
pragma solidity ^0.8.24;

import {FHE, euint8, externalEuint8} from "@fhevm/solidity/lib/FHE.sol";
import {ZamaEthereumConfig} from "@fhevm/solidity/config/ZamaConfig.sol";

/// Shaped like a hardhat-exposed generated contract: `$`-prefixed name and functions exposing an
/// internal helper of a contract that inherits the Zama config.
abstract contract VaultMath is ZamaEthereumConfig {
    function _addScalar(euint8 value, uint8 scalar) internal returns (euint8) {
        return FHE.add(value, scalar);
    }
}

contract $VaultMath is VaultMath {
    euint8 public $lastResult;

    function $_addScalar(externalEuint8 input, bytes calldata inputProof, uint8 scalar) external returns (euint8) {
        $lastResult = _addScalar(FHE.fromExternal(input, inputProof), scalar);
        FHE.allowThis($lastResult);
        FHE.allow($lastResult, msg.sender);
        return $lastResult;
    }
}
