#!/usr/bin/env node
// The toolkit is TypeScript end to end; tsx compiles it on the fly so ops never need a build step.
require("tsx/cjs");
require("../cli/main.ts");
