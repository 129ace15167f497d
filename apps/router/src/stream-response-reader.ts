import type net from 'node:net';
import { ResponseParser } from './response-parser.js';
import type { ResponseReader, ResponseSink } from './response-reader.js';

/**
 * The node codec's response reader: the socket's public 'data' events into ResponseParser, and
 * pause()/resume() on the socket for backpressure.
 */
export function streamResponseReader(socket: net.Socket, sink: ResponseSink): ResponseReader {
  const parser = new ResponseParser(sink);
  socket.on('data', (data: Buffer) => {
    const err = parser.execute(data);
    if (err) sink.onParseError(err);
  });
  return {
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    finish: () => void parser.finish(),
    close: () => parser.close(),
  };
}
