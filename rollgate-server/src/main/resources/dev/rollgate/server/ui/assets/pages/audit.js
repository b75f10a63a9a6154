import {h} from '../lib/dom.js';

export async function render(view) {
  view.main.append(h('h1', {}, view.page.title), h('p', {}, 'This page is being built.'));
}
