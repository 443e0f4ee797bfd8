import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/** The app's pages; the URL is the state, so every page can be linked to and reloaded. */
export type Route =
  | { page: 'products'; search: string }
  | { page: 'product'; sku: string }
  | { page: 'sign-in'; next: string }
  | { page: 'cart' }
  | { page: 'account'; placed: string | null }
  | { page: 'not-found' };

export function parseRoute(url: URL): Route {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const product = /^\/products\/([^/]+)$/.exec(path);
  if (path === '/') return { page: 'products', search: url.searchParams.get('q') ?? '' };
  if (product) return { page: 'product', sku: decodeURIComponent(product[1]!) };
  if (path === '/sign-in') return { page: 'sign-in', next: safeNext(url.searchParams.get('next')) };
  if (path === '/cart') return { page: 'cart' };
  if (path === '/account') return { page: 'account', placed: url.searchParams.get('placed') };
  return { page: 'not-found' };
}

/** Only a path of this site: `?next=https://elsewhere` must not send a signed-in user away. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/account';
}

const CHANGE = 'storefront:navigate';

export function navigate(to: string): void {
  window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
  window.scrollTo(0, 0);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(new URL(window.location.href)));
  useEffect(() => {
    const update = () => setRoute(parseRoute(new URL(window.location.href)));
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return route;
}

/** An ordinary link that navigates without reloading; modified clicks still open new tabs. */
export function Link({ to, ...props }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={onClick} {...props} />;
}
