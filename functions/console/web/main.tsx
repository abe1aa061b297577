// A placeholder page until the console's own UI lands: proves the bundle, Preact and the CSP work.
import { render } from 'preact';
import './main.css';

function App() {
  return <h1>ingest console</h1>;
}

render(<App />, document.getElementById('app')!);
