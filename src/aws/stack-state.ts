import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { ResolvedConfig } from '../config/index.ts';
import { clientConfig } from './clients.ts';

/** A stack's status, or undefined when it does not exist (CloudFormation answers ValidationError). */
export async function stackStatus(config: ResolvedConfig, stackName: string): Promise<string | undefined> {
  const cfn = new CloudFormationClient(clientConfig(config));
  try {
    const r = await cfn.send(new DescribeStacksCommand({ StackName: stackName })).catch((err: Error) => {
      if (err.name === 'ValidationError') return undefined;
      throw err;
    });
    const status = r?.Stacks?.[0]?.StackStatus;
    return status === 'DELETE_COMPLETE' ? undefined : status;
  } finally {
    cfn.destroy();
  }
}
