import { useMemo } from 'react';
import { Provider } from 'urql';
import { CartProvider } from './cart';
import { createClient } from './client';
import { Layout } from './components/layout';
import { Link, useRoute } from './navigation';
import { AccountPage } from './pages/account.page';
import { CartPage } from './pages/cart.page';
import { ProductListingPage } from './pages/product-listing.page';
import { ProductPage } from './pages/product.page';
import { SignInPage } from './pages/sign-in.page';
import { SessionProvider, useSession } from './session';

function Pages() {
  const route = useRoute();
  switch (route.page) {
    case 'products':
      return <ProductListingPage key={route.search} search={route.search} />;
    case 'product':
      return <ProductPage key={route.sku} sku={route.sku} />;
    case 'sign-in':
      return <SignInPage next={route.next} />;
    case 'cart':
      return <CartPage />;
    case 'account':
      return <AccountPage placed={route.placed} />;
    case 'not-found':
      return (
        <p>
          Nothing here. <Link to="/">Back to the products</Link>
        </p>
      );
  }
}

function WithClient() {
  const { session } = useSession();
  const token = session?.token ?? null;
  const client = useMemo(() => createClient(token), [token]);
  return (
    <Provider value={client}>
      <Layout>
        <Pages />
      </Layout>
    </Provider>
  );
}

export function App() {
  return (
    <SessionProvider>
      <CartProvider>
        <WithClient />
      </CartProvider>
    </SessionProvider>
  );
}
