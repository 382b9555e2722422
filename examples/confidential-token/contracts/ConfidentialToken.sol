// SPDX-License-Identifier: BSD-3-Clause-Clear
pragma solidity ^0.8.24;

import {FHE, ebool, euint64, externalEuint64} from "@fhevm/solidity/lib/FHE.sol";
import {ZamaEthereumConfig} from "@fhevm/solidity/config/ZamaConfig.sol";

/**
 * An ERC-7984-style confidential token: encrypted balances, transfers that move the amount if the balance
 * covers it and 0 otherwise (a revert would leak the balance), and time-limited operators.
 */
contract ConfidentialToken is ZamaEthereumConfig {
    address public immutable owner;
    mapping(address account => euint64) private _balances;
    mapping(address holder => mapping(address operator => uint48 until)) private _operators;

    event ConfidentialTransfer(address indexed from, address indexed to, euint64 indexed amount);
    event OperatorSet(address indexed holder, address indexed operator, uint48 until);

    error OnlyOwner();
    error UnauthorizedSpender(address holder, address spender);

    constructor() {
        owner = msg.sender;
    }

    function confidentialBalanceOf(address account) external view returns (euint64) {
        return _balances[account];
    }

    function isOperator(address holder, address spender) public view returns (bool) {
        return holder == spender || block.timestamp <= _operators[holder][spender];
    }

    function setOperator(address operator, uint48 until) external {
        _operators[msg.sender][operator] = until;
        emit OperatorSet(msg.sender, operator, until);
    }

    function mint(address to, uint64 amount) external {
        if (msg.sender != owner) revert OnlyOwner();
        _update(address(0), to, FHE.asEuint64(amount));
    }

    function confidentialTransfer(address to, externalEuint64 amount, bytes calldata inputProof)
        external
        returns (euint64)
    {
        return _update(msg.sender, to, FHE.fromExternal(amount, inputProof));
    }

    function confidentialTransferFrom(address from, address to, externalEuint64 amount, bytes calldata inputProof)
        external
        returns (euint64)
    {
        if (!isOperator(from, msg.sender)) revert UnauthorizedSpender(from, msg.sender);
        return _update(from, to, FHE.fromExternal(amount, inputProof));
    }

    function _update(address from, address to, euint64 amount) private returns (euint64 transferred) {
        if (from == address(0)) {
            transferred = amount;
        } else {
            euint64 fromBalance = _balances[from];
            ebool enough = FHE.ge(fromBalance, amount);
            transferred = FHE.select(enough, amount, FHE.asEuint64(0));
            _setBalance(from, FHE.sub(fromBalance, transferred));
        }
        _setBalance(to, FHE.add(_balances[to], transferred));
        FHE.allowThis(transferred);
        if (from != address(0)) FHE.allow(transferred, from);
        FHE.allow(transferred, to);
        FHE.allow(transferred, msg.sender);
        emit ConfidentialTransfer(from, to, transferred);
    }

    function _setBalance(address account, euint64 balance) private {
        _balances[account] = balance;
        FHE.allowThis(balance);
        FHE.allow(balance, account);
    }
}
