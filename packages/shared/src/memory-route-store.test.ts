import { MemoryRouteStore } from './memory-route-store.js';
import { routeStoreContract } from './route-store.contract.js';

routeStoreContract('MemoryRouteStore', async () => ({ store: new MemoryRouteStore(), close: async () => {} }));
