import { z } from "zod";

/** The App's OAuth side: where people are sent to sign in, and how their token is read back. */
export type OAuthConfig = {
  clientId: string;
  clientSecret: string;
  /** Where people open GitHub (https://github.com, or the GHE host). */
  webUrl: string;
  /** GitHub's REST API (https://api.github.com, or the GHE host's /api/v3). */
  apiBaseUrl: string;
  fetch: typeof globalThis.fetch;
};

export type Visible = { installations: number[]; repositories: string[] };

// GitHub's answers here are small; a larger one is not GitHub's and is not read.
const MAX_ANSWER_BYTES = 2 * 1024 * 1024;
// A person in many organisations: the first installations and repositories are enough to decide.
const MAX_INSTALLATIONS = 50;
const MAX_PAGES = 10;
const TIMEOUT_MS = 10_000;

/**
 * GitHub's sign-in page for the App. No `redirect_uri`: GitHub sends the person back to the
 * callback registered with the App, so a forged Host header cannot redirect the code elsewhere.
 */
export function authorizeUrl(config: OAuthConfig, state: string): string {
  const url = new URL("/login/oauth/authorize", config.webUrl);
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("state", state);
  url.searchParams.set("allow_signup", "false");
  return url.toString();
}

export class SignInError extends Error {}

const TokenAnswer = z.object({ access_token: z.string().min(1).max(500) });
const UserAnswer = z.object({ login: z.string().min(1).max(100), id: z.number() });
const InstallationsAnswer = z.object({
  installations: z.array(z.object({ id: z.number() })).max(100),
});
const RepositoriesAnswer = z.object({
  total_count: z.number(),
  repositories: z.array(z.object({ full_name: z.string().max(300) })).max(100),
});

/** Trades the code GitHub sent back for the person's token. */
export async function exchangeCode(config: OAuthConfig, code: string): Promise<string> {
  const answer = await call(config, new URL("/login/oauth/access_token", config.webUrl), {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify({
      client_id: config.clientId,
      client_secret: config.clientSecret,
      code,
    }),
  });
  const parsed = TokenAnswer.safeParse(answer);
  if (!parsed.success)
    throw new SignInError(
      "GitHub did not accept the sign-in (the code expired or was used); try again",
    );
  return parsed.data.access_token;
}

/** The signed-in person: their login, and the numeric id that stays theirs if the login changes. */
export async function readUser(
  config: OAuthConfig,
  token: string,
): Promise<{ login: string; id: number }> {
  const parsed = UserAnswer.safeParse(await api(config, token, "/user"));
  if (!parsed.success) throw new SignInError("GitHub did not say who signed in");
  return parsed.data;
}

/**
 * The App's installations the person can see and, through them, the repositories: GitHub answers
 * these for a user-to-server token with the person's own access, so nobody sees a repository
 * GitHub would not show them.
 */
export async function readVisible(config: OAuthConfig, token: string): Promise<Visible> {
  const installations = InstallationsAnswer.safeParse(
    await api(config, token, `/user/installations?per_page=${MAX_INSTALLATIONS}`),
  );
  if (!installations.success) throw new SignInError("GitHub did not list your installations");
  const ids = installations.data.installations.slice(0, MAX_INSTALLATIONS).map((i) => i.id);
  const repositories = new Set<string>();
  for (const id of ids) {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const parsed = RepositoriesAnswer.safeParse(
        await api(
          config,
          token,
          `/user/installations/${id}/repositories?per_page=100&page=${page}`,
        ),
      );
      if (!parsed.success) throw new SignInError("GitHub did not list your repositories");
      for (const repo of parsed.data.repositories) repositories.add(repo.full_name.toLowerCase());
      if (page * 100 >= parsed.data.total_count || parsed.data.repositories.length < 100) break;
    }
  }
  return { installations: ids, repositories: [...repositories].sort() };
}

async function api(config: OAuthConfig, token: string, path: string): Promise<unknown> {
  const base = config.apiBaseUrl.replace(/\/+$/, "");
  return call(config, new URL(`${base}${path}`), {
    headers: {
      accept: "application/vnd.github+json",
      authorization: `Bearer ${token}`,
      "x-github-api-version": "2022-11-28",
    },
  });
}

/** One request to GitHub: bounded in time and size; a refusal is a SignInError, not a crash. */
async function call(config: OAuthConfig, url: URL, init: RequestInit): Promise<unknown> {
  let response: Response;
  try {
    response = await config.fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch {
    throw new SignInError("GitHub could not be reached; try again");
  }
  if (response.status === 401 || response.status === 403)
    throw new SignInError("GitHub refused the sign-in; sign in again");
  if (!response.ok) throw new SignInError(`GitHub answered ${response.status}; try again`);
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > MAX_ANSWER_BYTES)
    throw new SignInError("GitHub's answer was too large");
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = await reader?.read();
    if (!next || next.done) break;
    size += next.value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader?.cancel();
      throw new SignInError("GitHub's answer was too large");
    }
    chunks.push(next.value);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new SignInError("GitHub's answer could not be read");
  }
}
