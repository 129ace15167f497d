/**
 * The benchmark's backend: a tiny node http server answering every request with a short text body
 * and an `x-backend` header naming it. Run as a child process: `node bench/router-backend.ts <port>
 * [name]`; prints `listening` when ready.
 */
import http from 'node:http';

const port = Number(process.argv[2]);
const name = process.argv[3] ?? 'backend';
const body = Buffer.from('hello from the backend\n');
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length, 'x-backend': name });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => process.exit(0));
