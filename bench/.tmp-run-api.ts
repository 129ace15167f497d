import { benchApi } from './api.js';
const t0 = Date.now();
console.log(await benchApi({ seconds: 2, rate: Number(process.env.RATE ?? 100), users: 2, appsPerUser: 2 }));
console.error('took', Date.now() - t0);
process.exit(0);
