// Social sign-in (auth flows github, google, oidc): the settings each provider needs, read from the environment
// when used (at request time), so a deployment turns a provider on by setting its keys, without a rebuild.
// Server only (it reads secrets); imports no "@/" aliases so plain `node` can load it through src/lib/auth.ts.
import { authFlows, type SocialProvider } from "./auth-flows.ts";

const settings = {
  github: { clientId: "GITHUB_CLIENT_ID", clientSecret: "GITHUB_CLIENT_SECRET" },
  google: { clientId: "GOOGLE_CLIENT_ID", clientSecret: "GOOGLE_CLIENT_SECRET" },
  oidc: { issuer: "OIDC_ISSUER", clientId: "OIDC_CLIENT_ID", clientSecret: "OIDC_CLIENT_SECRET" },
} as const;

type Settings<P extends SocialProvider> = Record<keyof (typeof settings)[P], string>;

/** A generated provider's settings, or undefined while any of them is unset or empty. */
export function providerSettings<P extends SocialProvider>(provider: P): Settings<P> | undefined {
  if (!authFlows.social.includes(provider)) return undefined;
  const values = Object.entries(settings[provider]).map(([key, name]) => [key, process.env[name]?.trim() ?? ""]);
  return values.every(([, value]) => value) ? (Object.fromEntries(values) as Settings<P>) : undefined;
}

/** The providers the sign-in and sign-up pages offer: generated, and with every key set. */
export function configuredProviders(): SocialProvider[] {
  return authFlows.social.filter((provider) => providerSettings(provider));
}
