// solc-js ships no type declarations; this is the part of its API fhekit uses.
declare module 'solc' {
  type ImportResult = { contents: string } | { error: string };
  const solc: {
    /** Standard-JSON in, standard-JSON out; `import` resolves sources the input does not contain. */
    compile(input: string, callbacks?: { import: (path: string) => ImportResult }): string;
    version(): string;
  };
  export default solc;
}
