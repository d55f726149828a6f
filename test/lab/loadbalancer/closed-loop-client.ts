// The lab's closed-loop client: WORKERS loops, each sending GET /echo to the API's virtual address over HTTPS
// and sending the next request only when the previous one has ended (so the load follows what the service
// can do, as the app's calls would). Keep-alive is off: every request is a new TCP connection and TLS
// handshake, so every request goes through the address as it is at that moment (ARP, the active load
// balancer) and through a fresh HAProxy balancing decision. The CA is the lab's; the certificate must name
// SERVERNAME (the public name), which is also the SNI sent.
//
//   ip netns exec <client ns> node --import <tsx> closed-loop-client.ts ADDRESS PORT SERVERNAME CA WORKERS TIMEOUT_MS OUT
//
// Each ended request is one line in OUT: "<start ms> <end ms> ok <instance>" or "<start ms> <end ms> fail <reason>"
// (Date.now(), the same clock as the harness). It runs until SIGTERM, then closes OUT and exits 0.
import * as fs from "node:fs";
import * as https from "node:https";

const [address, portText, servername, caFile, workersText, timeoutText, outFile] = process.argv.slice(2);
const port = Number(portText);
const workers = Number(workersText);
const timeoutMs = Number(timeoutText);
if (!address || !Number.isInteger(port) || !servername || !caFile || !Number.isInteger(workers) || workers < 1 || !Number.isInteger(timeoutMs) || timeoutMs < 1 || !outFile) {
  console.error("usage: closed-loop-client.ts ADDRESS PORT SERVERNAME CA WORKERS TIMEOUT_MS OUT");
  process.exit(2);
}
const ca = fs.readFileSync(caFile);
const out = fs.createWriteStream(outFile, { flags: "a" });
let stopping = false;

function once(): Promise<string> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (line: string): void => {
      if (!settled) {
        settled = true;
        resolve(line);
      }
    };
    const req = https.request({ host: address, port, path: "/echo", method: "GET", servername, ca, agent: false, timeout: timeoutMs, headers: { host: servername } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => {
        const instance = /"instance":"([\w.-]+)"/.exec(body)?.[1];
        done(res.statusCode === 200 && instance ? `ok ${instance}` : `fail http-${res.statusCode ?? 0}`);
      });
      res.on("error", (e: NodeJS.ErrnoException) => done(`fail ${e.code ?? "response-error"}`));
    });
    req.on("timeout", () => {
      req.destroy();
      done("fail timeout");
    });
    req.on("error", (e: NodeJS.ErrnoException) => done(`fail ${e.code ?? "error"}`));
    req.end();
  });
}

async function worker(): Promise<void> {
  while (!stopping) {
    const start = Date.now();
    const outcome = await once();
    out.write(`${start} ${Date.now()} ${outcome}\n`);
  }
}

process.on("SIGTERM", () => {
  stopping = true;
});
void Promise.all(Array.from({ length: workers }, () => worker())).then(() => out.end(() => process.exit(0)));
