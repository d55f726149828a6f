// For tests of install scripts: a server on 127.0.0.1 and a free port that prints `port N` once it listens
// (python3's http.server does; so does a test's own HTTPS server), as the operator's artifact server would be.
import { spawn, type ChildProcess } from "node:child_process";
import { requireTool } from "./require-tool";

export interface ArtifactServer {
  port: number;
  /** Stops it (by its PID). */
  stop(): void;
}

/** Starts `command args`; resolves once it has printed the port it took. `what` names it in errors. */
export async function startPortReportingServer(command: string, args: readonly string[], what: string): Promise<ArtifactServer> {
  const server: ChildProcess = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  const stop = (): void => {
    if (server.pid !== undefined && server.exitCode === null) process.kill(server.pid, "SIGTERM");
  };
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not say its port within 10 s`)), 10_000);
    server.stdout?.on("data", (chunk: Buffer) => {
      const found = /port (\d+)/.exec(chunk.toString());
      if (found) {
        clearTimeout(timer);
        resolve(Number(found[1]));
      }
    });
    server.on("exit", (code) => reject(new Error(`${what} exited with ${code}`)));
  }).catch((error: unknown) => {
    stop();
    throw error;
  });
  return { port, stop };
}

/** python3's http.server serving `dir` over plain http (the pinned digest is what vouches for a file). */
export function startArtifactServer(dir: string): Promise<ArtifactServer> {
  return startPortReportingServer(requireTool("python3", "python3"), ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", dir], "python3 http.server");
}
