// Apollo Gateway behind Apollo Server, serving a static supergraph.
// Usage: node apollo-gateway.mjs <supergraph.graphql> <port>
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway } from '@apollo/gateway';

const [supergraphPath, port = '4000'] = process.argv.slice(2);
if (!supergraphPath) {
  console.error('usage: node apollo-gateway.mjs <supergraph.graphql> <port>');
  process.exit(2);
}
const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraphPath, 'utf8') });
const server = new ApolloServer({ gateway, introspection: false });
const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: Number(port) } });
console.error(`apollo gateway serving ${url}`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.stop().then(() => process.exit(0)));
}
