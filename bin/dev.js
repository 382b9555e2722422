#!/usr/bin/env -S node --import tsx
// Runs the TypeScript sources directly (no build step), for working on fhekit itself.
import { execute } from '@oclif/core';

await execute({ development: true, dir: import.meta.url });
