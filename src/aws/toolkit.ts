import { Toolkit } from '@aws-cdk/toolkit-lib';
import type { AwsNotify } from './events.ts';
import { BerthIoHost } from './io-host.ts';

/**
 * CDK's programmatic toolkit with berth's IoHost. Credentials come from the SDK's standard chain
 * and AWS_ENDPOINT_URL is read by the SDK clients the toolkit makes, as in src/aws/clients.ts.
 * Colour and emoji are off: the CLI's renderer decides how things look.
 */
export function makeToolkit(notify: AwsNotify): { toolkit: Toolkit; host: BerthIoHost } {
  const host = new BerthIoHost(notify);
  return { toolkit: new Toolkit({ ioHost: host, color: false, emojis: false }), host };
}
