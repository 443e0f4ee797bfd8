import { deterministicId, insertInChunks, type Logger, type SeedPlan } from '@storefront/kit';
import type { DataSource } from 'typeorm';
import { User } from './entities/user.entity';
import { hashPassword } from './password';

const FIRST_NAMES = ['Alan', 'Barbara', 'Claude', 'Dorothy', 'Edsger', 'Frances', 'Grace', 'Hedy', 'Ivan', 'Joan', 'Ken', 'Lynn'];
const LAST_NAMES = ['Turing', 'Liskov', 'Shannon', 'Vaughan', 'Dijkstra', 'Allen', 'Hopper', 'Lamarr', 'Sutherland', 'Clarke', 'Thompson'];
const EPOCH = Date.UTC(2024, 11, 1);

/** Users above this number share one password (and one hash), so the large seed runs scrypt 11 times, not 20,000. */
export const USERS_WITH_OWN_PASSWORD = 10;
export const SHARED_SHOPPER_PASSWORD = 'shopper-password';

/** The demo password of user n (documented in the README). */
export function demoPassword(n: number): string {
  if (n === 1) return 'admin-password';
  return n <= USERS_WITH_OWN_PASSWORD ? `password${n}` : SHARED_SHOPPER_PASSWORD;
}

/** User n of the plan without its hash; other services refer to it by `deterministicId('user', n)`. */
export function demoUser(n: number, passwordHash: string): User {
  const user = new User();
  user.id = deterministicId('user', n);
  user.name = n === 1 ? 'Ada Admin' : `${FIRST_NAMES[n % FIRST_NAMES.length]} ${LAST_NAMES[n % LAST_NAMES.length]}`;
  user.email = n === 1 ? 'admin@example.com' : `user${n}@example.com`;
  user.passwordHash = passwordHash;
  user.isAdmin = n === 1;
  user.createdAt = new Date(EPOCH + n * 60_000);
  return user;
}

export async function hasData(db: DataSource): Promise<boolean> {
  return (await db.getRepository(User).count({ take: 1 })) > 0;
}

export async function seed(db: DataSource, plan: SeedPlan, log: Logger): Promise<void> {
  const numbers = Array.from({ length: plan.users }, (_, i) => i + 1);
  // One scrypt per distinct password: hashing is deliberately slow.
  const passwords = [...new Set(numbers.map(demoPassword))];
  const hashes = new Map(await Promise.all(passwords.map(async (p) => [p, await hashPassword(p)] as const)));
  const rows = numbers.map((n) => demoUser(n, hashes.get(demoPassword(n))!));
  await db.transaction(async (manager) => {
    await insertInChunks(rows, 500, (chunk) => manager.insert(User, chunk));
  });
  log.info({ users: rows.length }, 'seeded users');
}
