// The one person the e2e run's OpenID Connect provider knows (oidc-provider.mjs), and what social-flows.mjs
// expects the app to show after signing in as them.
export const oidcUser = {
  login: "e2e-oidc-user",
  email: "oidc-user@example.com",
  name: "OIDC User",
};
