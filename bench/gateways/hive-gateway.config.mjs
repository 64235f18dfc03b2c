// Hive Gateway with its Rust query planner runtime (@graphql-hive/router-runtime),
// as The Guild's gateways benchmark runs it. The supergraph path is given on the
// command line (`hive-gateway supergraph <file>`).
import { defineConfig } from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';

export const gatewayConfig = defineConfig({
  unifiedGraphHandler,
  logging: 'error',
  graphiql: false,
  landingPage: false,
  maskedErrors: false,
});
