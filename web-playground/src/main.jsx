// The Switchyard playground: GraphiQL (docs, history, explorer, autocompletion from
// the router's introspection) plus the plan, trace and sign-in panels. Everything is
// bundled; the page talks only to the router that served it.
import './workers.js';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import './panels.css';
import { fetcher } from './endpoint.js';
import { PlanPanel } from './PlanPanel.jsx';
import { TracePanel } from './TracePanel.jsx';
import { SignInPanel } from './SignInPanel.jsx';
import { KeyIcon, PlanIcon, TraceIcon } from './icons.jsx';

const DEFAULT_QUERY = `# Welcome to the Switchyard playground.
# Run an operation (Ctrl-Enter), then open the Query plan and Trace panels on the left.
query Products {
  products(first: 3) {
    edges {
      node {
        name
        price { amountCents currency }
        stock
        shippingEstimate { amountCents currency }
      }
    }
  }
}
`;

const plugins = [
  { title: 'Query plan', icon: PlanIcon, content: PlanPanel },
  { title: 'Trace', icon: TraceIcon, content: TracePanel },
  { title: 'Sign in', icon: KeyIcon, content: SignInPanel },
  explorerPlugin(),
];

function App() {
  return (
    <GraphiQL fetcher={fetcher} plugins={plugins} defaultQuery={DEFAULT_QUERY} isHeadersEditorEnabled>
      <GraphiQL.Logo>Switchyard</GraphiQL.Logo>
    </GraphiQL>
  );
}

createRoot(document.getElementById('root')).render(<App />);
