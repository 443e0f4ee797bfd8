import { newId } from '@storefront/kit';
import type { DataSource } from 'typeorm';
import { User } from './entities/user.entity';
import { hashPassword, UNMATCHABLE_HASH, verifyPassword } from './password';

/** Emails are compared and stored lower-cased and trimmed. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export interface NewUser {
  name: string;
  /** Already normalized. */
  email: string;
  password: string;
}

/** Creates an account; a taken email surfaces as the database's unique violation. */
export async function createUser(db: DataSource, input: NewUser): Promise<User> {
  const repo = db.getRepository(User);
  const user = repo.create({
    id: newId(),
    name: input.name,
    email: input.email,
    passwordHash: await hashPassword(input.password),
    isAdmin: false,
    createdAt: new Date(),
  });
  await repo.insert(user);
  return user;
}

/**
 * The user with these credentials, or null. An unknown email costs one scrypt like a wrong
 * password (against a hash nothing matches), so timing does not reveal which emails exist.
 */
export async function authenticate(db: DataSource, email: string, password: string): Promise<User | null> {
  const user = await db.getRepository(User).findOneBy({ email: normalizeEmail(email) });
  const matches = await verifyPassword(password, user?.passwordHash ?? UNMATCHABLE_HASH);
  return user && matches ? user : null;
}
