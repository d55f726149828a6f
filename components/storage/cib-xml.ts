// Moved to the shared replicated-volume module; re-exported so existing imports keep working.
export * from "../replicated-volume/cib-xml";
