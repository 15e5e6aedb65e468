// Runs a config file in a worker thread of its own, for loadConfig (load.ts): a config that calls
// process.exit ends this thread, not berth; one that hangs is terminated; what it prints is
// captured by the parent. Plain JavaScript, because a worker does not inherit tsx's hooks.
import { copyFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

/** What the config file exports, as the parent needs it: plain data, or why there is none. */
async function load({ url, importer }) {
  let mod;
  try {
    mod = await importAsWritten(url, importer);
  } catch (err) {
    return {
      kind: 'failed',
      message: err instanceof Error ? err.message : String(err),
      code: err?.code,
      url: err?.url,
    };
  }
  // A .ts file outside an ESM package loads as CommonJS, which nests the exports one level down.
  const nested = mod.default;
  let exports = mod;
  if (nested && typeof nested === 'object' && nested.__esModule) exports = nested;
  else if (nested && typeof nested === 'object' && 'default' in nested && Object.keys(nested).length === 1)
    exports = nested;
  const named = Object.keys(exports).filter(
    (k) => k !== 'default' && k !== '__esModule' && k !== 'module.exports',
  );
  // A file with no export at all, loaded as CommonJS, has an empty module.exports for a default.
  const nothing = exports === mod && isEmptyPlainObject(exports.default) && named.length === 0;
  if (nothing) return { kind: 'no-default', named, empty: true };
  if (exports.default === undefined) return { kind: 'no-default', named };
  if (typeof exports.default?.then === 'function') return { kind: 'promise' };
  return { kind: 'loaded', value: exports.default };
}

/**
 * tsx loads a .ts file outside an ESM package as CommonJS, where top-level await cannot be. A
 * config is an ES module whatever its package says: when that is why it failed, the same text is
 * loaded once more as a sibling .mts file (removed at once), which tsx loads as ESM. Only then, so
 * that a config relying on CommonJS (`__dirname`) loads as before.
 */
async function importAsWritten(url, importer) {
  try {
    return await tsImport(url, importer);
  } catch (err) {
    if (
      !/top-level await is currently not supported with the "cjs" output format/i.test(String(err?.message))
    )
      throw err;
    const file = fileURLToPath(url);
    const esm = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${threadId}.mts`);
    await copyFile(file, esm);
    try {
      return await tsImport(pathToFileURL(esm).href, importer);
    } catch (retry) {
      if (retry instanceof Error) retry.message = retry.message.replaceAll(esm, file);
      throw retry;
    } finally {
      await rm(esm, { force: true });
    }
  }
}

function isEmptyPlainObject(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Object.keys(value).length === 0
  );
}

/** What the config printed reaches the parent before the parent stops this worker. */
function flushed(stream) {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

const result = await load(workerData);
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
try {
  parentPort.postMessage(result);
} catch (err) {
  // Functions, classes with private state, symbols: a config is data that can be written as JSON.
  parentPort.postMessage({ kind: 'not-data', message: err instanceof Error ? err.message : String(err) });
}
