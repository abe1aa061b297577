// The registry token, held in this module's memory only: it lives as long as the page, and is
// never written to localStorage, sessionStorage or a cookie (a script injected later could read
// those; a reload asks again). The shell's sign-in dialog answers `requestSignIn`.

let token: string | undefined;
const listeners = new Set<() => void>();
let askForToken: (() => Promise<boolean>) | undefined;

function currentToken(): string | undefined {
  return token;
}

function signIn(value: string): void {
  token = value === '' ? undefined : value;
  for (const listener of listeners) listener();
}

function signOut(): void {
  token = undefined;
  for (const listener of listeners) listener();
}

/** Called on every sign-in and sign-out; answers the unsubscribe. */
function onTokenChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The shell registers how it asks (its dialog); resolves true once a token was entered. */
function setSignInPrompt(prompt: (() => Promise<boolean>) | undefined): void {
  askForToken = prompt;
}

/** Asks the operator for the token (a write without one, a 401): true once they entered one. */
function requestSignIn(): Promise<boolean> {
  return askForToken === undefined ? Promise.resolve(false) : askForToken();
}

export { currentToken, onTokenChange, requestSignIn, setSignInPrompt, signIn, signOut };
