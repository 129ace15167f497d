import { createHash } from 'node:crypto';
import { attachUpgradeProtocol } from './attach-frames.js';

/**
 * How `paas run` asks for its connection. Two Upgrade protocols are spoken: `tcp` (Docker's attach
 * name, POST with a JSON body) and `websocket`, so proxies and load balancers that pass WebSocket
 * upgrades (and only those) carry it: a GET with the JSON request base64url-encoded in the
 * `Paas-Run` header (strict WebSocket proxies refuse other methods and bodies), or a POST with a
 * body when the request is too large for a header. After the 101 the connection carries attach
 * frames either way.
 */
export const attachWebSocketProtocol = 'websocket';
export type AttachProtocol = typeof attachUpgradeProtocol | typeof attachWebSocketProtocol;

/** The request header carrying a GET's run request. */
export const attachRequestHeader = 'paas-run';
/** Larger requests go in a POST body (headers stay well under servers' 16 KiB limits). */
export const maxAttachRequestHeaderBytes = 8 * 1024;

/** The protocol an `Upgrade` header asks for, when it is one spoken here. */
export function attachProtocolOf(upgrade: string | undefined): AttachProtocol | undefined {
  const asked = (upgrade ?? '').split(',').map((p) => p.trim().toLowerCase());
  if (asked.includes(attachWebSocketProtocol)) return attachWebSocketProtocol;
  if (asked.includes(attachUpgradeProtocol)) return attachUpgradeProtocol;
  return undefined;
}

export function encodeAttachRequestHeader(body: string): string {
  return Buffer.from(body, 'utf8').toString('base64url');
}

/** The JSON text of a `Paas-Run` header; undefined when it is not base64url. */
export function decodeAttachRequestHeader(value: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(value)) return undefined;
  return Buffer.from(value, 'base64url').toString('utf8');
}

/** RFC 6455's Sec-WebSocket-Accept for a Sec-WebSocket-Key. */
export function webSocketAccept(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

/** The 101 answer's head for `protocol` (with Sec-WebSocket-Accept when the client sent a key). */
export function attachSwitchHead(protocol: AttachProtocol, processHeader: string, processName: string, webSocketKey?: string): string {
  const accept = protocol === attachWebSocketProtocol && webSocketKey ? `Sec-WebSocket-Accept: ${webSocketAccept(webSocketKey)}\r\n` : '';
  return `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${protocol}\r\n${accept}${processHeader}: ${processName}\r\n\r\n`;
}
