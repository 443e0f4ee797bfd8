import type { ReactNode } from 'react';
import { useCart } from '../cart';
import { Link, navigate } from '../navigation';
import { useSession } from '../session';

export function Layout({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  const { count } = useCart();
  return (
    <>
      <header className="topbar">
        <Link to="/" className="topbar__brand">
          Storefront
        </Link>
        <nav className="topbar__nav" aria-label="Main">
          <Link to="/">Products</Link>
          <Link to="/cart">Cart{count > 0 ? ` (${count})` : ''}</Link>
          {session ? (
            <>
              <Link to="/account">{session.user.name}</Link>
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  signOut();
                  navigate('/');
                }}
              >
                Sign out
              </button>
            </>
          ) : (
            <Link to="/sign-in">Sign in</Link>
          )}
        </nav>
      </header>
      <main className="page">{children}</main>
      <footer className="footer">
        A demo of the federated supergraph: every request is an operation from <code>schema/operations/</code>.
      </footer>
    </>
  );
}
