import { describe, expect, it } from 'vitest';
import type { AwsEvent } from '../../src/aws/events.ts';
import { renderProgress, renderScanFindings, renderVerify } from '../../src/cli/operate-render.ts';

// The CLI's lines for the AWS core's events and results, from recorded values (no stdout capture).

describe('renderProgress', () => {
  it('prints one line per event, marked by level, and keeps debug quiet', () => {
    const recorded: AwsEvent[] = [
      {
        level: 'info',
        code: 'aws.publish.login',
        message: 'logging in to 123456789012.dkr.ecr.us-east-1.amazonaws.com',
      },
      {
        level: 'warn',
        code: 'aws.publish.tag',
        message: '/tmp/app is not in a git repository: tagging api build-0123456789ab (from the image id)',
      },
      {
        level: 'error',
        code: 'aws.verify.failed',
        message: 'backend: https://api.example.com/health not healthy after 3 tries: HTTP 503',
      },
      { level: 'debug', code: 'aws.logs.poll', message: 'read 0 new events' },
    ];
    expect(recorded.map(renderProgress)).toEqual([
      '· logging in to 123456789012.dkr.ecr.us-east-1.amazonaws.com',
      '! /tmp/app is not in a git repository: tagging api build-0123456789ab (from the image id)',
      'x backend: https://api.example.com/health not healthy after 3 tries: HTTP 503',
      undefined,
    ]);
  });
});

describe('renderScanFindings', () => {
  it('says so when there is nothing to show', () => {
    expect(renderScanFindings({ blocked: false, findings: [] }, 'CRITICAL')).toBe('No scan findings.');
  });

  it('lists findings below the level without stopping', () => {
    const text = renderScanFindings(
      {
        blocked: false,
        findings: [
          {
            service: 'backend',
            severity: 'MEDIUM',
            name: 'CVE-2026-0003',
            packageName: 'tar',
            packageVersion: '1.34',
          },
        ],
      },
      'HIGH',
    );
    expect(text).toBe(
      [
        'severity  service  package  version  fixed in  CVE',
        '--------  -------  -------  -------  --------  -------------',
        'MEDIUM    backend  tar      1.34     -         CVE-2026-0003',
        '',
        'No finding reaches --fail-on HIGH (1 below it).',
      ].join('\n'),
    );
  });

  it('names the gate when a scan did not complete', () => {
    expect(renderScanFindings({ blocked: true, findings: [] }, 'CRITICAL')).toBe(
      'The scan gate is closed (--fail-on CRITICAL): a scan did not complete; see above.',
    );
  });
});

describe('renderVerify', () => {
  it('shows each URL with its answer, tries and time', () => {
    expect(
      renderVerify({
        ok: true,
        checks: [
          {
            service: 'backend',
            url: 'https://api.example.com/api/health-check',
            status: 200,
            attempts: 3,
            ok: true,
            ms: 6_120,
          },
        ],
      }),
    ).toBe(
      [
        'service  url                                       result  tries  time',
        '-------  ----------------------------------------  ------  -----  -----',
        'backend  https://api.example.com/api/health-check  200 ok  3      6.1 s',
      ].join('\n'),
    );
  });
});
