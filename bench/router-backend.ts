/**
 * The benchmark's backend: a tiny node http server answering every request with a short text body.
 * Run as a child process: `node bench/router-backend.ts <port>`; prints `listening` when ready.
 */
import http from 'node:http';

const port = Number(process.argv[2]);
const body = Buffer.from('hello from the backend\n');
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => process.exit(0));
