import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { check, findingsFromValidationReport, lintTemplates } from '../../src/checks/index.ts';
import { stripControlIds } from '../../src/checks/validation-report.ts';
import { EGRESS_STRATEGIES } from '../../src/config/index.ts';
import { synth } from '../../src/infra/index.ts';
import { cruddur } from '../fixtures.ts';

describe('berth check on the reference deployment', () => {
  it('passes every pack, every Control Tower control and cfn-lint, with each acknowledgement explained', async () => {
    const result = await check(cruddur());
    expect(result.findings).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.ran).toEqual([
      'cdk-nag AwsSolutions',
      'cdk-nag NIST.800.53.R5',
      'cdk-nag HIPAA.Security',
      'cdk-nag PCI.DSS.321',
      'Control Tower proactive controls (cfn-guard)',
      expect.stringMatching(/^reachability \(\d+ network paths\)$/),
      'cfn-lint',
    ]);
    expect(result.reachability.length).toBeGreaterThan(0);
    expect(result.reachability.filter((p) => !p.ok)).toEqual([]);
    for (const ack of result.acknowledged)
      expect(ack.reason.length, `${ack.rule} on ${ack.resource}`).toBeGreaterThan(30);
  });

  it('acknowledges short log retention on each log group below a year, not on the stack', async () => {
    // GIVEN the reference config with WAF on: app logs 1 day, security logs 90 days
    const cheap = await check(
      cruddur((c) => ({ ...c, waf: true })),
      { skipLint: true },
    );
    const retention = (r: typeof cheap) =>
      r.acknowledged.filter((a) => a.rule === 'cloudwatch_log_group_retention_period_check');
    // THEN each group carries its own acknowledgement, naming the field that sets it
    const on = retention(cheap).map((a) => a.resource);
    expect(on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^CruddurProd\/Backend\/Logs/),
        expect.stringMatching(/^CruddurProd\/Frontend\/Logs/),
        expect.stringMatching(/^CruddurProd\/Cluster\/InsightsLogs/),
        expect.stringMatching(/^CruddurProd\/DefaultSgCloserLogs/),
        expect.stringMatching(/^CruddurProd\/Edge\/WafLogs/),
      ]),
    );
    expect(on).not.toContain('CruddurProd');
    const waf = retention(cheap).find((a) => a.resource.startsWith('CruddurProd/Edge/WafLogs'))!;
    expect(waf.reason).toContain('logs.securityRetentionDays = 90');
    // WHEN only the app logs are raised to a year, THEN only the WAF group is still acknowledged
    const appYear = await check(
      cruddur((c) => ({ ...c, waf: true, logs: { retentionDays: 365 } })),
      { skipLint: true },
    );
    expect(appYear.findings).toEqual([]);
    expect(retention(appYear).map((a) => a.resource)).toEqual([
      expect.stringMatching(/^CruddurProd\/Edge\/WafLogs/),
    ]);
    // WHEN both are a year, THEN nothing is acknowledged and nothing is found
    const compliant = await check(
      cruddur((c) => ({ ...c, waf: true, logs: { retentionDays: 365, securityRetentionDays: 365 } })),
      { skipLint: true },
    );
    expect(compliant.findings).toEqual([]);
    expect(retention(compliant)).toEqual([]);
  });

  it('passes with traffic-shifting releases on (canary backend, blue-green frontend): test listener, alarms, verifier hook', async () => {
    const result = await check(
      cruddur((c) => ({
        ...c,
        services: {
          ...c.services,
          backend: {
            ...c.services.backend!,
            release: { strategy: 'canary', verify: [{ path: '/api/activities/home' }] },
          },
          frontend: { ...c.services.frontend!, release: { strategy: 'blue-green' } },
        },
      })),
    );
    expect(result.findings).toEqual([]);
    expect(result.ran).toContain('cfn-lint');
    const on = (prefix: string) => result.acknowledged.filter((a) => a.resource.startsWith(prefix));
    expect(on('CruddurProd/ReleaseVerifier/Function').map((a) => a.rule)).toContainEqual(
      expect.stringContaining('LambdaInsideVPC'),
    );
    expect(on('CruddurProd/Backend/ReleaseAlarms').map((a) => a.rule)).toContainEqual(
      expect.stringContaining('cloudwatch_alarm_action_check'),
    );
    for (const ack of result.acknowledged)
      expect(ack.reason.length, `${ack.rule} on ${ack.resource}`).toBeGreaterThan(30);
  }, 120_000);

  // Each synthesizes and runs every pack: up to a minute on a busy two-core machine.
  it.each(EGRESS_STRATEGIES)(
    'passes with egress %s, the network included',
    async (egress) => {
      const result = await check(cruddur((c) => ({ ...c, network: { egress } })));
      expect(result.findings).toEqual([]);
      expect(result.ran).toContainEqual(expect.stringMatching(/^reachability/));
    },
    120_000,
  );

  it('proves a declared call through the whole check: Service Connect and both security groups', async () => {
    const result = await check(
      cruddur((c) => {
        c.services.frontend!.calls = ['backend'];
        return c;
      }),
      { skipLint: true },
    );
    expect(result.findings).toEqual([]);
    expect(result.reachability).toContainEqual(
      expect.objectContaining({ rule: 'Reachability-ServiceCall', from: 'frontend', ok: true }),
    );
  });

  // Like the egress cases: the slowest synth, up to a minute on a busy two-core machine.
  it('passes with WAF, GuardDuty, exec and secrets on', async () => {
    const result = await check(
      cruddur((c) => {
        c.waf = true;
        c.guardDuty = true;
        c.exec = true;
        c.services.backend!.secrets = { TOKEN: { secretsManager: 'cruddur/backend/token', field: 'value' } };
        return c;
      }),
    );
    expect(result.findings).toEqual([]);
  }, 120_000);

  it('synthesizes byte-identical templates from the same config', () => {
    const a = synth(cruddur());
    const b = synth(cruddur());
    for (const stack of Object.keys(a.templates)) {
      expect(readFileSync(a.templates[stack]!, 'utf8')).toBe(readFileSync(b.templates[stack]!, 'utf8'));
    }
  });
});

describe('the checks report what they find', () => {
  it('reports a real departure in the config: an ALB without deletion protection', async () => {
    const result = await check(
      cruddur((c) => ({ ...c, alb: { deletionProtection: false } })),
      { skipLint: true },
    );
    expect(result.passed).toBe(false);
    expect(result.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          source: 'cdk-nag',
          rule: 'NIST.800.53.R5-ELBDeletionProtectionEnabled',
          resource: 'CruddurProd/Edge/Alb/Resource',
          severity: 'error',
        }),
        expect.objectContaining({
          source: 'control-tower',
          rule: expect.stringMatching(/^CT\.ELASTICLOADBALANCING\.PR\./),
        }),
      ]),
    );
  });

  it('turns a cdk-nag violation into a finding naming rule and resource', () => {
    const app = new App({
      outdir: mkdtempSync(path.join(os.tmpdir(), 'nag-')),
      context: { '@aws-cdk/core:failSynthOnValidationErrors': false },
    });
    const stack = new Stack(app, 'Bad');
    new s3.Bucket(stack, 'Plain');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    const findings = findingsFromValidationReport(report);
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          source: 'cdk-nag',
          rule: 'AwsSolutions-S10',
          resource: 'Bad/Plain/Resource',
          severity: 'error',
        }),
      ]),
    );
  });

  it('turns a cfn-lint error into a finding (a CPU size Fargate does not have)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lint-'));
    const file = path.join(dir, 'bad.template.json');
    writeFileSync(
      file,
      JSON.stringify({
        Resources: {
          Task: {
            Type: 'AWS::ECS::TaskDefinition',
            Properties: {
              RequiresCompatibilities: ['FARGATE'],
              NetworkMode: 'awsvpc',
              Cpu: '300',
              Memory: '512',
              ContainerDefinitions: [{ Name: 'app', Image: 'repo@sha256:' + 'a'.repeat(64) }],
            },
          },
        },
      }),
    );
    const findings = await lintTemplates([file]);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings[0]).toMatchObject({
      source: 'cfn-lint',
      severity: 'error',
      resource: expect.stringContaining('bad.template.json'),
    });
  });
});

describe("cdk-nag's list of control ids", () => {
  it('is cut at the parenthesis that closes it, not at the first one inside an id', () => {
    expect(
      stripControlIds(
        'The ALB does not have deletion protection enabled - (Control IDs: 164.308(a)(7)(i), 164.308(a)(7)(ii)(C)).',
      ),
    ).toBe('The ALB does not have deletion protection enabled');
    expect(stripControlIds('Logs are kept - (Control IDs: AU-9(2), SC-7). The rest stays.')).toBe(
      'Logs are kept The rest stays.',
    );
    expect(stripControlIds('No ids here.')).toBe('No ids here.');
  });
});
