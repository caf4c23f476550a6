// What `npm create vite -- --template react` writes: the React plugin and nothing for sluice.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
});
