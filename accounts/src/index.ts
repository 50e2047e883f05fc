/** @wardwall/accounts: filled in below. */
export {};
