import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { SessionView } from '../../../shared/console/views.ts';
import { apiGet, errorText } from './api.ts';
import { currentToken, onTokenChange, setSignInPrompt, signIn, signOut } from './auth.ts';
import { Alert } from './components/alert.tsx';
import { TokenDialog } from './components/tokenDialog.tsx';
import { type HashRoute, type Page, parseHash } from './hashRoute.ts';
import { DeadLetters } from './pages/deadLetters.tsx';
import { Letter } from './pages/letter.tsx';
import { Overview } from './pages/overview.tsx';
import { Registry } from './pages/registry.tsx';
import { Routes } from './pages/routes.tsx';

const NAV: readonly { readonly page: Page; readonly label: string; readonly hash: string }[] = [
  { page: 'overview', label: 'Overview', hash: '#/overview' },
  { page: 'routes', label: 'Routes', hash: '#/routes' },
  { page: 'registry', label: 'Registry', hash: '#/registry' },
  { page: 'dead-letters', label: 'Dead letters', hash: '#/dead-letters' },
];

function useHashRoute(): HashRoute {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const change = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', change);
    return () => removeEventListener('hashchange', change);
  }, []);
  return route;
}

/** The sign-in dialog's state, and the prompt the API client calls (a write without a token, a 401). */
function useSignIn() {
  const [prompt, setPrompt] = useState<{ reason: string | undefined; resolve: (signedIn: boolean) => void } | undefined>(undefined);
  const [signedIn, setSignedIn] = useState(currentToken() !== undefined);
  useEffect(() => onTokenChange(() => setSignedIn(currentToken() !== undefined)), []);
  const ask = useCallback(
    (reason: string | undefined) =>
      new Promise<boolean>((resolve) => {
        setPrompt((before) => {
          // A second request while the dialog is open waits for the same answer.
          if (before !== undefined) {
            const first = before.resolve;
            return {
              reason: before.reason,
              resolve: (value) => {
                first(value);
                resolve(value);
              },
            };
          }
          return { reason, resolve };
        });
      }),
    [],
  );
  useEffect(() => {
    setSignInPrompt(() => ask('This needs the registry token.'));
    return () => setSignInPrompt(undefined);
  }, [ask]);
  const submit = (token: string) => {
    signIn(token);
    prompt?.resolve(true);
    setPrompt(undefined);
  };
  const cancel = () => {
    prompt?.resolve(false);
    setPrompt(undefined);
  };
  return { prompt, signedIn, ask, submit, cancel };
}

function App() {
  const route = useHashRoute();
  const signInState = useSignIn();
  const [session, setSession] = useState<SessionView | undefined>(undefined);
  const [sessionError, setSessionError] = useState<string | undefined>(undefined);
  const [round, setRound] = useState(0);
  useEffect(() => onTokenChange(() => setRound((value) => value + 1)), []);
  useEffect(() => {
    apiGet<SessionView>('session').then(
      (view) => {
        setSession(view);
        setSessionError(undefined);
      },
      (failure: unknown) => setSessionError(errorText(failure)),
    );
  }, [round]);

  // Moving to another page moves the focus to its heading, so a screen reader starts there.
  const pageKey = `${route.page}/${route.id ?? ''}`;
  const firstPage = useRef(true);
  useEffect(() => {
    if (firstPage.current) {
      firstPage.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [pageKey]);

  const activePage: Page = route.page === 'letter' ? 'dead-letters' : route.page;
  return (
    <>
      <button type="button" class="skip" onClick={() => document.querySelector<HTMLElement>('main h1')?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <p class="brand">
          Ingestion console
          {session === undefined ? null : (
            <span class="stage" data-stage={session.stage}>
              stage <strong>{session.stage}</strong>
            </span>
          )}
        </p>
        <nav aria-label="Pages">
          <ul>
            {NAV.map((item) => (
              <li key={item.page}>
                <a href={item.hash} aria-current={item.page === activePage ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="session">
          {signInState.signedIn ? (
            <>
              <span class="signed-in">Signed in</span>
              <button type="button" onClick={signOut}>
                Sign out
              </button>
            </>
          ) : (
            <button type="button" onClick={() => void signInState.ask(undefined)}>
              Sign in
            </button>
          )}
        </div>
      </header>
      <main id="app">
        <Alert message={sessionError} />
        {session === undefined ? (
          <p class="loading">{sessionError === undefined ? 'Loading…' : ''}</p>
        ) : route.page === 'overview' ? (
          <Overview session={session} />
        ) : route.page === 'routes' ? (
          <Routes session={session} />
        ) : route.page === 'registry' ? (
          <Registry />
        ) : route.page === 'letter' ? (
          <Letter id={route.id ?? ''} />
        ) : (
          <DeadLetters query={route.query} />
        )}
      </main>
      <TokenDialog open={signInState.prompt !== undefined} reason={signInState.prompt?.reason} onSubmit={signInState.submit} onCancel={signInState.cancel} />
    </>
  );
}

export { App };
