import { startMonitoringLab } from "./test/lab/monitoring/monitoring-lab";
(async () => {
  const t0 = Date.now();
  const lab = await startMonitoringLab({ timing: { intervalSeconds: 10, retryIntervalSeconds: 2, attempts: 2 } });
  console.log("started in", Date.now() - t0, "root", lab.root);
  try {
    await new Promise((r) => setTimeout(r, 25000));
    for (const [vm, e] of lab.engines) {
      const s = e.status();
      console.log(vm, "notif", s.notificationsEnabled);
      for (const h of s.hosts) console.log(" H", h.host, h.state, h.hard, h.output.slice(0, 100));
      for (const v of s.services) console.log(" S", v.host, v.service, v.state, v.hard, v.output.slice(0, 140));
    }
    console.log(lab.sink.messages().map((m) => m.headers.subject));
  } finally { await lab.stop(); }
})().catch((e) => { console.error(e); process.exit(1); });
