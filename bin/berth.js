#!/usr/bin/env node
// berth is written in TypeScript and loads TypeScript configs; tsx runs both without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
