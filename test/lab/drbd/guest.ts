// One qemu guest (TCG) booted from the image scripts/build-drbd-guest.sh builds, driven through its serial
// console: the harness writes one shell line at a time and reads markers (lines starting with @@) back.
// Guests reach each other only over `-netdev socket` on 127.0.0.1; their addresses exist inside the guests only.
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { performance } from "node:perf_hooks";
import { requireTool } from "../../support/require-tool";

export const GUEST_IMAGE_DIR = path.resolve(__dirname, "../../../out/drbd-guest");

export interface GuestImage {
  kernel: string;
  initrd: string;
  qemu: string;
  busybox: string;
}

/** The built image and the tools that run it, or an Error that says what to run or install. */
export function requireGuestImage(): GuestImage {
  const qemu = requireTool("qemu-system-x86_64", "qemu-system-x86");
  const busybox = requireTool("busybox", "busybox-static");
  const kernel = path.join(GUEST_IMAGE_DIR, "vmlinuz");
  const initrd = path.join(GUEST_IMAGE_DIR, "initrd.gz");
  for (const file of [kernel, initrd]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run bash scripts/build-drbd-guest.sh (after scripts/install-test-deps.sh)`);
  }
  return { kernel, initrd, qemu, busybox };
}

export interface GuestOptions {
  image: GuestImage;
  /** A directory of this run (mkdtemp): the backing disk, the initramfs overlay and the console log live there. */
  dir: string;
  hostName: string;
  /** Address/prefix inside the guest only. */
  address: string;
  mac: string;
  net: { mode: "listen" | "connect"; port: number };
  diskMiB: number;
  /** Files the guest finds at boot (absolute guest path -> content), e.g. the rendered /etc/drbd.d/<name>.res. */
  files: Record<string, string>;
}

const HOST_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const CIDR = /^\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}$/;
const MAC = /^(?:[0-9a-f]{2}:){5}[0-9a-f]{2}$/;

/** A newc cpio of `files`, appended to the image's initramfs (the kernel unpacks concatenated archives in order). */
function bootInitrd(options: GuestOptions): string {
  const overlay = path.join(options.dir, `${options.hostName}-overlay`);
  for (const [guestPath, content] of Object.entries(options.files)) {
    if (!/^\/(?:[A-Za-z0-9._-]+\/)*[A-Za-z0-9._-]+$/.test(guestPath) || guestPath.includes("..")) throw new Error(`guest file path ${JSON.stringify(guestPath)} is not a plain absolute path`);
    const target = path.join(overlay, guestPath);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content, { mode: 0o644 });
  }
  const list = spawnSync("find", [".", "-mindepth", "1"], { cwd: overlay, encoding: "utf8" });
  const cpio = spawnSync(options.image.busybox, ["cpio", "-o", "-H", "newc"], { cwd: overlay, input: list.stdout, maxBuffer: 64 * 1024 * 1024 });
  if (cpio.status !== 0) throw new Error(`busybox cpio failed: ${String(cpio.stderr)}`);
  const initrd = path.join(options.dir, `${options.hostName}-initrd`);
  // The kernel wants each archive to start on a 4-byte boundary and skips the zeros between them.
  const base = fs.readFileSync(options.image.initrd);
  fs.writeFileSync(initrd, Buffer.concat([base, Buffer.alloc((512 - (base.length % 512)) % 512), cpio.stdout]));
  return initrd;
}

export interface Marker {
  match: RegExpExecArray;
  /** performance.now() when the harness read it. */
  atMs: number;
}

export class Guest {
  readonly hostName: string;
  readonly consoleLog: string;
  private readonly proc: ChildProcess;
  private console = "";
  private readonly arrivals: { offset: number; atMs: number }[] = [];
  private waiters: (() => void)[] = [];
  private nextId = 1;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitStatus: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(options: GuestOptions) {
    if (!HOST_NAME.test(options.hostName)) throw new Error(`guest host name ${JSON.stringify(options.hostName)} is not a host name label`);
    if (!CIDR.test(options.address)) throw new Error(`guest address ${JSON.stringify(options.address)} is not address/prefix`);
    if (!MAC.test(options.mac)) throw new Error(`guest MAC ${JSON.stringify(options.mac)} is not a MAC address`);
    this.hostName = options.hostName;
    this.consoleLog = path.join(options.dir, `${options.hostName}-console.log`);
    const disk = path.join(options.dir, `${options.hostName}-disk.raw`);
    fs.writeFileSync(disk, "");
    fs.truncateSync(disk, options.diskMiB * 1024 * 1024);
    const initrd = bootInitrd(options);
    const args = [
      "-accel", "tcg", "-cpu", "max", "-m", "384", "-smp", "1",
      "-nographic", "-nodefaults", "-serial", "stdio", "-no-reboot",
      "-kernel", options.image.kernel, "-initrd", initrd,
      "-append", `console=ttyS0 panic=-1 loglevel=3 ibac.host=${options.hostName} ibac.addr=${options.address}`,
      "-drive", `file=${disk},format=raw,if=none,id=data`, "-device", "virtio-blk-pci,drive=data,serial=ibac-data",
      "-netdev", `socket,id=storage,${options.net.mode}=127.0.0.1:${options.net.port}`, "-device", `virtio-net-pci,netdev=storage,mac=${options.mac}`,
    ];
    const log = fs.openSync(this.consoleLog, "a");
    this.proc = spawn(options.image.qemu, args, { stdio: ["pipe", "pipe", "pipe"] });
    const take = (chunk: Buffer): void => {
      const text = chunk.toString("latin1");
      this.arrivals.push({ offset: this.console.length, atMs: performance.now() });
      this.console += text;
      fs.writeSync(log, text);
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    };
    this.proc.stdout?.on("data", take);
    this.proc.stderr?.on("data", take);
    this.proc.stdin?.on("error", () => undefined);
    this.exited = new Promise((resolve) => {
      this.proc.on("exit", (code, signal) => {
        this.exitStatus = { code, signal };
        fs.closeSync(log);
        const waiters = this.waiters;
        this.waiters = [];
        for (const w of waiters) w();
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    if (this.proc.pid === undefined) throw new Error(`qemu for ${this.hostName} did not start`);
    return this.proc.pid;
  }

  get alive(): boolean {
    return this.exitStatus === undefined;
  }

  /** Everything the console printed so far (kernel messages are quiet: loglevel=3). */
  get output(): string {
    return this.console;
  }

  /** The first match of `pattern` at or after `from` (a console offset), with when it arrived. */
  async waitFor(pattern: RegExp, timeoutMs: number, from = 0): Promise<Marker> {
    const deadline = performance.now() + timeoutMs;
    const flags = pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`;
    for (;;) {
      const re = new RegExp(pattern.source, flags);
      re.lastIndex = from;
      const match = re.exec(this.console);
      if (match) {
        const end = match.index + match[0].length;
        const arrival = [...this.arrivals].reverse().find((a) => a.offset < end);
        return { match, atMs: arrival?.atMs ?? performance.now() };
      }
      if (!this.alive) throw new Error(`${this.hostName}: qemu exited (${JSON.stringify(this.exitStatus)}) before ${pattern}\n${this.tail()}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${this.hostName}: no ${pattern} within ${timeoutMs} ms\n${this.tail()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The console's end, for error messages. */
  tail(chars = 3000): string {
    return this.console.slice(-chars);
  }

  private send(line: string): void {
    if (line.includes("\n") || line.length > 3000) throw new Error("a console command is one short line");
    this.proc.stdin?.write(`${line}\n`);
  }

  /** Runs one shell line in the guest and waits for its exit status; the output leaves out the writer's @@ACK lines. */
  async run(command: string, timeoutMs = 60_000): Promise<{ status: number; output: string; atMs: number }> {
    const id = this.nextId++;
    const from = this.console.length;
    this.send(`${command}; echo "@@DONE ${id} $?"`);
    const done = await this.waitFor(new RegExp(`@@DONE ${id} (\\d+)\\r?\\n`), timeoutMs, from);
    const output = this.console.slice(from, done.match.index).split(/\r?\n/).filter((l) => !l.startsWith("@@ACK ")).join("\n");
    return { status: Number(done.match[1]), output, atMs: done.atMs };
  }

  /** Like run, but throws when the line exits non-zero. */
  async must(command: string, timeoutMs = 60_000): Promise<{ output: string; atMs: number }> {
    const r = await this.run(command, timeoutMs);
    if (r.status !== 0) throw new Error(`${this.hostName}: \`${command}\` exited ${r.status}\n${r.output}\n${this.tail()}`);
    return r;
  }

  /** Starts one shell line in the background of the guest (its stdin is /dev/null). */
  async background(command: string): Promise<void> {
    await this.must(`{ ${command}; } </dev/null & true`, 30_000);
  }

  /** kill -9 of this guest's qemu, by PID; resolves once the process is gone, with how it ended. */
  async kill9(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    process.kill(this.pid, "SIGKILL");
    return this.exited;
  }

  /** Stops the guest if it still runs (SIGKILL of its qemu by PID: the guest keeps no state worth a shutdown). */
  async stop(): Promise<void> {
    if (!this.alive) return;
    try {
      process.kill(this.pid, "SIGKILL");
    } catch {
      return;
    }
    await this.exited;
  }
}

/** True once 127.0.0.1:port is listening (read from /proc/net/tcp: connecting would take qemu's one accept). */
export function listening(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const table = fs.readFileSync("/proc/net/tcp", "utf8");
  return table.split("\n").some((line) => {
    const cols = line.trim().split(/\s+/);
    return cols[1] === `0100007F:${hex}` && cols[3] === "0A";
  });
}

/** A port on 127.0.0.1 that nothing listens on now, for a guest pair's socket link. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}
