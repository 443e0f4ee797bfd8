import type { CombinedError } from '@urql/core';

const FRIENDLY: Record<string, string> = {
  UNAUTHENTICATED: 'Please sign in again.',
  FORBIDDEN: 'You may not do that.',
  DOWNSTREAM_SERVICE_ERROR: 'Part of the store is not answering right now; please try again shortly.',
  RATE_LIMITED: 'Too many requests; please wait a moment.',
};

/** What went wrong, in the API's words (with its code), or the network failure. */
export function ErrorMessage({ error }: { error: CombinedError | undefined }) {
  if (!error) return null;
  const messages = error.graphQLErrors.map((e) => {
    const code = typeof e.extensions?.code === 'string' ? e.extensions.code : undefined;
    return { code, text: (code && FRIENDLY[code]) ?? e.message };
  });
  if (error.networkError) messages.push({ code: undefined, text: `The store cannot be reached: ${error.networkError.message}` });
  return (
    <div className="error" role="alert">
      {messages.map((m, i) => (
        <p key={i}>
          {m.text}
          {m.code ? <code className="error__code">{m.code}</code> : null}
        </p>
      ))}
    </div>
  );
}

/** True when the session's token is no longer accepted. */
export function isUnauthenticated(error: CombinedError | undefined): boolean {
  return error?.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') ?? false;
}
