import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { App } from '../../src/app/app.tsx';
import { PAGE_SIZE } from '../../src/app/feed/index.ts';
import { activity, fakeBackend, type FakeBackendOptions } from './fake-backend.ts';

// Newest first, as the backend sends them.
const seeded = [
  activity(3, { handle: 'andrew', message: 'Shipping the frontend today' }),
  activity(2, { handle: 'bayko', message: 'Coffee first' }),
  activity(1, { handle: 'londo', message: 'Hello, Cruddur' }),
];

function renderApp(options: FakeBackendOptions = {}) {
  const backend = fakeBackend({ config: { backendUrl: 'http://api.test' }, activities: seeded, ...options });
  vi.stubGlobal('fetch', backend.fetch);
  const user = userEvent.setup();
  render(<App />);
  return { backend, user };
}

async function feedMessages(): Promise<string[]> {
  const list = await screen.findByRole('list', { name: /activities/i });
  return within(list)
    .getAllByRole('article')
    .map((article) => article.querySelector('.activity__message')?.textContent ?? '');
}

describe('home feed', () => {
  it('shows activities newest first', async () => {
    renderApp();

    expect(await feedMessages()).toEqual(['Shipping the frontend today', 'Coffee first', 'Hello, Cruddur']);
    expect(screen.getByRole('article', { name: '@andrew' })).toBeInTheDocument();
    expect(screen.getByText("You're all caught up.")).toBeInTheDocument();
  });

  it('appends the next page when Load more is pressed', async () => {
    const many = Array.from({ length: PAGE_SIZE + 5 }, (_, i) => activity(PAGE_SIZE + 5 - i));
    const { backend, user } = renderApp({ activities: many });
    expect(await feedMessages()).toHaveLength(PAGE_SIZE);

    await user.click(screen.getByRole('button', { name: 'Load more' }));

    await waitFor(async () => expect(await feedMessages()).toHaveLength(PAGE_SIZE + 5));
    expect(await feedMessages()).toEqual(many.map((a) => a.message));
    expect(backend.calls()).toContain(
      `GET http://api.test/api/activities/home?limit=${PAGE_SIZE}&before=act-6`,
    );
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('shows an empty state when there is nothing yet', async () => {
    renderApp({ activities: [] });

    expect(await screen.findByText(/no activities yet/i)).toBeInTheDocument();
  });
});

describe('posting', () => {
  it('puts the new activity at the top of the feed and clears the message', async () => {
    const { user } = renderApp();
    await feedMessages();

    await user.type(screen.getByLabelText('Handle'), 'new_crew');
    await user.type(screen.getByLabelText('Message'), 'First post from the form');
    expect(screen.getByText('24 / 280')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Post' }));

    await waitFor(async () => expect((await feedMessages())[0]).toBe('First post from the form'));
    expect(screen.getByRole('article', { name: '@new_crew' })).toBeInTheDocument();
    expect(screen.getByLabelText('Message')).toHaveValue('');
    expect(screen.getByText('0 / 280')).toBeInTheDocument();
    expect(screen.getByText('Posted.')).toBeInTheDocument();
  });

  it("sends an over-long message and shows the server's error next to the message field", async () => {
    const { backend, user } = renderApp();
    await feedMessages();

    await user.type(screen.getByLabelText('Handle'), 'andrew');
    await user.click(screen.getByLabelText('Message'));
    await user.paste('x'.repeat(281));
    expect(screen.getByText('281 / 280')).toHaveClass('field__count--over');
    await user.click(screen.getByRole('button', { name: 'Post' }));

    const message = screen.getByLabelText('Message');
    await waitFor(() => expect(message).toHaveAccessibleDescription(/Message must be 1-280 characters\./));
    expect(message).toHaveAttribute('aria-invalid', 'true');
    expect(message).toHaveFocus();
    expect(screen.getByLabelText('Handle')).not.toHaveAttribute('aria-invalid');
    expect(backend.calls()).toContain('POST http://api.test/api/activities');
    expect(await feedMessages()).toHaveLength(seeded.length);
  });

  it("shows the server's error next to the handle field", async () => {
    const { user } = renderApp();
    await feedMessages();

    await user.type(screen.getByLabelText('Handle'), 'No Spaces!');
    await user.type(screen.getByLabelText('Message'), 'hello');
    await user.click(screen.getByRole('button', { name: 'Post' }));

    const handle = screen.getByLabelText('Handle');
    await waitFor(() => expect(handle).toHaveAccessibleDescription(/Handle must be 3-20/));
    expect(handle).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Message')).toHaveValue('hello');
  });
});

describe('backend down', () => {
  it('shows an error with a retry, and the footer says the API is unreachable', async () => {
    const { backend, user } = renderApp({ down: true });

    const feed = await screen.findByRole('region', { name: 'Home' });
    const error = await within(feed).findByRole('alert');
    expect(error).toHaveTextContent("The feed couldn't be loaded.");
    expect(error).toHaveTextContent("Can't reach the API at http://api.test.");
    expect(await screen.findByText('API: unreachable')).toBeInTheDocument();

    backend.setDown(false);
    await user.click(screen.getByRole('button', { name: 'Retry' }));

    expect(await feedMessages()).toHaveLength(seeded.length);
    expect(await screen.findByText('API: healthy')).toBeInTheDocument();
  });
});

describe('backend URL', () => {
  it('calls the backend named by /config.json', async () => {
    const { backend } = renderApp({ config: { backendUrl: 'https://api.staging.example.com/' } });

    await feedMessages();
    expect(backend.calls()).toContain(
      `GET https://api.staging.example.com/api/activities/home?limit=${PAGE_SIZE}`,
    );
    expect(screen.getByText('https://api.staging.example.com')).toBeInTheDocument();
  });

  it('calls api.<page host> when /config.json is missing', async () => {
    const { backend } = renderApp({ config: undefined });

    await feedMessages();
    expect(backend.calls()).toContain(`GET http://api.localhost:3000/api/activities/home?limit=${PAGE_SIZE}`);
    expect(await screen.findByText('API: healthy')).toBeInTheDocument();
  });
});
