#!/usr/bin/env node
// berth is written in TypeScript and loads TypeScript configs; tsx runs both without a build step.
import { register } from 'tsx/esm/api';

register();
// berth prints no warning it does not own: the AWS SDK's notice about future Node.js versions is
// for whoever upgrades berth's dependencies, not for its users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
await import('../src/cli/main.ts');
