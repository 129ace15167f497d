import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appNetworkName, bridgeInterfaceName, buildNetworkName, firstFreeSubnet } from './docker-network.js';

test('subnets are cut from the pool, skipping every one that overlaps a network of the engine', () => {
  const pool = { cidr: '10.210.0.0/16', prefix: 24 };
  assert.equal(firstFreeSubnet(pool, []), '10.210.0.0/24');
  assert.equal(firstFreeSubnet(pool, ['10.210.0.0/24', '172.17.0.0/16', 'fd00::/64']), '10.210.1.0/24');
  // a wider network elsewhere in the pool takes all it covers
  assert.equal(firstFreeSubnet(pool, ['10.210.0.0/23', '10.210.2.128/25']), '10.210.3.0/24');
  assert.equal(firstFreeSubnet(pool, ['10.0.0.0/8']), undefined);
  assert.equal(firstFreeSubnet({ cidr: '10.210.0.0/30', prefix: 31 }, ['10.210.0.0/31']), '10.210.0.2/31');
});

test("each network's bridge interface fits the kernel's 15 characters and shares the firewall's prefix", () => {
  const names = [appNetworkName('local', 'shop'), appNetworkName('local', 'a'.repeat(30)), buildNetworkName('local')];
  const bridges = names.map(bridgeInterfaceName);
  for (const b of bridges) assert.match(b, /^paas[0-9a-f]{11}$/);
  assert.equal(new Set(bridges).size, 3);
});

test("a network's gateway is its subnet's first address (the engine reports it only when given)", async () => {
  const { firstHostAddress } = await import('./docker-network.js');
  assert.equal(firstHostAddress('10.210.2.0/24'), '10.210.2.1');
  assert.equal(firstHostAddress('10.210.4.0/23'), '10.210.4.1');
});
