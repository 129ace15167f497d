import type net from 'node:net';
import { handleOf, setReading, type NativeHttp, type OnHeadersComplete } from './native-http-parser.js';
import type { ResponseReader, ResponseReaderFactory, ResponseSink } from './response-reader.js';

/**
 * The native codec's response reader: node's parser reads the socket's handle (created by connect)
 * itself, as node's own server does: no 'data' events, no buffer per read. Node starts reading once
 * connected; the socket's stream still reports the end, errors and the close. Backpressure stops and
 * starts the handle's reads.
 */
export function nativeResponseReader(native: NativeHttp): ResponseReaderFactory {
  const P = native.HTTPParser;
  return (socket: net.Socket, sink: ResponseSink): ResponseReader => {
    const handle = handleOf(socket);
    if (!handle) {
      socket.destroy(); // never (connect makes the handle): reported as a connection closed while opening
      return { pause() {}, resume() {}, finish() {}, close() {} };
    }
    const parser = new P();
    parser.initialize(P.RESPONSE, {}, 0, 0);
    /** Fields of a head too long for one parser call (kOnHeaders), until kOnHeadersComplete. */
    let fields: string[] | undefined;
    parser[P.kOnHeaders] = (more: string[]) => {
      fields = fields ? fields.concat(more) : more;
    };
    const onHead: OnHeadersComplete = (_major, _minor, headers, _method, _url, statusCode, statusMessage, upgrade, keepAlive) => {
      const all = headers ?? fields ?? [];
      fields = undefined;
      return sink.onHead(statusCode, statusMessage, all, upgrade, keepAlive) ? 1 : 0;
    };
    parser[P.kOnHeadersComplete] = onHead;
    parser[P.kOnBody] = (chunk: Buffer) => sink.onBody(chunk);
    parser[P.kOnMessageComplete] = () => sink.onComplete();
    parser[P.kOnExecute] = (result: number | Error) => {
      if (typeof result !== 'number') sink.onParseError(result);
    };
    parser.consume(handle);
    return {
      pause: () => setReading(handle, false),
      resume: () => setReading(handle, true),
      finish: () => void parser.finish(),
      close: () => {
        parser.unconsume();
        parser.close();
      },
    };
  };
}
