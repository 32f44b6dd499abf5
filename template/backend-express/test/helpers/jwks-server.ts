// A local JWKS endpoint whose keys and availability the test controls, and which counts fetches.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { JWK } from "jose";

export class JwksServer {
  keys: JWK[] = [];
  /** When false, the endpoint answers 503 (the frontend is down or failing). */
  up = true;
  fetchCount = 0;
  url = "";
  #server: Server;

  private constructor() {
    this.#server = createServer((_req, res) => {
      this.fetchCount += 1;
      if (!this.up) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: this.keys }));
    });
  }

  static async start(keys: JWK[] = []): Promise<JwksServer> {
    const jwks = new JwksServer();
    jwks.keys = keys;
    await new Promise<void>((resolve) => jwks.#server.listen(0, "127.0.0.1", resolve));
    const { port } = jwks.#server.address() as AddressInfo;
    jwks.url = `http://127.0.0.1:${port}/api/auth/jwks`;
    return jwks;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
