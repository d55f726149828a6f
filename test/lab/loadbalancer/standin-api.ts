// The lab's stand-in for the operator's API service (the real one is their artifact): an HTTPS server on one
// instance's address and port with that instance's certificate, answering the spec's health path and /echo,
// which names the instance so a client can tell which one served it. Run inside the instance's namespace:
//
//   ip netns exec <ns> node --import <tsx> standin-api.ts NAME ADDRESS PORT HEALTH_PATH CERT KEY
//
// It prints "listening" once the socket is bound, and never logs request contents.
import * as fs from "node:fs";
import * as https from "node:https";

const [name, address, portText, healthPath, certFile, keyFile] = process.argv.slice(2);
const port = Number(portText);
if (!name || !address || !Number.isInteger(port) || !healthPath?.startsWith("/") || !certFile || !keyFile) {
  console.error("usage: standin-api.ts NAME ADDRESS PORT HEALTH_PATH CERT KEY");
  process.exit(2);
}

const server = https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, (req, res) => {
  const url = (req.url ?? "").split("?")[0];
  if (url === healthPath) {
    res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
  } else if (url === "/echo") {
    res.writeHead(200, { "content-type": "application/json" }).end(`${JSON.stringify({ instance: name })}\n`);
  } else {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  }
});
server.keepAliveTimeout = 30_000;
server.listen(port, address, () => process.stdout.write("listening\n"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
