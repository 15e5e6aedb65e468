import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up, type LocalRun } from '../../src/local/index.ts';
import { launchChromium } from '../support/browser.ts';
import { cleanup, cruddurConfig, taskPids, tempDir } from './helpers.ts';

// What a person sees after `npm start`: the page on https://cruddur.localhost:PORT calls
// https://api.cruddur.localhost:PORT through the edge (its default backend URL), with CORS and CSP.
describe('berth up in a browser: the app works through the edge', () => {
  const dir = tempDir('browser');
  let run: LocalRun;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    run = await up(await cruddurConfig(dir), { httpPort: 0, httpsPort: 0, discoveryPorts: 'free' });
    browser = await launchChromium();
    // The local CA is not installed in this browser; the certificate chain is tested elsewhere.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    // Chromium resolves every name under .localhost to 127.0.0.1 by itself.
    await page.goto(run.status().services.find((s) => s.id === 'frontend')!.urls[0]!);
  });

  afterAll(async () => {
    const pids = run ? taskPids(run.status()) : [];
    await browser?.close();
    await run?.stop();
    cleanup(dir, pids);
  });

  it('shows the feed and the API health from api.cruddur.localhost', async () => {
    await page
      .getByRole('list', { name: /activities/i })
      .getByRole('article')
      .first()
      .waitFor();
    await page.getByText('API: healthy').waitFor();
  });

  it('posts an activity through the edge', async () => {
    await page.getByLabel('Handle').fill('edge_tester');
    await page.getByLabel('Message').fill('sent through the local edge');
    await page.getByRole('button', { name: 'Post' }).click();
    await page.getByText('sent through the local edge').waitFor();
    expect(problems).toEqual([]);
  });
});
