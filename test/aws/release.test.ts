import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AwsEvent } from '../../src/aws/index.ts';
import {
  releaseProgress,
  releaseStatus,
  rollback,
  sdkReleaseApi,
  watchReleases,
  type ServiceDeploymentView,
} from '../../src/aws/release/index.ts';
import type { BerthConfig } from '../../src/config/index.ts';
import { renderReleaseReports, renderReleaseStatus, renderRollback } from '../../src/cli/release-render.ts';
import { cruddur } from '../fixtures.ts';
import { useEmulatorAsAws } from '../support/moto.ts';
import { startStandIn, type Script, type StandIn } from '../support/release-stand-in.ts';

/**
 * The deploy path's release logic against a local stand-in for ECS service deployments (moto 5.2.1
 * has none), CloudWatch alarms and the verifier's log: the real SDK clients, scripted answers.
 * Nothing here ran against AWS.
 */
const config = cruddur(
  (c) =>
    ({
      ...c,
      services: {
        ...c.services,
        backend: { ...c.services.backend!, release: { strategy: 'canary' } },
      },
    }) as BerthConfig,
);
const backend = config.services.find((s) => s.id === 'backend')!;

const ARN = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/cruddur-prod/cruddur-prod-backend/d-2';
const REVISION = 'arn:aws:ecs:us-east-1:123456789012:service-revision/cruddur-prod/cruddur-prod-backend/r-2';
const now = () => Date.now() / 1000;

/** One DescribeServiceDeployments answer: the deployment at a stage. */
function deployment(fields: Record<string, unknown>) {
  return {
    serviceDeployments: [
      {
        serviceDeploymentArn: ARN,
        createdAt: now(),
        status: 'IN_PROGRESS',
        targetServiceRevision: { arn: REVISION, requestedTaskCount: 2, runningTaskCount: 2 },
        ...fields,
        ...(fields.production !== undefined
          ? {
              targetServiceRevision: {
                arn: REVISION,
                requestedTaskCount: 2,
                runningTaskCount: 2,
                requestedProductionTrafficWeight: fields.production,
              },
            }
          : {}),
      },
    ],
  };
}

/** A canary as ECS walks it: green starts, test traffic, 10%, bake at 100%, done. */
const HAPPY = [
  deployment({ lifecycleStage: 'SCALE_UP' }),
  deployment({ lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT', production: 0 }),
  deployment({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', production: 10 }),
  deployment({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', production: 10 }),
  deployment({ lifecycleStage: 'BAKE_TIME', production: 100 }),
  deployment({ status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP', production: 100 }),
];

let standIn: StandIn;
let script: Script = {};
beforeAll(async () => {
  standIn = await startStandIn(
    new Proxy({} as Script, { get: (_, op: string) => script[op], has: (_, op: string) => op in script }),
  );
  useEmulatorAsAws(standIn.endpoint);
});
afterAll(() => standIn.stop());
beforeEach(() => standIn.reset());

const listed = () => ({ serviceDeployments: [{ serviceDeploymentArn: ARN }] });
/** Answers `steps` in order, then keeps answering the last one. */
const inOrder = (steps: unknown[]) => (_: unknown, n: number) => steps[Math.min(n, steps.length - 1)];

async function watchThrough(steps: unknown[], extra: Script = {}) {
  // Until the stand-in has answered every scripted step once.
  return watchUntil(
    { ListServiceDeployments: listed, DescribeServiceDeployments: inOrder(steps), ...extra },
    'DescribeServiceDeployments',
    steps.length,
  );
}

/** Follows the backend's release against `given` until the stand-in has answered `target` `times` times. */
async function watchUntil(given: Script, target: string, times: number) {
  script = given;
  const events: AwsEvent[] = [];
  const api = sdkReleaseApi(config);
  const watch = watchReleases(config, {
    api,
    notify: (e) => events.push(e),
    services: [backend],
    intervalMs: 5,
  });
  while (standIn.calls.filter((c) => c.target.endsWith(target)).length < times)
    await new Promise((r) => setTimeout(r, 5));
  const reports = await watch.stop();
  api.destroy();
  return { events, reports };
}

describe('berth deploy following a canary release', () => {
  it('shows each stage once, as ECS moves through them, and ends done', async () => {
    const { events, reports } = await watchThrough(HAPPY);
    expect(events.filter((e) => e.code === 'aws.release.stage').map((e) => e.message)).toEqual([
      'backend: starting green: 2/2 green tasks running',
      'backend: test traffic on green, verifying through the test listener',
      'backend: shifting: 10% of production on green',
      'backend: baking: 100% of production on green, rollback alarms watched',
      'backend: done: green serves all traffic, blue stopped',
    ]);
    expect(reports).toEqual([
      {
        service: 'backend',
        ecsService: 'cruddur-prod-backend',
        deploymentArn: ARN,
        phase: 'done',
        productionPercent: 100,
        failed: false,
        why: [],
      },
    ]);
    expect(standIn.calls[0]).toEqual({
      target: 'AmazonEC2ContainerServiceV20141113.ListServiceDeployments',
      body: { cluster: 'cruddur-prod', service: 'cruddur-prod-backend', maxResults: 1 },
    });
  });

  it("on an alarm, says which one rolled the release back, with CloudWatch's datapoints and threshold", async () => {
    const reason =
      'Threshold Crossed: 2 out of the last 3 datapoints [12.5 (06/12/26 13:01:00), 8.0 (06/12/26 13:00:00)] were greater than the threshold (5.0) (minimum 2 datapoints for OK -> ALARM transition).';
    const { events, reports } = await watchThrough(
      [
        deployment({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', production: 10 }),
        deployment({
          status: 'ROLLBACK_IN_PROGRESS',
          lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT',
          production: 10,
          alarms: {
            status: 'TRIGGERED',
            alarmNames: ['cruddur-prod-backend-release-error-rate', 'cruddur-prod-backend-release-p99'],
            triggeredAlarmNames: ['cruddur-prod-backend-release-error-rate'],
          },
        }),
        deployment({
          status: 'ROLLBACK_SUCCESSFUL',
          production: 0,
          alarms: { status: 'TRIGGERED', triggeredAlarmNames: ['cruddur-prod-backend-release-error-rate'] },
          rollback: { reason: 'Rolling back because of alarm', serviceRevisionArn: 'r-1' },
        }),
      ],
      {
        DescribeAlarms: (body) => ({
          MetricAlarms: body.AlarmNames.map((name: string) => ({
            AlarmName: name,
            StateValue: 'ALARM',
            StateReason: reason,
          })),
        }),
      },
    );
    expect(events.find((e) => e.message.includes('rolling back'))?.level).toBe('warn');
    expect(reports[0]).toMatchObject({ phase: 'rolled-back', failed: true });
    expect(reports[0]!.why).toEqual([`alarm cruddur-prod-backend-release-error-rate: ${reason}`]);
    expect(standIn.calls.find((c) => c.target.endsWith('DescribeAlarms'))?.body).toEqual({
      AlarmNames: ['cruddur-prod-backend-release-error-rate'],
    });
    expect(renderReleaseReports(reports)).toContain(
      `backend rolled back:\n  alarm cruddur-prod-backend-release-error-rate: ${reason}`,
    );
  });

  it("on a failed verification, names the request, what it answered and how long it took, from the hook's log", async () => {
    const { reports } = await watchThrough(
      [
        deployment({
          status: 'ROLLBACK_SUCCESSFUL',
          lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
          lifecycleHookDetails: [
            {
              status: 'FAILED',
              targetArn: 'arn:aws:lambda:us-east-1:123456789012:function:cruddur-prod-release-verifier',
            },
          ],
        }),
      ],
      {
        FilterLogEvents: (body) => ({
          events: [
            {
              message: JSON.stringify({
                service: 'cruddur-prod-backend',
                revision: REVISION,
                hookStatus: 'FAILED',
                results: [
                  { method: 'GET', path: '/api/health-check', expected: 200, status: 200, ms: 12 },
                  {
                    method: 'GET',
                    path: '/api/activities/home',
                    expected: 200,
                    status: 500,
                    ms: 34,
                    problem: 'answered 500, expected 200',
                  },
                ],
              }),
            },
          ].filter(
            () =>
              body.logGroupName === '/berth/cruddur/prod/release-verifier' &&
              body.filterPattern === `"${REVISION}"`,
          ),
        }),
      },
    );
    expect(reports[0]!.why).toEqual([
      'verify GET /api/activities/home through the test listener: answered 500, expected 200 (34 ms)',
    ]);
  });

  it('ignores a deployment older than the deploy, and goes on with a warning when ECS cannot be read', async () => {
    const old = deployment({ status: 'SUCCESSFUL', createdAt: now() - 3600 });
    expect((await watchThrough([old])).reports[0]).toEqual({
      service: 'backend',
      ecsService: 'cruddur-prod-backend',
      failed: false,
      why: [],
    });
    // Several polls of an ECS that cannot be read: one warning, and the watch goes on.
    const { events, reports } = await watchUntil({}, 'ListServiceDeployments', 3);
    expect(reports[0]!.failed).toBe(false);
    expect(events.filter((e) => e.code === 'aws.release.unreadable')).toHaveLength(1);
  });

  it('waits quietly for a service CloudFormation has not created yet (a first deploy)', async () => {
    const { events, reports } = await watchUntil(
      {
        ListServiceDeployments: () => ({ __type: 'ServiceNotFoundException', message: 'Service not found.' }),
      },
      'ListServiceDeployments',
      3,
    );
    expect(reports).toEqual([
      { service: 'backend', ecsService: 'cruddur-prod-backend', failed: false, why: [] },
    ]);
    expect(events).toEqual([]);
  });
});

describe('berth rollback', () => {
  const TD = (n: number, family = 'cruddur-prod-backend') =>
    `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${n}`;
  // Each service's family is its name; revision 7 runs, 6 and 5 came before.
  const taskDefinitions: Script = {
    DescribeServices: (body) => ({
      services: [{ serviceName: body.services[0], taskDefinition: TD(7, body.services[0]) }],
    }),
    ListTaskDefinitions: (body) => ({
      taskDefinitionArns: [TD(7, body.familyPrefix), TD(6, body.familyPrefix), TD(5, body.familyPrefix)],
    }),
    UpdateService: () => ({ service: {} }),
  };

  it("stops a release in flight with ECS's ROLLBACK: blue still runs and takes the traffic back", async () => {
    script = {
      ListServiceDeployments: listed,
      DescribeServiceDeployments: () => deployment({ lifecycleStage: 'BAKE_TIME', production: 100 }),
      StopServiceDeployment: () => ({ serviceDeploymentArn: ARN }),
    };
    const api = sdkReleaseApi(config);
    const result = await rollback(config, { api, notify: () => {}, service: 'backend' });
    api.destroy();
    expect(result.services).toEqual([{ service: 'backend', action: 'stopped-release', deploymentArn: ARN }]);
    expect(standIn.calls.find((c) => c.target.endsWith('StopServiceDeployment'))?.body).toEqual({
      serviceDeploymentArn: ARN,
      stopType: 'ROLLBACK',
    });
    expect(standIn.calls.some((c) => c.target.endsWith('UpdateService'))).toBe(false);
  });

  it('after a finished release (or for a rolling service), deploys the task definition registered before the current one', async () => {
    script = {
      ListServiceDeployments: listed,
      DescribeServiceDeployments: () => deployment({ status: 'SUCCESSFUL', production: 100 }),
      ...taskDefinitions,
    };
    const api = sdkReleaseApi(config);
    const result = await rollback(config, { api, notify: () => {} });
    api.destroy();
    expect(result.services.map((s) => [s.service, s.action, s.to?.split('/').pop()])).toEqual([
      ['backend', 'previous-task-definition', 'cruddur-prod-backend:6'],
      ['frontend', 'previous-task-definition', 'cruddur-prod-frontend:6'],
    ]);
    const updates = standIn.calls.filter((c) => c.target.endsWith('UpdateService')).map((c) => c.body);
    expect(updates).toEqual([
      { cluster: 'cruddur-prod', service: 'cruddur-prod-backend', taskDefinition: TD(6) },
      {
        cluster: 'cruddur-prod',
        service: 'cruddur-prod-frontend',
        taskDefinition: TD(6, 'cruddur-prod-frontend'),
      },
    ]);
    expect(renderRollback(result)).toContain('previous task definition deploying');
  });

  it('says there is nothing to roll back to when the current task definition is the first', async () => {
    script = {
      ...taskDefinitions,
      ListTaskDefinitions: () => ({ taskDefinitionArns: [TD(7, 'cruddur-prod-frontend')] }),
    };
    const api = sdkReleaseApi(config);
    const result = await rollback(config, { api, notify: () => {}, service: 'frontend' });
    api.destroy();
    expect(result.services).toEqual([
      { service: 'frontend', action: 'nothing-earlier', from: TD(7, 'cruddur-prod-frontend') },
    ]);
  });

  it('refuses an unknown service before calling AWS', async () => {
    const api = sdkReleaseApi(config);
    await expect(rollback(config, { api, notify: () => {}, service: 'nope' })).rejects.toThrow(
      "no service 'nope' in this config (services: backend, frontend)",
    );
    api.destroy();
    expect(standIn.calls).toEqual([]);
  });
});

describe('berth status --stage on a canary service', () => {
  it("shows the release's stage, the traffic split and each rollback alarm's state", async () => {
    script = {
      ListServiceDeployments: listed,
      DescribeServiceDeployments: () =>
        deployment({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', production: 10 }),
      DescribeAlarms: (body) => ({
        MetricAlarms: body.AlarmNames.map((name: string) => ({ AlarmName: name, StateValue: 'OK' })),
      }),
    };
    const api = sdkReleaseApi(config);
    const status = await releaseStatus(api, config, backend);
    api.destroy();
    expect(status).toMatchObject({ strategy: 'canary', phase: 'shifting', productionPercent: 10 });
    expect(renderReleaseStatus('backend', status)).toBe(
      [
        'backend (canary): shifting: 10% of production on green',
        '  alarms: cruddur-prod-backend-release-error-rate OK, cruddur-prod-backend-release-p99 OK',
      ].join('\n'),
    );
  });
});

describe('release phases', () => {
  const view = (status: string, lifecycleStage?: string): ServiceDeploymentView => ({
    arn: ARN,
    status,
    ...(lifecycleStage ? { lifecycleStage } : {}),
    hooks: [],
  });
  it.each([
    ['IN_PROGRESS', 'PRE_SCALE_UP', 'starting'],
    ['IN_PROGRESS', 'TEST_TRAFFIC_SHIFT', 'test-traffic'],
    ['IN_PROGRESS', 'POST_PRODUCTION_TRAFFIC_SHIFT', 'shifting'],
    ['IN_PROGRESS', 'BAKE_TIME', 'baking'],
    ['IN_PROGRESS', 'CLEAN_UP', 'cleaning-up'],
    ['SUCCESSFUL', undefined, 'done'],
    ['ROLLBACK_REQUESTED', undefined, 'rolling-back'],
    ['ROLLBACK_SUCCESSFUL', undefined, 'rolled-back'],
    ['ROLLBACK_FAILED', undefined, 'rollback-failed'],
    ['STOPPED', undefined, 'stopped'],
  ])('%s at %s is %s', (status, stage, phase) => {
    expect(releaseProgress(view(status, stage)).phase).toBe(phase);
  });
});
