export * from './eventually.js';
export * from './ports.js';
export * from './test-certs.js';
export * from './test-env.js';
