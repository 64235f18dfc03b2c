// The Switchyard playground: GraphiQL (docs, history, explorer, autocompletion from
// the router's introspection) plus the plan, trace and authorization panels.
// Everything is bundled; the page talks only to the router that served it.
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
import { AuthPanel } from './AuthPanel.jsx';
import { KeyIcon, PlanIcon, TraceIcon } from './icons.jsx';

// Narrow enough for the editor beside an open panel at 1440 px (about 33
// columns): nothing to scroll sideways to read. The browser test measures it.
const DEFAULT_QUERY = `# Welcome to Switchyard.
# Ctrl-Enter runs the query;
# the Query plan and Trace
# panels (left) show how it ran.
query Products {
  products(first: 3) {
    edges {
      node {
        name
        stock
        price {
          amountCents
        }
        shippingEstimate {
          amountCents
        }
      }
    }
  }
}
`;

const plugins = [
  { title: 'Query plan', icon: PlanIcon, content: PlanPanel },
  { title: 'Trace', icon: TraceIcon, content: TracePanel },
  { title: 'Authorization', icon: KeyIcon, content: AuthPanel },
  explorerPlugin(),
];

function App() {
  return (
    // shouldPersistHeaders off (GraphiQL's default, stated): a token set in the
    // headers editor is never written to localStorage.
    <GraphiQL
      fetcher={fetcher}
      plugins={plugins}
      defaultQuery={DEFAULT_QUERY}
      isHeadersEditorEnabled
      shouldPersistHeaders={false}
    >
      <GraphiQL.Logo>Switchyard</GraphiQL.Logo>
    </GraphiQL>
  );
}

createRoot(document.getElementById('root')).render(<App />);
