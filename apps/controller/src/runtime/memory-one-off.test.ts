import { MemoryRuntimeBackend } from './memory-runtime-backend.js';
import { oneOffContract } from './one-off.contract.js';

oneOffContract('MemoryRuntimeBackend', async () => ({ runtime: new MemoryRuntimeBackend(), image: 'none', close: async () => {} }));
