import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { HubwardenError } from '../../core/errors.js';

/** What hubwarden talks to: one Redis server, or a Redis Cluster (ElastiCache cluster mode). */
export type RedisConnection = Redis | Cluster;

export type ConnectRedisOptions = { readonly cluster?: boolean } & RedisOptions;

/**
 * One Redis connection. BullMQ workers need `maxRetriesPerRequest: null` (blocking commands must not
 * fail while Redis restarts); `rediss://` URLs switch TLS on by themselves.
 * With `cluster: true` the URL names one node (ElastiCache: the configuration endpoint) and the client
 * discovers the rest of the cluster from it.
 */
export const connectRedis = (url: string, options: ConnectRedisOptions = {}): RedisConnection => {
  const { cluster, ...redisOptions } = options;
  if (cluster) return connectCluster(url, redisOptions);
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    lazyConnect: false,
    ...redisOptions,
  });
};

const connectCluster = (url: string, options: RedisOptions): Cluster => {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw clusterUrlError(`REDIS_URL must start with redis:// or rediss://, not ${parsed.protocol}//`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && db !== '0') {
    throw clusterUrlError(`a Redis Cluster has only database 0; REDIS_URL selects database ${db}`);
  }
  // Settings a Cluster takes at its own level; every other one is handed to each node's connection.
  const {
    lazyConnect,
    enableOfflineQueue,
    enableAutoPipelining,
    host: _host,
    port: _port,
    path: _path,
    sentinels: _sentinels,
    retryStrategy: _retryStrategy,
    readOnly: _readOnly,
    himportFieldsets: _himportFieldsets,
    ...nodeOptions
  } = options;
  const tls = parsed.protocol === 'rediss:' ? { tls: {} } : {};
  const clusterOptions: ClusterOptions = {
    enableReadyCheck: true,
    // ElastiCache's TLS certificates name the DNS names, so nodes must be dialled by name, not by IP.
    dnsLookup: (address, callback) => callback(null, address),
    redisOptions: {
      maxRetriesPerRequest: null,
      ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
      ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
      ...tls,
      ...nodeOptions,
    },
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(enableAutoPipelining === undefined ? {} : { enableAutoPipelining }),
  };
  return new Cluster([{ host: hostOf(parsed), port: Number(parsed.port || 6379) }], clusterOptions);
};

/** `URL.hostname` keeps the brackets of an IPv6 literal; a socket wants the bare address. */
const hostOf = (parsed: URL): string => parsed.hostname.replace(/^\[(.*)\]$/, '$1');

const clusterUrlError = (message: string) =>
  new HubwardenError(message, { kind: 'permanent', code: 'redis.cluster_url', service: 'redis' });
