import htm from 'htm';
import { h } from 'preact';

/** Tagged templates instead of JSX: no compile step beyond the bundler. */
export const html = htm.bind(h);
