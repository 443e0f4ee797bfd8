import { ConflictError, newId } from '@storefront/kit';
import type { DataSource } from 'typeorm';
import { User } from './entities/user.entity';
import type { PasswordHasher } from './password-hasher';
import { UNMATCHABLE_HASH } from './password';

/** Emails are compared and stored lower-cased and trimmed. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** What sign-up answers for a taken email. */
export const EMAIL_TAKEN = 'An account with this email already exists';

export interface NewUser {
  name: string;
  /** Already normalized. */
  email: string;
  password: string;
}

/** True when an account has this (normalized) email. */
export async function emailTaken(db: DataSource, email: string): Promise<boolean> {
  return db.getRepository(User).exists({ where: { email } });
}

/**
 * Creates an account. A taken email is CONFLICT before any hashing (the answer says so anyway, so
 * skipping the hash tells nothing more); a sign-up racing it to the same email surfaces as the
 * database's unique violation.
 */
export async function createUser(db: DataSource, input: NewUser, hasher: PasswordHasher): Promise<User> {
  const passwordHash = await hasher.forSignUp(async (hash) => {
    if (await emailTaken(db, input.email)) throw new ConflictError(EMAIL_TAKEN);
    return hash(input.password);
  });
  const repo = db.getRepository(User);
  const user = repo.create({ id: newId(), name: input.name, email: input.email, passwordHash, isAdmin: false, createdAt: new Date() });
  await repo.insert(user);
  return user;
}

/**
 * The user with these credentials, or null. An unknown email costs one scrypt like a wrong
 * password (against a hash nothing matches), so timing does not reveal which emails exist.
 */
export async function authenticate(db: DataSource, email: string, password: string, hasher: PasswordHasher): Promise<User | null> {
  const user = await db.getRepository(User).findOneBy({ email: normalizeEmail(email) });
  const matches = await hasher.verifyForLogIn(password, user?.passwordHash ?? UNMATCHABLE_HASH);
  return user && matches ? user : null;
}
