import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootstrap,
  deploy,
  type AwsEvent,
  type ReleaseApi,
  type ServiceDeploymentView,
  type TemplateTransform,
} from '../../src/aws/index.ts';
import { renderDeploy } from '../../src/cli/aws-render.ts';
import { cruddur } from '../fixtures.ts';
import { motoStandIns, motoSteps, startMotoAccount, type MotoAccount } from '../support/moto-aws.ts';

/**
 * `berth deploy` of a stage with a canary backend, the stacks created in moto, while the ECS
 * deployment ECS would run meanwhile is played by an injected ReleaseApi (moto 5.2.1 has no
 * service deployments; the SDK side of that API is tested against a stand-in in release.test.ts).
 * Proves the wiring: the stages arrive as progress during the app stack, and a rollback fails the
 * deploy with its reason although CloudFormation reported success.
 */
const config = cruddur((c) => ({
  ...c,
  services: { ...c.services, backend: { ...c.services.backend!, release: { strategy: 'canary' } } },
}));

let account: MotoAccount;
let transform: TemplateTransform;
beforeAll(async () => {
  account = await startMotoAccount();
  ({ transform } = await motoStandIns(account, config));
  await bootstrap(config, { notify: () => {} });
}, 120_000);
afterAll(() => account?.stop());

const REASON =
  'Threshold Crossed: 2 out of the last 3 datapoints [9.1 (06/12/26 13:01:00), 7.4 (06/12/26 13:00:00)] were greater than the threshold (5.0)';

/** A canary that reaches 10% and is rolled back on the 5xx-rate alarm; the last state repeats. */
function rolledBackCanary(): ReleaseApi & { asked: string[] } {
  const at = (fields: Partial<ServiceDeploymentView>): ServiceDeploymentView => ({
    arn: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/cruddur-prod/cruddur-prod-backend/d-1',
    status: 'IN_PROGRESS',
    createdAt: new Date(),
    hooks: [],
    ...fields,
  });
  const states = [
    at({ lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT', productionPercent: 0 }),
    at({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', productionPercent: 10 }),
    at({
      status: 'ROLLBACK_SUCCESSFUL',
      productionPercent: 0,
      alarms: { status: 'TRIGGERED', names: [], triggered: ['cruddur-prod-backend-release-error-rate'] },
    }),
  ];
  const asked: string[] = [];
  return {
    asked,
    async latestDeployment(service) {
      asked.push(service);
      return states[Math.min(asked.length - 1, states.length - 1)];
    },
    async alarms(names) {
      return names.map((name) => ({ name, state: 'ALARM', reason: REASON }));
    },
    async verifierRecords() {
      return [];
    },
    async stopWithRollback() {},
    async taskDefinitions() {
      return {};
    },
    async deployTaskDefinition() {},
    destroy() {},
  };
}

describe('berth deploy of a canary service', () => {
  it('streams the release stages during the app stack, then fails with the alarm that rolled it back', async () => {
    const events: AwsEvent[] = [];
    const api = rolledBackCanary();
    const result = await deploy(config, {
      steps: motoSteps(account),
      notify: (e) => events.push(e),
      method: 'direct',
      lint: false,
      transform,
      rollout: { intervalMs: 200, timeoutMs: 20_000 },
      release: { api, intervalMs: 20 },
    });
    expect(result.ok).toBe(false);
    expect(result.failure?.step).toBe('app');
    expect(result.failure?.message).toBe(
      `backend: ECS rolled the release back, the previous version keeps serving: alarm cruddur-prod-backend-release-error-rate: ${REASON}`,
    );
    // Only the traffic-shifting service is followed.
    expect(new Set(api.asked)).toEqual(new Set(['cruddur-prod-backend']));
    const stages = events.filter((e) => e.code === 'aws.release.stage').map((e) => e.message);
    expect(stages).toEqual([
      'backend: test traffic on green, verifying through the test listener',
      'backend: shifting: 10% of production on green',
      'backend: rolled back: blue serves all traffic again',
    ]);
    // The stages came while the app stack was being deployed, after its step started.
    const appStart = events.findIndex((e) => e.code === 'aws.step.start' && e.data?.step === 'app');
    expect(events.findIndex((e) => e.code === 'aws.release.stage')).toBeGreaterThan(appStart);
    const text = renderDeploy(result);
    expect(text).toContain('backend rolled back:');
    expect(text).toContain(`Deploy of stage prod (account 123456789012, us-east-1) failed at app:`);
  }, 240_000);
});
