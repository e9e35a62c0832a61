/**
 * The console's HTML: a server-written sign-in page (it works without script) and the shell the
 * page script fills. Every response carries a strict policy: scripts and styles from this server
 * only, no inline code, nothing framed.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

export const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": CONSOLE_CSP,
  "x-content-type-options": "nosniff",
  // GitHub's sign-in code travels in a URL: never hand it to another site as a referrer.
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  // No window another site opens can reach this one's.
  "cross-origin-opener-policy": "same-origin",
  "cache-control": "no-store",
};

export type SignInOptions = {
  /** GitHub sign-in is set up (the App's OAuth credentials are known). */
  github: boolean;
  /** An operator API key signs in (a deployment without an App, or without its OAuth credentials). */
  key: boolean;
  /** Whether a GitHub App is registered here. */
  app: boolean;
  /** Token of the key form (the login CSRF cookie's value). */
  formToken: string;
  /** What went wrong with the last attempt, for people. */
  error?: string | undefined;
};

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/assets/console.css">
</head>
<body>
${body}
</body>
</html>
`;
}

/** The shell a signed-in person gets; the page script renders the console into `#app`. */
export function shellPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Critic console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/assets/console.css">
<script type="module" src="/console/assets/console.js"></script>
</head>
<body>
<div id="app"><p>Loading…</p></div>
<noscript><p>The console needs JavaScript. The same reviews are available from the HTTP API at <a href="/api/docs">/api/docs</a>.</p></noscript>
</body>
</html>
`;
}

/** The sign-in page: GitHub, an operator key, or what to set when neither is possible. */
export function signInPage(options: SignInOptions): string {
  const parts: string[] = [
    `<header class="signin-header"><h1>Critic console</h1></header>`,
    `<main class="signin"><h2>Sign in</h2>`,
  ];
  if (options.error)
    parts.push(`<p class="signin-error" role="alert">${escapeHtml(options.error)}</p>`);
  if (options.github)
    parts.push(
      `<p><a class="button primary" href="/console/auth/github">Sign in with GitHub</a></p>`,
      `<p class="hint">You will see the reviews of the repositories your GitHub account can see where this App is installed.</p>`,
    );
  if (options.key) {
    parts.push(
      options.app
        ? `<p class="hint">GitHub sign-in is not set up on this server (it needs <code>GITHUB_CLIENT_ID</code> and <code>GITHUB_CLIENT_SECRET</code>, which registering the App writes), so operators sign in with an API key.</p>`
        : `<p class="hint">No GitHub App is registered on this server, so there is no GitHub sign-in: operators sign in with one of the server's API keys (<code>CRITIC_API_KEYS</code>).</p>`,
      `<form method="post" action="/console/auth/key" class="signin-key">`,
      `<input type="hidden" name="form_token" value="${escapeHtml(options.formToken)}">`,
      `<label for="key">Operator API key</label>`,
      `<input id="key" name="key" type="password" autocomplete="current-password" required>`,
      `<button type="submit" class="button primary">Sign in with API key</button>`,
      `</form>`,
    );
  }
  if (!options.github && !options.key)
    parts.push(
      `<p>Sign-in is not set up on this server. Set <code>GITHUB_CLIENT_ID</code> and <code>GITHUB_CLIENT_SECRET</code> (the App's OAuth credentials, written when it was registered) for GitHub sign-in, or <code>CRITIC_API_KEYS</code> for operator sign-in with a key, then restart Critic.</p>`,
    );
  parts.push(`</main>`);
  return page("Sign in · Critic console", parts.join("\n"));
}
