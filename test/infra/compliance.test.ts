import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { check, findingsFromValidationReport, lintTemplates } from '../../src/checks/index.ts';
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
      'cfn-lint',
    ]);
    for (const ack of result.acknowledged)
      expect(ack.reason.length, `${ack.rule} on ${ack.resource}`).toBeGreaterThan(30);
  });

  it('lists the log-retention exception only while retention is below a year', async () => {
    const cheap = await check(cruddur(), { skipLint: true });
    expect(cheap.acknowledged.map((a) => a.rule)).toContain('cloudwatch_log_group_retention_period_check');
    const compliant = await check(
      cruddur((c) => ({ ...c, logs: { retentionDays: 365 } })),
      { skipLint: true },
    );
    expect(compliant.findings).toEqual([]);
    expect(compliant.acknowledged.map((a) => a.rule)).not.toContain(
      'cloudwatch_log_group_retention_period_check',
    );
  });

  it.each(EGRESS_STRATEGIES)('passes with egress %s', async (egress) => {
    const result = await check(cruddur((c) => ({ ...c, network: { egress } })));
    expect(result.findings).toEqual([]);
  });

  it('passes with WAF, GuardDuty and secrets on', async () => {
    const result = await check(
      cruddur((c) => {
        c.waf = true;
        c.guardDuty = true;
        c.services.backend!.secrets = { TOKEN: { secretsManager: 'cruddur/backend/token', field: 'value' } };
        return c;
      }),
    );
    expect(result.findings).toEqual([]);
  });

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
