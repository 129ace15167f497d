#!/usr/bin/env node
// The ACL file of a Redis that `npm run up` starts itself (never a Redis given by REDIS_URL, such as
// the shared one of tests and CI): one user per component, each with its own password and only the
// keys and channels it uses, none with the server's admin commands; the default user is off, and
// `paas-admin` (for up.sh itself) may do everything.
//
//   node scripts/redis-acl.mjs PREFIX PASSWORDS_FILE > acl.conf
//   (PASSWORDS_FILE: `name=password` lines for paas-admin, controller, builder and router)
//
// Plain Node, no dependencies. Passwords are written as their SHA-256 (`#…`), never in clear.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const components = ['controller', 'builder', 'router'];

/** What every component may run: everything but the server's administration and its dangerous commands (FLUSHALL, KEYS, CONFIG, DEBUG…), and INFO (BullMQ and ioredis read the server's version). */
const commands = '+@all -@admin -@dangerous +info';

/** The ACL rules of each user for keys under `prefix`. */
export function aclRules(prefix) {
  if (!/^[A-Za-z0-9:_-]+$/.test(prefix)) throw new Error(`not a Redis key prefix paas uses: ${prefix}`);
  const all = `~${prefix}:* &${prefix}:*`;
  return {
    'paas-admin': '~* &* +@all',
    // the API, deploys, the build queue (BullMQ), logs, routes, certificates, platform status
    controller: `${all} ${commands}`,
    // the build queue (BullMQ), build logs and cancels, caches' epochs, platform status
    builder: `${all} ${commands}`,
    // routes and certificates (read, acknowledged), access lines into the apps' logs, the internal access table
    router: `~${prefix}:routes* ~${prefix}:certs* ~${prefix}:logs:* ~${prefix}:internal:* &${prefix}:* ${commands}`,
  };
}

/** The ACL file: `user NAME on #sha256 RULES` for each user with a password, and the default user off. */
export function aclFile(prefix, passwords) {
  const rules = aclRules(prefix);
  const lines = ['user default off'];
  for (const [name, rule] of Object.entries(rules)) {
    const password = passwords[name];
    if (!password || password.length < 16) throw new Error(`no password (16 characters or more) for the Redis user ${name}`);
    lines.push(`user ${name} on #${createHash('sha256').update(password).digest('hex')} resetchannels ${rule}`);
  }
  return `${lines.join('\n')}\n`;
}

function parsePasswords(text) {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim()]),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [prefix, file] = process.argv.slice(2);
  if (!prefix || !file) {
    process.stderr.write('usage: node scripts/redis-acl.mjs PREFIX PASSWORDS_FILE\n');
    process.exit(2);
  }
  process.stdout.write(aclFile(prefix, parsePasswords(readFileSync(file, 'utf8'))));
}
