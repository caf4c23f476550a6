// Entry, output and mode only, plus a generated index.html: no loaders, no rules, nothing that
// helps the package's worker or wasm along. webpack 5 must find them by itself.
import { fileURLToPath } from 'node:url';
import HtmlWebpackPlugin from 'html-webpack-plugin';

export default {
  mode: 'production',
  entry: './src/index.js',
  output: {
    path: fileURLToPath(new URL('./dist/', import.meta.url)),
    clean: true,
  },
  plugins: [new HtmlWebpackPlugin({ title: 'sluice in a webpack app' })],
};
