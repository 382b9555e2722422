#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step), for working on fhekit itself. oclif's own
// development mode cannot register this tsx version, so we register it and point oclif at src/.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const { execute } = await import('@oclif/core');
const root = fileURLToPath(new URL('..', import.meta.url));
const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
pjson.oclif.commands = './src/commands';
await execute({ dir: import.meta.url, loadOptions: { root, pjson } });
