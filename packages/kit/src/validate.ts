import type { z } from 'zod';
import { BadUserInputError } from './errors';

/**
 * Validates a client input with a zod schema at the edge of a resolver. The first problem becomes
 * a BAD_USER_INPUT error naming the field, so clients can point at it in a form.
 */
export function validateInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.');
  throw new BadUserInputError(field ? `${field}: ${issue.message}` : issue.message, field || undefined);
}

/** True for a unique-key violation on MySQL/MariaDB or SQLite, whatever the driver wraps it in. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; errno?: number; message?: string; driverError?: unknown } | null;
  if (!e) return false;
  if (e.code === 'ER_DUP_ENTRY' || e.errno === 1062) return true;
  if (typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed')) return true;
  return e.driverError !== undefined && e.driverError !== error && isUniqueViolation(e.driverError);
}
