/** The labels every platform container carries (see PRODUCT.md); state is read back from them. */
export const containerLabel = {
  cluster: 'paas.cluster',
  app: 'paas.app',
  release: 'paas.release',
  process: 'paas.process',
  type: 'paas.type',
  command: 'paas.command',
  role: 'paas.role',
  memory: 'paas.memory',
  cpus: 'paas.cpus',
  volumes: 'paas.volumes',
} as const;
