// Headless Debian Chromium (CHROMIUM_PATH overrides /usr/bin/chromium) for the e2e and bench scripts.
import { chromium } from "playwright-core";

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    // This machine's network is closed: background networking only produces refused connections.
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic"],
  });
}
