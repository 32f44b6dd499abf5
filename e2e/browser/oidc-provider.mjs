// A local OpenID Connect provider for the e2e run (panva's oidc-provider): issuer http://127.0.0.1:<port>,
// discovery at <issuer>/.well-known/openid-configuration, one confidential client whose id and secret the
// run generates, one person (oidc-user.mjs), and the package's own login and consent pages. Signing key and
// cookie keys are made per start; nothing is stored. Runs until killed.
//
// usage: OIDC_CLIENT_ID=… OIDC_CLIENT_SECRET=… node oidc-provider.mjs <port> <redirect uri>
import { generateKeyPairSync, randomBytes } from "node:crypto";
import Provider from "oidc-provider";
import { oidcUser } from "./oidc-user.mjs";

const [port, redirectUri] = process.argv.slice(2);
const { OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret } = process.env;
if (!port || !redirectUri || !clientId || !clientSecret) {
  console.error("usage: OIDC_CLIENT_ID=… OIDC_CLIENT_SECRET=… node oidc-provider.mjs <port> <redirect uri>");
  process.exit(2);
}

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "e2e", alg: "RS256", use: "sig" }] },
  cookies: { keys: [randomBytes(32).toString("hex")] },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  // The person's email and name go into the ID token itself (Better Auth reads them from there).
  conformIdTokenClaims: false,
  // devInteractions (on by default): the package's login form (any password) and consent page.
  async findAccount(_ctx, id) {
    if (id !== oidcUser.login) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: oidcUser.email, email_verified: true, name: oidcUser.name };
      },
    };
  },
});
provider.listen(Number(port), "127.0.0.1", () => console.log(`oidc-provider: issuer ${issuer}`));
