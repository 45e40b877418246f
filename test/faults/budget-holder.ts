/**
 * A stand-in for a worker process that draws from a shared provider budget: it takes the whole burst, then
 * reserves RESERVE more turns at once (they sleep until their time), printing one line per turn granted.
 * The fault suite kills it with SIGKILL while those reservations are asleep.
 */
import { connectRedis } from '../../src/adapters/redis/connection.js';
import { redisBudgets } from '../../src/adapters/redis/redis-budget.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const redis = connectRedis(env('REDIS_URL'));
const budget = redisBudgets(redis, { prefix: env('BUDGET_PREFIX') })(env('BUDGET_NAME'), {
  perSecond: Number(env('BUDGET_PER_SECOND')),
  burst: Number(env('BUDGET_BURST')),
});
for (let i = 0; i < Number(env('BUDGET_BURST')); i += 1) {
  await budget.take();
  process.stdout.write('granted\n');
}
await Promise.all(
  Array.from({ length: Number(env('RESERVE')) }, async () => {
    await budget.take();
    process.stdout.write('granted\n');
  }),
);
redis.disconnect();
