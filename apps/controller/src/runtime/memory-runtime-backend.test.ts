import { MemoryRuntimeBackend } from './memory-runtime-backend.js';
import { runtimeBackendContract } from './runtime-backend.contract.js';

runtimeBackendContract('MemoryRuntimeBackend', async () => {
  const backend = new MemoryRuntimeBackend();
  return {
    backend,
    image: 'none',
    close: async () => {},
    kill: async (b, id) => (b as MemoryRuntimeBackend).exit(id, { restarting: false }),
    crash: async (b, id) => (b as MemoryRuntimeBackend).exit(id, { restarting: true }),
    addImage: async (app, ref) => backend.addImage(app, ref),
    hasImage: async (ref) => backend.holdsImage(ref),
    write: async (b, id, mb) => (b as MemoryRuntimeBackend).write(id, mb * 1024 * 1024),
    stalled: async () => {
      const stalled = new MemoryRuntimeBackend({ callTimeoutMs: 500 });
      stalled.stall();
      return { backend: stalled, close: async () => {} };
    },
  };
});
