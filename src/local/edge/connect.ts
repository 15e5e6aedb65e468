import type { Socket } from 'node:net';
import { buildConnector } from 'undici';

/**
 * Errors a write gets when the target has closed its side: it answered early (a 413 on a body
 * over its limit, a 401 on an upload) with `Connection: close` and stopped reading the body.
 */
const PEER_GONE = new Set(['EPIPE', 'ECONNRESET']);

const connector = buildConnector({});

/**
 * undici's connector for the target pools, with one change: a write that fails because the target
 * has stopped reading is dropped instead of destroying the connection. The target's early answer is
 * then still read and passed on, as the ALB does, where undici would otherwise fail the request
 * with EPIPE before it has parsed the answer already waiting in the socket (nodejs/node#12339 is
 * the same race in node:http). A target that closes without answering still ends in an error:
 * the read side sees the reset or the end before any answer, and undici reports it.
 */
export function connectToTarget(options: buildConnector.Options, callback: buildConnector.Callback): void {
  connector(options, (...result) => {
    if (result[1]) keepReadingAfterPeerStopsReading(result[1]);
    callback(...result);
  });
}

type WriteCallback = (error?: Error | null) => void;

function keepReadingAfterPeerStopsReading(socket: Socket): void {
  const tolerant =
    (callback: WriteCallback): WriteCallback =>
    (error) =>
      callback(error && PEER_GONE.has((error as NodeJS.ErrnoException).code ?? '') ? null : error);
  // Writable's implementation methods: the stream reports a failed write only through their callback.
  const stream = socket as unknown as {
    _write(chunk: unknown, encoding: BufferEncoding, callback: WriteCallback): void;
    _writev(chunks: unknown[], callback: WriteCallback): void;
  };
  const write = stream._write;
  const writev = stream._writev;
  stream._write = (chunk, encoding, callback) => write.call(socket, chunk, encoding, tolerant(callback));
  stream._writev = (chunks, callback) => writev.call(socket, chunks, tolerant(callback));
}
