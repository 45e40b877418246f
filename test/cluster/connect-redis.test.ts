import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { connectRedis } from '../../src/adapters/redis/connection.js';
import { HubwardenError } from '../../src/core/errors.js';

// `lazyConnect` keeps these clients off the network: only the options built from the URL are checked.
describe('connectRedis options', () => {
  it('keeps a single-node client by default, ready for BullMQ workers', () => {
    const redis = connectRedis('redis://127.0.0.1:6379', { lazyConnect: true });
    expect(redis).toBeInstanceOf(Redis);
    expect((redis as Redis).options.maxRetriesPerRequest).toBeNull();
    redis.disconnect();
  });

  it('builds an ElastiCache-ready Cluster client from a rediss:// URL', async () => {
    const redis = connectRedis(
      'rediss://hubwarden:p%40ss%2Fword@clustercfg.example.cache.amazonaws.com:6380',
      {
        cluster: true,
        lazyConnect: true,
        connectionName: 'hubwarden',
      },
    );
    expect(redis).toBeInstanceOf(Cluster);
    const { options } = redis as Cluster;
    expect(options.lazyConnect).toBe(true);
    expect(options.enableReadyCheck).toBe(true);
    expect(options.redisOptions).toMatchObject({
      maxRetriesPerRequest: null,
      username: 'hubwarden',
      password: 'p@ss/word',
      tls: {},
      connectionName: 'hubwarden',
    });
    // Nodes are dialled by DNS name, so TLS can check the certificate against it.
    const looked = await new Promise((resolve) =>
      options.dnsLookup?.('node-1.example.cache.amazonaws.com', (_error, address) => resolve(address)),
    );
    expect(looked).toBe('node-1.example.cache.amazonaws.com');
    redis.disconnect();
  });

  it('leaves TLS off for redis:// and the credentials out when the URL has none', () => {
    const redis = connectRedis('redis://127.0.0.1:7000', { cluster: true, lazyConnect: true }) as Cluster;
    expect(redis.options.redisOptions).not.toHaveProperty('tls');
    expect(redis.options.redisOptions).not.toHaveProperty('password');
    redis.disconnect();
  });

  it('refuses a database other than 0, which a cluster does not have', () => {
    expect(() => connectRedis('redis://127.0.0.1:7000/2', { cluster: true })).toThrow(HubwardenError);
    expect(() => connectRedis('redis://127.0.0.1:7000/2', { cluster: true })).toThrow(/database 2/);
  });
});
