// The console page's entry: the server serves index.html with a <main id="app"> and this bundle.
// The shell (header, navigation, sign-in dialog) is rendered around the page's own <main>, so the
// mount point is swapped for a container that holds both.
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'preact';
import { App } from './app.tsx';

const mount = document.getElementById('app');
if (mount !== null) {
  const shell = document.createElement('div');
  shell.className = 'shell';
  mount.replaceWith(shell);
  render(<App />, shell);
}
