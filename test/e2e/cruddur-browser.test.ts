import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/shared/net.ts';
import { CHROMIUM, launchChromium } from '../support/browser.ts';

/*
 * The cruddur example end to end in real headless Chromium: the compiled backend and the
 * compiled frontend server on loopback ports, the page finding the backend through
 * /config.json, CORS, and the frontend's CSP. Needs Debian's `chromium` package.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BACKEND_ENTRY = `${ROOT}examples/cruddur/backend/dist/server.js`;
const FRONTEND_ENTRY = `${ROOT}examples/cruddur/frontend/dist-server/server.js`;

interface Service {
  readonly name: string;
  readonly child: ChildProcess;
  /** stdout and stderr so far, to explain a failure to start. */
  output(): string;
}

function startService(name: string, entry: string, env: Record<string, string>): Service {
  const child = spawn(process.execPath, [entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString('utf8'));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return { name, child, output: () => output };
}

async function stopService(service: Service | undefined): Promise<void> {
  if (!service || service.child.exitCode !== null || service.child.signalCode !== null) return;
  const exited = once(service.child, 'exit');
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitForOk(service: Service, url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (service.child.exitCode !== null) {
      throw new Error(`${service.name} exited with ${service.child.exitCode}:\n${service.output()}`);
    }
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      throw new Error(`${service.name} did not answer ${url} within ${timeoutMs} ms:\n${service.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface ActivityJson {
  readonly handle: string;
  readonly message: string;
}

describe('cruddur in a browser', () => {
  let backend: Service | undefined;
  let frontend: Service | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let frontendUrl: string;
  let backendUrl: string;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    const missing = [BACKEND_ENTRY, FRONTEND_ENTRY, CHROMIUM].filter((file) => !existsSync(file));
    if (missing.length > 0) {
      throw new Error(
        `Missing ${missing.join(', ')}. Build with \`npm run build\` and install Chromium with ` +
          '`apt-get install -y chromium` (or set CHROMIUM_PATH).',
      );
    }

    const [backendPort, frontendPort] = [await freePort(), await freePort()];
    backendUrl = `http://127.0.0.1:${backendPort}`;
    frontendUrl = `http://127.0.0.1:${frontendPort}`;
    backend = startService('backend', BACKEND_ENTRY, {
      PORT: String(backendPort),
      HOST: '127.0.0.1',
      FRONTEND_URL: frontendUrl,
    });
    frontend = startService('frontend', FRONTEND_ENTRY, {
      PORT: String(frontendPort),
      HOST: '127.0.0.1',
      BACKEND_URL: backendUrl,
    });
    await Promise.all([
      waitForOk(backend, `${backendUrl}/api/health-check`),
      waitForOk(frontend, `${frontendUrl}/`),
    ]);

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
    });
    await page.goto(frontendUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([stopService(frontend), stopService(backend)]);
  });

  const feedItems = () => page.getByRole('list', { name: /activities/i }).getByRole('article');
  const firstMessage = () => feedItems().first().locator('.activity__message').textContent();

  it('renders the seeded feed, newest first, and reports the API healthy', async () => {
    const seeded = (await (await fetch(`${backendUrl}/api/activities/home?limit=3`)).json()) as {
      activities: ActivityJson[];
    };
    expect(seeded.activities.length).toBeGreaterThan(0);

    await feedItems().first().waitFor();
    const shown = await feedItems().locator('.activity__message').allTextContents();
    expect(shown.slice(0, seeded.activities.length)).toEqual(seeded.activities.map((a) => a.message));
    await page.getByText('API: healthy').waitFor();
  });

  it('puts a posted activity at the top of the feed', async () => {
    const message = `Posted from Chromium at ${new Date().toISOString()}`;

    await page.getByLabel('Handle').fill('e2e_tester');
    await page.getByLabel('Message').fill(message);
    await page.getByRole('button', { name: 'Post' }).click();

    await expect.poll(firstMessage).toBe(message);
    expect(await feedItems().first().locator('.activity__handle').textContent()).toBe('@e2e_tester');
    expect(await page.getByLabel('Message').inputValue()).toBe('');
  });

  // The form validates nothing itself (it only counts), so a 281-character message goes to
  // the backend and what the page shows is the backend's own field error.
  it("shows the backend's error next to the message field for a 281-character message", async () => {
    const before = await firstMessage();
    await page.getByLabel('Handle').fill('e2e_tester');
    await page.getByLabel('Message').fill('x'.repeat(281));
    expect(await page.getByText('281 / 280').count()).toBe(1);

    const [response] = await Promise.all([
      page.waitForResponse(
        (r) => r.url() === `${backendUrl}/api/activities` && r.request().method() === 'POST',
      ),
      page.getByRole('button', { name: 'Post' }).click(),
    ]);
    expect(response.status()).toBe(400);
    const { fields } = (await response.json()) as { fields?: { message?: string } };
    expect(fields?.message).toBeTruthy();

    const messageField = page.getByLabel('Message');
    await page.getByText(fields?.message ?? '', { exact: true }).waitFor();
    const describedBy = (await messageField.getAttribute('aria-describedby')) ?? '';
    const description = await Promise.all(
      describedBy.split(' ').map((id) => page.locator(`[id="${id}"]`).textContent()),
    );
    expect(description).toContain(fields?.message);
    expect(await messageField.getAttribute('aria-invalid')).toBe('true');
    expect(await firstMessage()).toBe(before);

    if (process.env.CRUDDUR_SCREENSHOT)
      await page.screenshot({ path: process.env.CRUDDUR_SCREENSHOT, fullPage: true });
  });

  it('loaded without Content Security Policy violations', () => {
    expect(cspViolations).toEqual([]);
  });
});
