import type { IoMessage } from '@aws-cdk/toolkit-lib';
import { describe, expect, it } from 'vitest';
import { BerthIoHost, type AwsEvent } from '../../src/aws/index.ts';
import { renderAwsEvent, renderDeploy, renderFailedEvents, styles } from '../../src/cli/aws-render.ts';

/** The toolkit's messages as it sends them (codes and payloads of toolkit-lib 1.43), recorded by berth's host. */
function host() {
  const events: AwsEvent[] = [];
  return { events, host: new BerthIoHost((e) => void events.push(e)) };
}

function message(code: string, data: unknown, extra: Partial<IoMessage<unknown>> = {}): IoMessage<unknown> {
  return {
    time: new Date(),
    level: 'info',
    action: 'deploy',
    code: code as IoMessage<unknown>['code'],
    message: '',
    data,
    ...extra,
  };
}

const stackEvent = (status: string, reason?: string) => ({
  deployment: 'd1',
  event: {
    StackName: 'CruddurProd',
    LogicalResourceId: 'BackendService1',
    ResourceType: 'AWS::ECS::Service',
    ResourceStatus: status,
    ResourceStatusReason: reason,
    Timestamp: new Date('2026-12-06T10:00:00Z'),
  },
  metadata: { constructPath: 'CruddurProd/Backend/Service' },
  progress: { completed: 1, total: 40, formatted: '1/40' },
});

describe("berth's IoHost for the toolkit", () => {
  it('turns stack monitoring and resource activity into progress events', async () => {
    const { events, host: h } = host();
    await h.notify(
      message('CDK_TOOLKIT_I5501', { stackName: 'CruddurProd', isStackUpdate: true, resourcesTotal: 40 }),
    );
    await h.notify(message('CDK_TOOLKIT_I5502', stackEvent('UPDATE_COMPLETE')));
    await h.notify(message('CDK_TOOLKIT_I5503', { stackName: 'CruddurProd' }));
    expect(events.map((e) => [e.code, e.message])).toEqual([
      ['aws.stack.start', 'CruddurProd: updating (40 resources)'],
      ['aws.stack.event', 'CruddurProd CruddurProd/Backend/Service AWS::ECS::Service UPDATE_COMPLETE'],
      ['aws.stack.done', 'CruddurProd: monitoring ended'],
    ]);
    expect(h.started).toEqual([{ stack: 'CruddurProd', update: true }]);
    expect(h.active.size).toBe(0);
  });

  it('keeps failed resource events with their reasons, and leaves out the cancellations they caused', async () => {
    const { events, host: h } = host();
    await h.notify(
      message(
        'CDK_TOOLKIT_I5502',
        stackEvent(
          'CREATE_FAILED',
          'Resource handler returned message: "Invalid request provided: cluster not found"',
        ),
      ),
    );
    await h.notify(message('CDK_TOOLKIT_I5502', stackEvent('CREATE_FAILED', 'Resource creation cancelled')));
    expect(h.failedEvents).toEqual([
      expect.objectContaining({
        resource: 'CruddurProd/Backend/Service',
        status: 'CREATE_FAILED',
        reason: expect.stringContaining('cluster not found'),
      }),
    ]);
    expect(events.map((e) => [e.level, e.code])).toEqual([
      ['error', 'aws.stack.failed-event'],
      ['info', 'aws.stack.event'],
    ]);
    expect(renderFailedEvents(h.failedEvents)).toMatch(
      /CruddurProd\/Backend\/Service\s+AWS::ECS::Service\s+CREATE_FAILED\s+Resource handler/,
    );
  });

  it('records a no-op deploy and says the stack did not change', async () => {
    const { events, host: h } = host();
    const arn = 'arn:aws:cloudformation:us-east-1:123456789012:stack/CruddurProd/abc';
    await h.notify(
      message(
        'CDK_TOOLKIT_I5900',
        { type: 'did-deploy-stack', noOp: true, outputs: {}, stackArn: arn },
        { level: 'result' },
      ),
    );
    expect(h.outcomes).toEqual([{ stack: 'CruddurProd', noOp: true, stackArn: arn }]);
    expect(events.map((e) => e.message)).toEqual(['CruddurProd: no changes']);
  });

  it('answers the toolkit questions yes: berth asked the user before it called the toolkit', async () => {
    const { host: h } = host();
    const answer = await h.requestResponse({
      ...message('CDK_TOOLKIT_I7010', {}),
      code: 'CDK_TOOLKIT_I7010',
      defaultResponse: false,
    });
    expect(answer).toBe(true);
  });

  it('passes warnings on and keeps the rest as debug', async () => {
    const { events, host: h } = host();
    await h.notify(
      message('CDK_TOOLKIT_W5500', {}, { level: 'warn', message: 'Stack events could not be read' }),
    );
    await h.notify(message('CDK_SDK_I0100', {}, { level: 'trace', message: 'SDK call' }));
    expect(events.map((e) => [e.level, e.code])).toEqual([
      ['warn', 'aws.toolkit.warn'],
      ['debug', 'aws.toolkit.debug'],
    ]);
  });
});

describe('the AWS progress renderer', () => {
  const failed: AwsEvent = {
    level: 'error',
    code: 'aws.stack.failed-event',
    message: '',
    data: {
      stack: 'CruddurProd',
      resource: 'Backend/Service',
      type: 'AWS::ECS::Service',
      status: 'UPDATE_FAILED',
      reason: 'no',
    },
  };

  it('colours only on a terminal and never with NO_COLOR', () => {
    expect(renderAwsEvent(failed, { style: styles({ isTTY: true }, {}) })).toContain(
      '\u001b[31mUPDATE_FAILED',
    );
    expect(renderAwsEvent(failed, { style: styles({ isTTY: true }, { NO_COLOR: '1' }) })).not.toContain(
      '\u001b[',
    );
    expect(renderAwsEvent(failed, { style: styles({ isTTY: false }, {}) })).toBe(
      'CruddurProd  UPDATE_FAILED  AWS::ECS::Service  Backend/Service  no',
    );
  });

  it('prefixes the time since the command started and hides debug unless verbose', () => {
    const info: AwsEvent = { level: 'info', code: 'aws.step.start', message: 'deploying the app stack' };
    expect(renderAwsEvent(info, { elapsedMs: 75_000 })).toBe('[1m15s] deploying the app stack');
    expect(renderAwsEvent({ ...info, level: 'debug' })).toBeUndefined();
    expect(renderAwsEvent({ ...info, level: 'debug' }, { verbose: true })).toBe('deploying the app stack');
  });

  it('says why a deploy stopped, and that nothing changed when nothing did', () => {
    const base = {
      stage: 'prod',
      account: '123456789012',
      region: 'us-east-1',
      images: [],
      stacks: [],
      failedEvents: [],
      rollouts: [],
      cancelled: false,
      urls: [],
      timings: [{ step: 'app' as const, ms: 3000 }],
    };
    expect(
      renderDeploy({
        ...base,
        ok: false,
        nothingChanged: false,
        failure: { step: 'app', message: 'CruddurProd: failed' },
      }),
    ).toContain('Deploy of stage prod (account 123456789012, us-east-1) failed at app: CruddurProd: failed');
    expect(renderDeploy({ ...base, ok: true, nothingChanged: true })).toContain(
      'Nothing changed in stage prod (account 123456789012, us-east-1): no image pushed, no stack updated.',
    );
  });
});
