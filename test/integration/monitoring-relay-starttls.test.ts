import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAB_RELAY_ADDRESS } from "../lab/monitoring/lab-spec";
import { startRelayLab, type RelayLab } from "../lab/monitoring/relay-lab";
import { writeMonitoringFiles } from "../lab/monitoring/write-files";

// The notification path on its own, in network namespaces: the rendered ibac-notify and msmtprc of the active
// monitoring VM, run as nagios, against an SMTP sink at the relay address the spec names.

const SERVICE_ENV = {
  NAGIOS_CONTACTEMAIL: "ibac-ops@rik.ee",
  NAGIOS_NOTIFICATIONTYPE: "PROBLEM",
  NAGIOS_HOSTNAME: "db-2",
  NAGIOS_HOSTADDRESS: "10.60.2.17",
  NAGIOS_SERVICEDESC: "MariaDB connection",
  NAGIOS_SERVICESTATE: "CRITICAL",
  NAGIOS_SERVICEOUTPUT: "Can't connect to server on '10.60.2.17' (111)",
  NAGIOS__SERVICELAYER: "service",
  NAGIOS__SERVICEFLOW: "monitoring-to-database",
};

describe("monitoring relay (msmtp, STARTTLS required)", () => {
  let lab: RelayLab;
  beforeAll(async () => {
    lab = await startRelayLab();
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
  }, 30_000);

  it("the rendered notification script mails the spec's address, from the spec's sender, to the spec's relay address over STARTTLS", async () => {
    const sink = await lab.sink("starttls");
    expect(lab.spec.notifications.smtpRelay.host).toBe(LAB_RELAY_ADDRESS);
    const address = lab.spec.notifications.email[0];
    const r = await lab.notify("service", { ...SERVICE_ENV, NAGIOS_CONTACTEMAIL: address });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const m = await sink.waitFor(() => true, 10_000);
    expect(m.secure).toBe(true);
    expect(m.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
    expect(m.remote).toBe(lab.monAddress);
    expect(m.mailFrom).toBe(lab.spec.notifications.from);
    expect(m.rcptTo).toEqual([address]);
    expect(m.headers.from).toBe(lab.spec.notifications.from);
    expect(m.headers.to).toBe(address);
    expect(m.headers.subject).toBe("** PROBLEM Service Alert: db-2/MariaDB connection is CRITICAL **");
    expect(m.body).toContain("Output: Can't connect to server on '10.60.2.17' (111)\n");
    expect(sink.rejections()).toEqual([]);
  }, 60_000);

  it("msmtp with the rendered msmtprc refuses a relay that offers no STARTTLS, and nothing reaches it", async () => {
    const sink = await lab.sink("no-starttls");
    const r = await lab.notify("service", SERVICE_ENV);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("msmtp: the server does not support TLS via the STARTTLS command");
    await new Promise((res) => setTimeout(res, 500));
    expect(sink.messages()).toEqual([]);
  }, 60_000);

  it("msmtp with the rendered msmtprc refuses a relay whose certificate is not from the relay trust file", async () => {
    const sink = await lab.sink("untrusted-certificate");
    const r = await lab.notify("service", SERVICE_ENV);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/msmtp: TLS certificate verification failed/);
    expect(sink.messages()).toEqual([]);
  }, 60_000);

  it("the sink refuses MAIL FROM before STARTTLS (530): the rendered msmtprc with tls off delivers nothing", async () => {
    const sink = await lab.sink("starttls");
    const rendered = fs.readFileSync(lab.paths.msmtpConfig, "utf8");
    expect(rendered).toContain("\ntls on\n");
    expect(rendered).toContain("\ntls_starttls on\n");
    const plain = path.join(path.dirname(lab.paths.msmtpConfig), "msmtprc-tls-off");
    writeMonitoringFiles(lab.root, [{ path: plain, content: rendered.replace("\ntls on\n", "\ntls off\n"), mode: "0640", owner: "root:nagios" }]);
    const r = await lab.msmtp(plain, lab.spec.notifications.email[0], "Subject: plain\n\nplain\n");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("msmtp: server message: 530 Must issue a STARTTLS command first");
    expect(sink.rejections()).toEqual([{ from: lab.spec.notifications.from, remote: lab.monAddress }]);
    expect(sink.messages()).toEqual([]);
  }, 60_000);
});
