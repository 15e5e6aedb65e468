import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../src/settings.ts';

function problemsFor(env: Record<string, string>): readonly string[] {
  try {
    loadSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadSettings', () => {
  it('fills every default from an empty environment', () => {
    expect(loadSettings({})).toEqual({
      port: 4567,
      host: '0.0.0.0',
      nodeEnv: 'development',
      corsOrigins: [],
      activitiesTable: undefined,
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
    });
  });

  it('reads every variable', () => {
    expect(
      loadSettings({
        PORT: '8080',
        HOST: '127.0.0.1',
        NODE_ENV: 'production',
        FRONTEND_URL: 'https://cruddur.example.com',
        ACTIVITIES_TABLE: 'cruddur-activities',
        LOG_LEVEL: 'debug',
        SHUTDOWN_TIMEOUT_MS: '25000',
      }),
    ).toEqual({
      port: 8080,
      host: '127.0.0.1',
      nodeEnv: 'production',
      corsOrigins: ['https://cruddur.example.com'],
      activitiesTable: 'cruddur-activities',
      logLevel: 'debug',
      shutdownTimeoutMs: 25_000,
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadSettings({ PORT: '', ACTIVITIES_TABLE: '', FRONTEND_URL: '' })).toMatchObject({
      port: 4567,
      activitiesTable: undefined,
      corsOrigins: [],
    });
  });

  it('reduces each FRONTEND_URL entry to its origin, ignoring spaces and a trailing slash', () => {
    expect(
      loadSettings({ FRONTEND_URL: ' https://Cruddur.Example.com/ ,http://localhost:3000,' }).corsOrigins,
    ).toEqual(['https://cruddur.example.com', 'http://localhost:3000']);
  });

  it('accepts FRONTEND_URL=* outside production', () => {
    expect(loadSettings({ FRONTEND_URL: '*', NODE_ENV: 'development' }).corsOrigins).toBe('*');
  });

  it.each([
    ['PORT', 'abc', 'PORT: "abc" is not a port; use an integer 1..65535'],
    ['PORT', '0', 'PORT: "0" is not a port; use an integer 1..65535'],
    ['PORT', '65536', 'PORT: "65536" is not a port; use an integer 1..65535'],
    ['PORT', '80.5', 'PORT: "80.5" is not a port; use an integer 1..65535'],
    ['PORT', ' 80', 'PORT: " 80" is not a port; use an integer 1..65535'],
    [
      'HOST',
      'local host',
      'HOST: "local host" is not an address; use an IP address or host name such as 0.0.0.0',
    ],
    ['NODE_ENV', 'prod', 'NODE_ENV: "prod" is not supported; use one of development, production, test'],
    [
      'FRONTEND_URL',
      'cruddur.example.com',
      'FRONTEND_URL: "cruddur.example.com" is not an origin with an http:// or https:// scheme; use e.g. https://cruddur.example.com',
    ],
    [
      'FRONTEND_URL',
      'https://ok.example.com,ftp://files.example.com',
      'FRONTEND_URL: "ftp://files.example.com" is not an origin with an http:// or https:// scheme; use e.g. https://cruddur.example.com',
    ],
    [
      'FRONTEND_URL',
      'https://cruddur.example.com/app',
      'FRONTEND_URL: "https://cruddur.example.com/app" has a path; use the origin alone: https://cruddur.example.com',
    ],
    [
      'FRONTEND_URL',
      '*,https://cruddur.example.com',
      'FRONTEND_URL: "*,https://cruddur.example.com" mixes "*" with origins; use "*" alone or list origins',
    ],
    [
      'ACTIVITIES_TABLE',
      'my table',
      'ACTIVITIES_TABLE: "my table" is not a DynamoDB table name; use 3..255 characters of A-Z, a-z, 0-9, _, - and .',
    ],
    [
      'LOG_LEVEL',
      'verbose',
      'LOG_LEVEL: "verbose" is not supported; use one of fatal, error, warn, info, debug, trace, silent',
    ],
    [
      'SHUTDOWN_TIMEOUT_MS',
      '10s',
      'SHUTDOWN_TIMEOUT_MS: "10s" is not a timeout; use an integer 1..120000 (milliseconds)',
    ],
    [
      'SHUTDOWN_TIMEOUT_MS',
      '0',
      'SHUTDOWN_TIMEOUT_MS: "0" is not a timeout; use an integer 1..120000 (milliseconds)',
    ],
  ])('refuses %s=%j with one line naming it and the fix', (name, value, line) => {
    expect(problemsFor({ [name]: value })).toEqual([line]);
  });

  it('keeps a value with a line break on one line', () => {
    const [line] = problemsFor({ PORT: '80\nEVIL=1' });

    expect(line).toBe('PORT: "80\\nEVIL=1" is not a port; use an integer 1..65535');
  });

  it('refuses FRONTEND_URL=* in production', () => {
    expect(problemsFor({ FRONTEND_URL: '*', NODE_ENV: 'production' })).toEqual([
      'FRONTEND_URL: "*" lets every website call the API and is refused when NODE_ENV=production; list the frontend origins, e.g. https://cruddur.example.com',
    ]);
  });

  it('reports each bad variable on its own line', () => {
    expect(problemsFor({ PORT: 'abc', LOG_LEVEL: 'loud' }).map((line) => line.split(':')[0])).toEqual([
      'PORT',
      'LOG_LEVEL',
    ]);
  });
});
