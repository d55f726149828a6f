// A TLS service of a lab VM (https-daemon.ts starts it in the VM's namespace): an HTTPS server with a
// certificate of the lab's internal CA, answering each configured path with its status (the API's health path
// 200; the Proxmox API's /api2/json/version 401 without a ticket, as pveproxy does) and 404 otherwise.
// Configuration: one JSON argument.
import * as fs from "node:fs";
import * as https from "node:https";

interface HttpsChildConfig {
  address: string;
  port: number;
  certFile: string;
  keyFile: string;
  routes: Record<string, number>;
}

const config = JSON.parse(process.argv[2] ?? "{}") as HttpsChildConfig;
const server = https.createServer({ cert: fs.readFileSync(config.certFile), key: fs.readFileSync(config.keyFile), minVersion: "TLSv1.2" }, (req, res) => {
  const status = config.routes[(req.url ?? "/").split("?")[0]] ?? 404;
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(status === 200 ? "ok\n" : `${status}\n`);
});
server.listen(config.port, config.address);
const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
