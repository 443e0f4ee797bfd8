import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { readStored, writeStored } from './stored';

export interface Session {
  token: string;
  user: { id: string; name: string; email: string | null };
}

interface SessionState {
  session: Session | null;
  signIn(session: Session): void;
  signOut(): void;
}

const KEY = 'storefront.session';

function isSession(value: unknown): value is Session {
  const v = value as Session | null;
  return typeof v?.token === 'string' && typeof v.user?.id === 'string' && typeof v.user.name === 'string';
}

const SessionContext = createContext<SessionState | null>(null);

/** The signed-in user and their token from `logIn`/`signUp`, kept across reloads. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState(() => readStored(KEY, isSession));
  const signIn = useCallback((next: Session) => {
    writeStored(KEY, next);
    setSession(next);
  }, []);
  const signOut = useCallback(() => {
    writeStored(KEY, null);
    setSession(null);
  }, []);
  const value = useMemo(() => ({ session, signIn, signOut }), [session, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}
