import { MemoryRuntimeBackend } from './memory-runtime-backend.js';
import { runtimeBackendContract } from './runtime-backend.contract.js';

runtimeBackendContract('MemoryRuntimeBackend', async () => ({
  backend: new MemoryRuntimeBackend(),
  image: 'none',
  close: async () => {},
  kill: async (backend, id) => (backend as MemoryRuntimeBackend).exit(id, { restarting: false }),
}));
