import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { ErrorMessage } from '../components/error-message';
import { SignInDocument, SignUpDocument } from '../generated/graphql';
import { navigate } from '../navigation';
import { useSession } from '../session';

/** Sign in with `logIn`, or create an account with `signUp`; both answer a token the client keeps. */
export function SignInPage({ next }: { next: string }) {
  const { signIn } = useSession();
  const [mode, setMode] = useState<'sign-in' | 'sign-up'>('sign-in');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [logIn, runLogIn] = useMutation(SignInDocument);
  const [signUp, runSignUp] = useMutation(SignUpDocument);
  const state = mode === 'sign-in' ? logIn : signUp;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const payload =
      mode === 'sign-in'
        ? (await runLogIn({ email, password })).data?.logIn
        : (await runSignUp({ input: { name, email, password } })).data?.signUp;
    if (payload) {
      signIn({ token: payload.token, user: payload.user });
      navigate(next);
    }
  };

  return (
    <section className="narrow">
      <h1>{mode === 'sign-in' ? 'Sign in' : 'Create an account'}</h1>
      <form className="stack" onSubmit={submit}>
        {mode === 'sign-up' ? (
          <label>
            Name
            <input autoComplete="name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          </label>
        ) : null}
        <label>
          Email
          <input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
            required
            minLength={mode === 'sign-up' ? 8 : undefined}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <ErrorMessage error={state.error} />
        <button type="submit" disabled={state.fetching}>
          {mode === 'sign-in' ? 'Sign in' : 'Create account'}
        </button>
      </form>
      <p>
        {mode === 'sign-in' ? 'New here? ' : 'Have an account? '}
        <button type="button" className="link-button" onClick={() => setMode(mode === 'sign-in' ? 'sign-up' : 'sign-in')}>
          {mode === 'sign-in' ? 'Create an account' : 'Sign in instead'}
        </button>
      </p>
      <aside className="hint">
        Demo accounts: <code>admin@example.com</code> / <code>admin-password</code>, <code>user2@example.com</code> / <code>password2</code> …{' '}
        <code>user10@example.com</code> / <code>password10</code>.
      </aside>
    </section>
  );
}
